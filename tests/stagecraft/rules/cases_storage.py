"""Compliant and non-compliant inventories for the S3, ECR, KMS and CloudWatch Logs rules."""

from __future__ import annotations

from typing import Any

from stagecraft.plan.inventory import RecordedResource
from stagecraft.rules.storage import (
    BUCKET,
    BUCKET_POLICY,
    KEY,
    LIFECYCLE_POLICY,
    LOG_GROUP,
    REPOSITORY,
    REPOSITORY_POLICY,
)
from tests.stagecraft.rules.builders import Case, one, policy, res

bucket = res(BUCKET, "stg-backups", {"objectLockEnabled": True})
B = f"{BUCKET} stg-backups: "
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
TLS = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
ALL_ON = {
    "blockPublicAcls": True,
    "blockPublicPolicy": True,
    "ignorePublicAcls": True,
    "restrictPublicBuckets": True,
}


def sub(type_: str, inputs: dict[str, Any], target: RecordedResource = bucket) -> RecordedResource:
    """A bucket sub-resource pointing at ``target``."""
    return res(type_, f"stg-backups-{type_.rsplit(':', 1)[-1].lower()}", {"bucket": "b", **inputs}, deps=(target,))


def _bucket_cases(
    rule: str, type_: str, good: dict[str, Any], bad: dict[str, Any], message: str, what: str
) -> list[Case]:
    bad_resource = sub(type_, bad)
    return [
        Case(rule, "compliant", (bucket, sub(type_, good))),
        Case(rule, "missing", (bucket,), (B + f"no {type_} ({what})",)),
        Case(rule, "wrong", (bucket, bad_resource), (f"{type_} {bad_resource.name}: {message}",)),
    ]


lock_ok = {"rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 30}}}
repo = res(REPOSITORY, "stg-app", {"name": "stg-app"})
KMS = {"encryptionType": "KMS", "kmsKey": "arn:aws:kms:us-east-1:123456789012:key/k"}
PUBLIC = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["ecr:BatchGetImage"]}
ORG_ONLY = {**PUBLIC, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}

CASES = [
    *_bucket_cases(
        "s3-public-access-block",
        PAB,
        ALL_ON,
        {**ALL_ON, "restrictPublicBuckets": False, "ignorePublicAcls": None},
        "ignorePublicAcls, restrictPublicBuckets not true; all four required",
        "all four settings true",
    ),
    *_bucket_cases(
        "s3-tls-only",
        BUCKET_POLICY,
        {"policy": policy(TLS)},
        {"policy": policy({**TLS, "Condition": {}})},
        "policy has no Deny on aws:SecureTransport false; a TLS-only statement required",
        "a TLS-only policy",
    ),
    *_bucket_cases(
        "s3-ownership-enforced",
        OWNERSHIP,
        {"rule": {"objectOwnership": "BucketOwnerEnforced"}},
        {"rule": {"objectOwnership": "ObjectWriter"}},
        "objectOwnership is ObjectWriter; BucketOwnerEnforced required",
        "BucketOwnerEnforced",
    ),
    *_bucket_cases(
        "s3-lifecycle",
        LIFECYCLE,
        {"rules": [{"id": "expire", "status": "Enabled"}]},
        {"rules": [{"id": "expire", "status": "Disabled"}]},
        "rules has no Enabled rule; at least one required",
        "an enabled rule",
    ),
    *_bucket_cases(
        "s3-sse-kms",
        SSE,
        {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "k"}}]},
        {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]},
        "sseAlgorithm is AES256; aws:kms required",
        "SSE with aws:kms",
    ),
    Case(
        "s3-sse-kms",
        "no-key",
        (bucket, sub(SSE, {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]})),
        (
            f"{SSE} stg-backups-bucketserversideencryptionconfiguration: kmsMasterKeyId is unset; "
            "the stage's KMS key required",
        ),
    ),
    *_bucket_cases(
        "s3-versioning",
        VERSIONING,
        {"versioningConfiguration": {"status": "Enabled"}},
        {"versioningConfiguration": {"status": "Suspended"}},
        "versioningConfiguration.status is Suspended; Enabled required",
        "status Enabled",
    ),
    Case("s3-object-lock", "compliant", (bucket, sub(LOCK, lock_ok))),
    Case(
        "s3-object-lock",
        "no-lock",
        (res(BUCKET, "stg-backups", {}), sub(LOCK, {"rule": {}}, res(BUCKET, "stg-backups", {}))),
        (
            B + "objectLockEnabled is unset; true required",
            f"{LOCK} stg-backups-bucketobjectlockconfiguration: rule.defaultRetention is unset; "
            "a mode and days or years required",
        ),
    ),
    Case("s3-object-lock", "no-config", (bucket,), (B + f"no {LOCK} (a default retention)",)),
    one("s3-policy-no-public-grant", "tls", res(BUCKET_POLICY, "p", {"policy": policy(TLS)})),
    one(
        "s3-policy-no-public-grant",
        "public-read",
        res(BUCKET_POLICY, "p", {"policy": policy({**PUBLIC, "Action": "s3:GetObject"})}),
        "policy allows [s3:GetObject] to principal *; no public grants allowed",
    ),
    one("s3-policy-no-admin-grant", "tls", res(BUCKET_POLICY, "p", {"policy": policy(TLS)})),
    one(
        "s3-policy-no-admin-grant",
        "put-policy",
        res(
            BUCKET_POLICY,
            "p",
            {
                "policy": policy(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                        "Action": ["s3:PutBucketPolicy", "s3:GetObject"],
                    }
                )
            },
        ),
        "policy allows [s3:PutBucketPolicy]; bucket policies must not grant policy, ACL or encryption changes",
    ),
    one("ecr-scan-on-push", "on", res(REPOSITORY, "r", {"imageScanningConfiguration": {"scanOnPush": True}})),
    one(
        "ecr-scan-on-push",
        "unset",
        res(REPOSITORY, "r", {}),
        "imageScanningConfiguration.scanOnPush is unset; true required",
    ),
    one("ecr-tag-immutability", "immutable", res(REPOSITORY, "r", {"imageTagMutability": "IMMUTABLE"})),
    one(
        "ecr-tag-immutability",
        "mutable",
        res(REPOSITORY, "r", {"imageTagMutability": "MUTABLE"}),
        "imageTagMutability is MUTABLE; IMMUTABLE or IMMUTABLE_WITH_EXCLUSION required",
    ),
    one(
        "ecr-tag-immutability",
        "moving-tags-excluded",
        res(
            REPOSITORY,
            "r",
            {
                "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
                "imageTagMutabilityExclusionFilters": [
                    {"filter": "latest", "filterType": "WILDCARD"},
                    {"filter": "staging-latest", "filterType": "WILDCARD"},
                ],
            },
        ),
    ),
    one(
        "ecr-tag-immutability",
        "catch-all-exclusion",
        res(
            REPOSITORY,
            "r",
            {
                "imageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
                "imageTagMutabilityExclusionFilters": [{"filter": "*", "filterType": "WILDCARD"}],
            },
        ),
        "imageTagMutabilityExclusionFilters is [*]; named moving tags (no catch-all '*') required",
    ),
    Case(
        "ecr-lifecycle-policy",
        "attached",
        (repo, res(LIFECYCLE_POLICY, "lp", {"repository": "stg-app"}, deps=(repo,))),
    ),
    Case("ecr-lifecycle-policy", "by-name", (repo, res(LIFECYCLE_POLICY, "lp", {"repository": "stg-app"}))),
    Case(
        "ecr-lifecycle-policy",
        "missing",
        (repo, res(LIFECYCLE_POLICY, "lp", {"repository": "other"})),
        (f"{REPOSITORY} stg-app: no {LIFECYCLE_POLICY}",),
    ),
    one("ecr-kms", "kms", res(REPOSITORY, "r", {"encryptionConfigurations": [KMS]})),
    one(
        "ecr-kms",
        "aes",
        res(REPOSITORY, "r", {"encryptionConfigurations": [{"encryptionType": "AES256"}]}),
        "encryptionConfigurations.encryptionType is AES256; KMS required",
    ),
    one(
        "ecr-kms",
        "no-key",
        res(REPOSITORY, "r", {"encryptionConfigurations": [{"encryptionType": "KMS"}]}),
        "encryptionConfigurations.kmsKey is unset; the stage's KMS key required",
    ),
    one("ecr-policy-not-public", "org", res(REPOSITORY_POLICY, "p", {"policy": policy(ORG_ONLY)})),
    one(
        "ecr-policy-not-public",
        "public",
        res(REPOSITORY_POLICY, "p", {"policy": policy(PUBLIC)}),
        "policy allows [ecr:BatchGetImage] to principal *; no public grants allowed",
    ),
    one("kms-key-rotation", "on", res(KEY, "k", {"enableKeyRotation": True})),
    one("kms-key-rotation", "unset", res(KEY, "k", {}), "enableKeyRotation is unset; true required"),
    one(
        "kms-key-not-public",
        "account",
        res(
            KEY,
            "k",
            {
                "policy": policy(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    }
                )
            },
        ),
    ),
    one(
        "kms-key-not-public",
        "star",
        res(
            KEY,
            "k",
            {"policy": policy({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"})},
        ),
        "policy allows [kms:Decrypt] to principal *; no public grants allowed",
    ),
    one("log-retention", "365", res(LOG_GROUP, "l", {"retentionInDays": 365})),
    one(
        "log-retention",
        "30",
        res(LOG_GROUP, "l", {"retentionInDays": 30}),
        "retentionInDays is 30; at least 365 days required",
    ),
    one(
        "log-retention",
        "unset",
        res(LOG_GROUP, "l", {}),
        "retentionInDays is unset; at least 365 days required",
    ),
    one("log-kms", "key", res(LOG_GROUP, "l", {"kmsKeyId": "arn:k"})),
    one("log-kms", "none", res(LOG_GROUP, "l", {}), "kmsKeyId is unset; a KMS key ARN required"),
]

# A server access log destination (named by a bucket-logging configuration's targetBucket): S3 delivers logs only
# into SSE-S3 buckets without Object Lock, so those rules judge it by that.
LOGGING = "aws:s3/bucketLogging:BucketLogging"
log_bucket = res(BUCKET, "stg-logs", {"bucket": "stg-logs-bucket", "objectLockEnabled": False})
locked_log_bucket = res(BUCKET, "stg-logs", {"bucket": "stg-logs-bucket", "objectLockEnabled": True})
logging_to = res(LOGGING, "stg-access-logging", {"bucket": "b", "targetBucket": "stg-logs-bucket"}, deps=(bucket,))
L = f"{BUCKET} stg-logs: "


def _log_sse(algorithm: str) -> RecordedResource:
    inputs = {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm, "kmsMasterKeyId": "k"}}]}
    return res(SSE, "stg-logs-encryption", {"bucket": "stg-logs-bucket", **inputs}, deps=(log_bucket,))


LOG_TARGET_CASES = [
    Case("s3-sse-kms", "log-destination-sse-s3", (log_bucket, logging_to, _log_sse("AES256"))),
    Case(
        "s3-sse-kms",
        "log-destination-sse-kms",
        (log_bucket, logging_to, _log_sse("aws:kms")),
        (
            f"{SSE} stg-logs-encryption: sseAlgorithm is aws:kms; AES256 required (server access logs cannot be "
            "delivered to SSE-KMS)",
        ),
    ),
    Case("s3-object-lock", "log-destination-unlocked", (log_bucket, logging_to)),
    Case(
        "s3-object-lock",
        "log-destination-locked",
        (locked_log_bucket, logging_to),
        (
            L + "objectLockEnabled is true on a server access log destination; false required (S3 does not "
            "deliver logs into Object Lock buckets)",
        ),
    ),
]
CASES += LOG_TARGET_CASES
