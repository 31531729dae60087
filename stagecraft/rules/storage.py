"""S3, ECR, KMS and CloudWatch Logs rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.rules._util import (
    as_list,
    as_map,
    attached,
    expect,
    is_public_allow,
    is_true,
    label,
    number,
    policy_statements,
    show,
    strings,
)
from stagecraft.rules.model import MANDATORY, PRODUCTION_ONLY, RELAXED, Options, Rule

S3_DOC = "https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html"
ECR_DOC = "https://docs.aws.amazon.com/securityhub/latest/userguide/ecr-controls.html"
KMS_DOC = "https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html"
CW_DOC = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
REPOSITORY = "aws:ecr/repository:Repository"
LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
REPOSITORY_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
BUCKET_LOGGING = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
SSE_CONFIGURATION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
MIN_LOG_RETENTION_DAYS = 365


def _buckets(inventory: Inventory) -> list[RecordedResource]:
    return inventory.of_type(BUCKET) + inventory.of_type(BUCKET_V2)


def access_log_targets(inventory: Inventory) -> set[str]:
    """URNs of the buckets some bucket-logging configuration names as ``targetBucket`` (by literal name).

    S3 server access logging delivers only into SSE-S3 buckets without Object Lock
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html), so these
    buckets are judged by that instead of the stage key and the lock.
    """
    targets = {r.inputs.get("targetBucket") for t in BUCKET_LOGGING for r in inventory.of_type(t)}
    return {b.urn for b in _buckets(inventory) if b.inputs.get("bucket") in targets and b.inputs.get("bucket")}


def _per_bucket(
    what: str,
    type_: str,
    judge: Callable[[RecordedResource], str | None],
    log_judge: Callable[[RecordedResource], str | None] | None = None,
) -> Callable[[Inventory], list[tuple[str | None, str]]]:
    """A stack check: every bucket has a ``type_`` resource, and ``judge`` finds nothing wrong with it
    (``log_judge`` instead, when given, for the destinations of server access logs)."""

    def check(inventory: Inventory) -> list[tuple[str | None, str]]:
        found: list[tuple[str | None, str]] = []
        log_targets = access_log_targets(inventory) if log_judge is not None else set()
        for bucket in _buckets(inventory):
            current = log_judge if log_judge is not None and bucket.urn in log_targets else judge
            linked = list(attached(inventory, bucket, type_, "bucket", "bucket"))
            if not linked:
                found.append((bucket.urn, f"{label(bucket)}: no {type_} ({what})"))
            for resource in linked:
                problem = current(resource)
                if problem:
                    found.append((resource.urn, f"{label(resource)}: {problem}"))
        return found

    return check


def _pab(resource: RecordedResource) -> str | None:
    keys = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    off = [k for k in keys if not is_true(resource.inputs.get(k))]
    return f"{', '.join(off)} not true; all four required" if off else None


def _sse(resource: RecordedResource) -> str | None:
    rule = as_map(resource.inputs.get("rules"))
    default = as_map(rule.get("applyServerSideEncryptionByDefault"))
    algorithm = default.get("sseAlgorithm")
    if algorithm not in ("aws:kms", "aws:kms:dsse"):
        return f"sseAlgorithm is {show(algorithm)}; aws:kms required"
    if not default.get("kmsMasterKeyId"):
        return "kmsMasterKeyId is unset; the stage's KMS key required"
    return None


def _sse_s3(resource: RecordedResource) -> str | None:
    rule = as_map(resource.inputs.get("rules"))
    algorithm = as_map(rule.get("applyServerSideEncryptionByDefault")).get("sseAlgorithm")
    if algorithm != "AES256":
        return f"sseAlgorithm is {show(algorithm)}; AES256 required (server access logs cannot be delivered to SSE-KMS)"
    return None


def _versioning(resource: RecordedResource) -> str | None:
    status = as_map(resource.inputs.get("versioningConfiguration")).get("status")
    return None if status == "Enabled" else f"versioningConfiguration.status is {show(status)}; Enabled required"


def _lifecycle(resource: RecordedResource) -> str | None:
    enabled = [r for r in as_list(resource.inputs.get("rules")) if as_map(r).get("status") == "Enabled"]
    return None if enabled else "rules has no Enabled rule; at least one required"


def _ownership(resource: RecordedResource) -> str | None:
    value = as_map(resource.inputs.get("rule")).get("objectOwnership")
    return None if value == "BucketOwnerEnforced" else f"objectOwnership is {show(value)}; BucketOwnerEnforced required"


def _object_lock(resource: RecordedResource) -> str | None:
    retention = as_map(as_map(resource.inputs.get("rule")).get("defaultRetention"))
    if not retention.get("mode") or not (retention.get("days") or retention.get("years")):
        return "rule.defaultRetention is unset; a mode and days or years required"
    return None


def _bucket_policy(resource: RecordedResource) -> str | None:
    statements = policy_statements(resource.inputs.get("policy"))
    for statement in statements:
        condition = as_map(as_map(statement.get("Condition")).get("Bool"))
        if statement.get("Effect") == "Deny" and str(condition.get("aws:SecureTransport")).lower() == "false":
            return None
    return "policy has no Deny on aws:SecureTransport false; a TLS-only statement required"


BLOCKED_BUCKET_ACTIONS = (
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketPolicy",
    "s3:PutEncryptionConfiguration",
    "s3:PutObjectAcl",
)


def _public_policy(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    messages = []
    for statement in policy_statements(inputs.get("policy")):
        if is_public_allow(statement):
            messages.append(
                f"policy allows {show(strings(statement.get('Action')))} to principal *; no public grants allowed"
            )
    return messages


def _bucket_admin_grants(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    messages = []
    for statement in policy_statements(inputs.get("policy")):
        actions = strings(statement.get("Action"))
        risky = [a for a in actions if a in BLOCKED_BUCKET_ACTIONS or a in ("s3:*", "*")]
        if statement.get("Effect") == "Allow" and risky:
            messages.append(
                f"policy allows {show(risky)}; bucket policies must not grant policy, ACL or encryption changes"
            )
    return messages


def _bucket_object_lock_enabled(inventory: Inventory) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    lock_type = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
    log_targets = access_log_targets(inventory)
    for bucket in _buckets(inventory):
        enabled = bucket.inputs.get("objectLockEnabled")
        if bucket.urn in log_targets:
            if is_true(enabled):
                found.append(
                    (
                        bucket.urn,
                        f"{label(bucket)}: objectLockEnabled is true on a server access log destination; false "
                        "required (S3 does not deliver logs into Object Lock buckets)",
                    )
                )
            continue
        if not is_true(enabled):
            found.append((bucket.urn, f"{label(bucket)}: objectLockEnabled is {show(enabled)}; true required"))
        linked = list(attached(inventory, bucket, lock_type, "bucket", "bucket"))
        if not linked:
            found.append((bucket.urn, f"{label(bucket)}: no {lock_type} (a default retention)"))
        for resource in linked:
            problem = _object_lock(resource)
            if problem:
                found.append((resource.urn, f"{label(resource)}: {problem}"))
    return found


def _repo_lifecycle(inventory: Inventory) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for repo in inventory.of_type(REPOSITORY):
        if not any(attached(inventory, repo, LIFECYCLE_POLICY, "repository")):
            found.append((repo.urn, f"{label(repo)}: no {LIFECYCLE_POLICY}"))
    return found


def _ecr_kms(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    config = as_map(inputs.get("encryptionConfigurations"))
    kind = config.get("encryptionType")
    if kind != "KMS":
        return [f"encryptionConfigurations.encryptionType is {show(kind)}; KMS required"]
    if not config.get("kmsKey"):
        return ["encryptionConfigurations.kmsKey is unset; the stage's KMS key required"]
    return []


def _scan_on_push(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    value = as_map(inputs.get("imageScanningConfiguration")).get("scanOnPush")
    return [] if is_true(value) else [f"imageScanningConfiguration.scanOnPush is {show(value)}; true required"]


def _log_retention(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    days = number(inputs.get("retentionInDays"))
    if days is None or days < MIN_LOG_RETENTION_DAYS:
        return [
            f"retentionInDays is {show(inputs.get('retentionInDays'))}; at least {MIN_LOG_RETENTION_DAYS} days required"
        ]
    return []


def _bucket_rule(
    id_: str,
    description: str,
    control: str,
    url: str,
    what: str,
    type_: str,
    judge: Callable[[RecordedResource], str | None],
    levels: Any = MANDATORY,
    log_judge: Callable[[RecordedResource], str | None] | None = None,
) -> Rule:
    return Rule(id_, description, control, url, levels, stack_check=_per_bucket(what, type_, judge, log_judge))


def _tag_immutability(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    mutability = inputs.get("imageTagMutability")
    if mutability == "IMMUTABLE":
        return []
    if mutability != "IMMUTABLE_WITH_EXCLUSION":
        return [f"imageTagMutability is {show(mutability)}; IMMUTABLE or IMMUTABLE_WITH_EXCLUSION required"]
    filters = [as_map(f).get("filter") for f in inputs.get("imageTagMutabilityExclusionFilters") or []]
    catch_all = [f for f in filters if not isinstance(f, str) or f.strip("*") == ""]
    if not filters or catch_all:
        return [f"imageTagMutabilityExclusionFilters is {show(filters)}; named moving tags (no catch-all '*') required"]
    return []


RULES = (
    _bucket_rule(
        "s3-public-access-block",
        "Every bucket has a public access block with all four settings on.",
        "FSBP S3.8, S3.2, S3.3",
        f"{S3_DOC}#s3-8",
        "all four settings true",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        _pab,
    ),
    _bucket_rule(
        "s3-tls-only",
        "Every bucket has a policy denying requests without TLS.",
        "FSBP S3.5",
        f"{S3_DOC}#s3-5",
        "a TLS-only policy",
        BUCKET_POLICY,
        _bucket_policy,
    ),
    Rule(
        "s3-policy-no-public-grant",
        "Bucket policies grant nothing to principal * without a condition.",
        "FSBP S3.2, S3.3",
        f"{S3_DOC}#s3-2",
        MANDATORY,
        types=(BUCKET_POLICY,),
        check=_public_policy,
    ),
    Rule(
        "s3-policy-no-admin-grant",
        "Bucket policies grant no policy, ACL or encryption changes to anyone.",
        "FSBP S3.6",
        f"{S3_DOC}#s3-6",
        MANDATORY,
        types=(BUCKET_POLICY,),
        check=_bucket_admin_grants,
    ),
    _bucket_rule(
        "s3-ownership-enforced",
        "Every bucket disables ACLs (BucketOwnerEnforced).",
        "FSBP S3.12",
        f"{S3_DOC}#s3-12",
        "BucketOwnerEnforced",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        _ownership,
    ),
    _bucket_rule(
        "s3-lifecycle",
        "Every bucket has a lifecycle configuration with an enabled rule.",
        "FSBP S3.13",
        f"{S3_DOC}#s3-13",
        "an enabled rule",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        _lifecycle,
    ),
    _bucket_rule(
        "s3-sse-kms",
        "Every bucket encrypts by default with the stage's KMS key (server access log destinations: SSE-S3).",
        "stagecraft (CKV_AWS_145)",
        f"{S3_DOC}#s3-17",
        "SSE with aws:kms",
        SSE_CONFIGURATION,
        _sse,
        log_judge=_sse_s3,
    ),
    _bucket_rule(
        "s3-versioning",
        "Every bucket has versioning Enabled.",
        "S3.14 (non-FSBP)",
        f"{S3_DOC}#s3-14",
        "status Enabled",
        "aws:s3/bucketVersioning:BucketVersioning",
        _versioning,
    ),
    Rule(
        "s3-object-lock",
        "Every bucket is created with Object Lock and has a default retention (server access log destinations: "
        "without).",
        "stagecraft (CKV_AWS_143)",
        f"{S3_DOC}#s3-15",
        RELAXED,
        stack_check=_bucket_object_lock_enabled,
    ),
    Rule(
        "ecr-scan-on-push",
        "Repositories scan images on push.",
        "FSBP ECR.1",
        f"{ECR_DOC}#ecr-1",
        MANDATORY,
        types=(REPOSITORY,),
        check=_scan_on_push,
    ),
    Rule(
        "ecr-tag-immutability",
        "Repository tags are IMMUTABLE, or IMMUTABLE_WITH_EXCLUSION for named moving tags (no catch-all filter).",
        "FSBP ECR.2",
        f"{ECR_DOC}#ecr-2",
        MANDATORY,
        types=(REPOSITORY,),
        check=_tag_immutability,
    ),
    Rule(
        "ecr-lifecycle-policy",
        "Every repository has a lifecycle policy.",
        "FSBP ECR.3",
        f"{ECR_DOC}#ecr-3",
        MANDATORY,
        stack_check=_repo_lifecycle,
    ),
    Rule(
        "ecr-kms",
        "Repositories are encrypted with the stage's KMS key.",
        "ECR.5 (non-FSBP)",
        f"{ECR_DOC}#ecr-5",
        MANDATORY,
        types=(REPOSITORY,),
        check=_ecr_kms,
    ),
    Rule(
        "ecr-policy-not-public",
        "Repository policies grant nothing to principal * without a condition.",
        "stagecraft (CKV_AWS_32)",
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html",
        MANDATORY,
        types=(REPOSITORY_POLICY,),
        check=_public_policy,
    ),
    Rule(
        "kms-key-rotation",
        "KMS keys rotate automatically.",
        "KMS.4 (non-FSBP)",
        f"{KMS_DOC}#kms-4",
        MANDATORY,
        types=(KEY,),
        check=expect("enableKeyRotation", "true", is_true),
    ),
    Rule(
        "kms-key-not-public",
        "Key policies grant nothing to principal * without a condition.",
        "FSBP KMS.5",
        f"{KMS_DOC}#kms-5",
        MANDATORY,
        types=(KEY, KEY_POLICY),
        check=_public_policy,
    ),
    Rule(
        "log-retention",
        f"Log groups set retentionInDays to at least {MIN_LOG_RETENTION_DAYS} (unset never expires: unbounded cost).",
        "CloudWatch.16 (non-FSBP)",
        f"{CW_DOC}#cloudwatch-16",
        PRODUCTION_ONLY,
        types=(LOG_GROUP,),
        check=_log_retention,
    ),
    Rule(
        "log-kms",
        "Log groups are encrypted with the stage's KMS key.",
        "stagecraft (CKV_AWS_158)",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
        MANDATORY,
        types=(LOG_GROUP,),
        check=expect("kmsKeyId", "a KMS key ARN", bool),
    ),
)
