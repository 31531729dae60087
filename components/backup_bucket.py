"""The stage's S3 backup bucket: private, KMS-encrypted, versioned, TLS 1.2+ only, aged out, access-logged,
optionally locked and replicated to a second region. Uses the v7 standalone bucket resources (provider-facts
section 7)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.access_log_bucket import AccessLogBucket, AccessLogBucketArgs
from components.errors import ComponentInputError
from components.iam import account_of, service_trust, tls_statements
from components.naming import name_problems
from components.private_bucket import private_bucket
from components.stage_key import key_policy

COMPONENT = "BackupBucket"
ARCHIVE_CLASSES = (
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
)
_IA_CLASSES = ("STANDARD_IA", "ONEZONE_IA")  # S3 refuses transitions to these before day 30
ABORT_MULTIPART_DAYS = 7


@dataclass(frozen=True, kw_only=True)
class BackupObjectLock:
    """Default object-lock retention for new objects (WORM)."""

    mode: str = "GOVERNANCE"
    """``GOVERNANCE`` (privileged users may lift it) or ``COMPLIANCE`` (nobody can, not even root)."""
    days: int = 14
    """Default retention in days (1 to the bucket's ``retention_days``)."""


@dataclass(frozen=True, kw_only=True)
class BackupReplication:
    """Cross-region replica: a second bucket with its own KMS key in ``region``."""

    region: str
    """Destination region, different from the primary's."""
    bucket_name: str
    """Destination bucket name."""
    account_id: pulumi.Input[str]
    """Account of both buckets (the replica key's administrator)."""
    role_name: str
    """Name of the IAM role S3 replicates as (IAM rules: at most 64 characters). Named, not auto-named: the
    auto-name (logical name + 8 characters) of a long stage's role overflows IAM's 64."""


@dataclass(frozen=True, kw_only=True)
class BackupBucketArgs:
    """Inputs of :class:`BackupBucket`."""

    bucket_name: str
    """Bucket name (S3 rules: 3-63 lowercase letters, digits, '.', '-')."""
    region: str
    """The primary region (the provider's); only used to check the replica is elsewhere."""
    kms_key_arn: pulumi.Input[str]
    """The stage key, for SSE-KMS with a bucket key."""
    transition_days: int = 30
    """Days after creation when objects move to ``transition_storage_class`` (below ``retention_days``)."""
    transition_storage_class: str = "GLACIER_IR"
    """Archive class: one of :data:`ARCHIVE_CLASSES`."""
    retention_days: int = 365
    """Days after creation when objects expire (become noncurrent)."""
    noncurrent_days: int = 30
    """Days a noncurrent version is kept before it is deleted."""
    object_lock: BackupObjectLock | None = None
    """Object-lock default retention; when set, the bucket is created lock-enabled (not added later)."""
    replication: BackupReplication | None = None
    """Cross-region replica, off by default."""
    access_logging: bool = True
    """S3 server access logging (FSBP S3.9) into a log bucket this component creates, ``<bucket_name>-logs``
    (or ``access_log_bucket_name``)."""
    access_log_bucket_name: str | None = None
    """Name of the log bucket; default ``<bucket_name>-logs`` (so ``bucket_name`` must leave room for it)."""
    access_log_retention_days: int = 365
    """Days after which access-log objects expire."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child."""
    protect: bool = False
    """Pulumi ``protect`` and ``retain_on_delete`` on the bucket(s)."""


class BackupBucket(pulumi.ComponentResource):
    """A hardened backup bucket, optionally object-locked and replicated to another region."""

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]

    def __init__(self, name: str, args: BackupBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(args)
        super().__init__("stagecraft:data:BackupBucket", name, None, opts)
        locked = args.object_lock is not None

        bucket, versioning = self._bucket(name, args.bucket_name, args.kms_key_arn, locked, args, None)
        if args.access_logging:
            self._access_logs(name, args, bucket)
        if args.object_lock is not None:
            self._object_lock(name, args.object_lock, bucket, versioning, None)
        if args.replication is not None:
            self._replicate(name, args, args.replication, bucket, versioning)

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})

    def _bucket(
        self,
        prefix: str,
        bucket_name: str,
        key_arn: pulumi.Input[str],
        locked: bool,
        args: BackupBucketArgs,
        region: str | None,
    ) -> tuple[aws.s3.Bucket, aws.s3.BucketVersioning]:
        """A bucket with ownership, public access block, SSE-KMS, versioning, TLS-only policy, lifecycle."""
        private = private_bucket(
            self,
            prefix,
            bucket_name=bucket_name,
            kms_key_arn=key_arn,
            object_lock_enabled=locked,
            tags=args.tags,
            protect=args.protect,
            region=region,
        )
        bucket, versioning, public_access = private.bucket, private.versioning, private.public_access
        aws.s3.BucketPolicy(
            f"{prefix}-tls-only",
            bucket=bucket.id,
            policy=bucket.arn.apply(lambda arn: json.dumps(backup_bucket_policy(arn))),
            region=region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{prefix}-lifecycle",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="backups",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    transitions=[
                        aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                            days=args.transition_days, storage_class=args.transition_storage_class
                        )
                    ],
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.retention_days),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=args.noncurrent_days
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=ABORT_MULTIPART_DAYS
                    ),
                )
            ],
            region=region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        return bucket, versioning

    def _access_logs(self, name: str, args: BackupBucketArgs, source: aws.s3.Bucket) -> None:
        """Server access logs of ``source`` into an :class:`AccessLogBucket` (FSBP S3.9)."""
        log_name = access_log_bucket_name(args)
        logs = AccessLogBucket(
            f"{name}-access-logs",
            AccessLogBucketArgs(
                bucket_name=log_name,
                source_bucket_arn=source.arn,
                account_id=account_of(args.kms_key_arn),
                retention_days=args.access_log_retention_days,
                noncurrent_days=args.noncurrent_days,
                tags=args.tags,
                protect=args.protect,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.s3.BucketLogging(
            f"{name}-access-logging",
            bucket=source.id,
            # The literal name (known in a preview) rather than the bucket's id output.
            target_bucket=log_name,
            target_prefix=f"{args.bucket_name}/",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs]),
        )

    def _object_lock(
        self,
        prefix: str,
        lock: BackupObjectLock,
        bucket: aws.s3.Bucket,
        versioning: aws.s3.BucketVersioning,
        region: str | None,
    ) -> None:
        """The default retention of new objects in ``bucket`` (which was created lock-enabled)."""
        aws.s3.BucketObjectLockConfiguration(
            f"{prefix}-object-lock",
            bucket=bucket.id,
            object_lock_enabled="Enabled",
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode=lock.mode, days=lock.days
                )
            ),
            region=region,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )

    def _replicate(
        self,
        name: str,
        args: BackupBucketArgs,
        replication: BackupReplication,
        source: aws.s3.Bucket,
        source_versioning: aws.s3.BucketVersioning,
    ) -> None:
        tags = dict(args.tags)
        key = aws.kms.Key(
            f"{name}-replica-key",
            description=f"Replica of backup bucket {args.bucket_name}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.from_input(replication.account_id).apply(
                lambda account: json.dumps(key_policy(account, replication.region, autoscaling=False))
            ),
            region=replication.region,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect),
        )
        replica, replica_versioning = self._bucket(
            f"{name}-replica",
            replication.bucket_name,
            key.arn,
            args.object_lock is not None,  # S3 replicates locked objects only into lock-enabled buckets
            args,
            replication.region,
        )
        if args.object_lock is not None:
            # The same default retention as the primary. Replicated versions keep the retention S3 gave them in
            # the primary; the default locks what is written to the replica directly (backups after a failover
            # to the replica's region), so the copy meant to survive the primary is just as hard to delete.
            # https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html#object-lock-managing-replication
            self._object_lock(f"{name}-replica", args.object_lock, replica, replica_versioning, replication.region)
        # S3 assumes the role on behalf of the source bucket: pin the account and the bucket (confused deputy).
        trust = pulumi.Output.all(replication.account_id, source.arn).apply(
            lambda a: service_trust("s3.amazonaws.com", {"ArnLike": {"aws:SourceArn": str(a[1])}}, account_id=str(a[0]))
        )
        role = aws.iam.Role(
            f"{name}-replication",
            name=replication.role_name,
            assume_role_policy=trust,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(
            f"{name}-replication",
            role=role.id,
            policy=pulumi.Output.all(source.arn, replica.arn, args.kms_key_arn, key.arn).apply(
                lambda a: json.dumps(replication_policy(str(a[0]), str(a[1]), str(a[2]), str(a[3])))
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.s3.BucketReplicationConfig(
            f"{name}-replication",
            bucket=source.id,
            role=role.arn,
            rules=[
                aws.s3.BucketReplicationConfigRuleArgs(
                    id="replicate-all",
                    status="Enabled",
                    filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
                    delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                        status="Enabled"
                    ),
                    source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                        sse_kms_encrypted_objects=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                            status="Enabled"
                        )
                    ),
                    destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                        bucket=replica.arn,
                        encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                            replica_kms_key_id=key.arn
                        ),
                    ),
                )
            ],
            # Both buckets must be versioned before replication can be configured (resource docs).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[source_versioning, replica_versioning]),
        )


def tls_only_policy(bucket_arn: str) -> dict[str, Any]:
    """Deny every request that does not use TLS (FSBP S3.5); the first statement of :func:`backup_bucket_policy`."""
    return {"Version": "2012-10-17", "Statement": tls_statements(bucket_arn)[:1]}


def backup_bucket_policy(bucket_arn: str) -> dict[str, Any]:
    """The backup and replica buckets' policy: TLS, version 1.2 or later, only."""
    return {"Version": "2012-10-17", "Statement": tls_statements(bucket_arn)}


def access_log_bucket_name(args: BackupBucketArgs) -> str:
    """The log bucket's name: ``access_log_bucket_name`` or ``<bucket_name>-logs``."""
    return args.access_log_bucket_name or f"{args.bucket_name}-logs"


def replication_policy(source: str, replica: str, source_key: str, replica_key: str) -> dict[str, Any]:
    """Least privilege for S3 replication of SSE-KMS objects from ``source`` to ``replica``."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                "Resource": source,
            },
            {
                "Effect": "Allow",
                "Action": [
                    "s3:GetObjectVersionForReplication",
                    "s3:GetObjectVersionAcl",
                    "s3:GetObjectVersionTagging",
                    "s3:GetObjectRetention",
                    "s3:GetObjectLegalHold",
                ],
                "Resource": f"{source}/*",
            },
            {
                "Effect": "Allow",
                "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                "Resource": f"{replica}/*",
            },
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": source_key},
            {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:GenerateDataKey"], "Resource": replica_key},
        ],
    }


def _fail(argument: str, value: object, allowed: str) -> ComponentInputError:
    return ComponentInputError(COMPONENT, argument, value, allowed)


def _validate(args: BackupBucketArgs) -> None:
    names = [("bucket_name", args.bucket_name)]
    if args.access_logging:
        argument = "access_log_bucket_name" if args.access_log_bucket_name else "bucket_name"
        log_name = access_log_bucket_name(args)
        problems = name_problems("s3-bucket", log_name)
        if problems:
            shown = args.access_log_bucket_name or args.bucket_name
            raise _fail(argument, shown, f"a name whose log bucket {log_name!r} is valid: " + "; ".join(problems))
        if log_name in (args.bucket_name, args.replication.bucket_name if args.replication else None):
            raise _fail("access_log_bucket_name", log_name, "a name other than the backup and replica buckets'")
        if args.access_log_retention_days < 1:
            raise _fail("access_log_retention_days", args.access_log_retention_days, "at least 1 day")
    if args.replication is not None:
        names.append(("replication.bucket_name", args.replication.bucket_name))
    for argument, value in names:
        problems = name_problems("s3-bucket", value)
        if problems:
            raise _fail(argument, value, "; ".join(problems))
    if args.transition_storage_class not in ARCHIVE_CLASSES:
        raise _fail("transition_storage_class", args.transition_storage_class, f"one of {', '.join(ARCHIVE_CLASSES)}")
    minimum = 30 if args.transition_storage_class in _IA_CLASSES else 1
    if args.transition_days < minimum:
        raise _fail("transition_days", args.transition_days, f"at least {minimum} for {args.transition_storage_class}")
    if args.retention_days <= args.transition_days:
        raise _fail(
            "retention_days",
            args.retention_days,
            f"more than transition_days ({args.transition_days}): objects are archived before they expire",
        )
    if args.noncurrent_days < 1:
        raise _fail("noncurrent_days", args.noncurrent_days, "at least 1 day")
    lock = args.object_lock
    if lock is not None:
        if lock.mode not in ("GOVERNANCE", "COMPLIANCE"):
            raise _fail("object_lock.mode", lock.mode, "GOVERNANCE or COMPLIANCE")
        if not 1 <= lock.days <= args.retention_days:
            raise _fail("object_lock.days", lock.days, f"1 to retention_days ({args.retention_days})")
    if args.replication is not None:
        if args.replication.region == args.region:
            raise _fail("replication.region", args.replication.region, f"a region other than {args.region}")
        if args.replication.bucket_name == args.bucket_name:
            raise _fail("replication.bucket_name", args.replication.bucket_name, "a name other than bucket_name")
        role_problems = name_problems("iam-role", args.replication.role_name)
        if role_problems:
            raise _fail("replication.role_name", args.replication.role_name, "; ".join(role_problems))
