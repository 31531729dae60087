"""The account's Pulumi state bucket (DIY S3 backend): versioned, SSE-KMS, TLS 1.2+ only, private, protected.

Uses the v7 standalone S3 resources, as ``components/backup_bucket.py`` does (provider-facts section 7).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.backup_bucket import ABORT_MULTIPART_DAYS, tls_only_policy
from components.errors import ComponentInputError
from components.naming import name_problems
from components.private_bucket import private_bucket

COMPONENT = "StateBucket"
MIN_TLS_VERSION = "1.2"
NONCURRENT_DAYS_MAX = 3650


@dataclass(frozen=True, kw_only=True)
class StateBucketArgs:
    """Inputs of :class:`StateBucket`."""

    bucket_name: str
    """Bucket name (S3 rules: 3-63 lowercase letters, digits, '.', '-')."""
    kms_key_arn: pulumi.Input[str]
    """The account's secrets key, for SSE-KMS with a bucket key."""
    noncurrent_version_days: int = 90
    """Days a replaced (noncurrent) version of a state file is kept; current versions never expire."""
    object_lock_days: int = 30
    """GOVERNANCE object-lock retention of every state version (1 to ``noncurrent_version_days``): no one
    without ``s3:BypassGovernanceRetention`` can delete or overwrite a version in that time."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the bucket."""
    protect: bool = True
    """Pulumi ``protect`` and ``retain_on_delete`` on the bucket: it holds every stack's state."""


class StateBucket(pulumi.ComponentResource):
    """A bucket that keeps every version of every state file for ``noncurrent_version_days``."""

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]

    def __init__(self, name: str, args: StateBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(args)
        super().__init__("stagecraft:bootstrap:StateBucket", name, None, opts)
        private = private_bucket(
            self,
            name,
            bucket_name=args.bucket_name,
            kms_key_arn=args.kms_key_arn,
            # Writes to a locked bucket must carry a checksum (Content-MD5 or x-amz-checksum-*,
            # https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html); the DIY backend's
            # `awssdk=v2` (AccountNames.backend_url) uses aws-sdk-go-v2, which sends one by default.
            object_lock_enabled=True,
            tags=args.tags,
            protect=args.protect,
        )
        bucket, versioning, public_access = private.bucket, private.versioning, private.public_access
        aws.s3.BucketObjectLockConfiguration(
            f"{name}-object-lock",
            bucket=bucket.id,
            object_lock_enabled="Enabled",
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode="GOVERNANCE", days=args.object_lock_days
                )
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=bucket.id,
            policy=bucket.arn.apply(lambda arn: json.dumps(state_bucket_policy(arn))),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="state-history",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    # No `expiration`: the current version of a state file is never removed.
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=args.noncurrent_version_days
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=ABORT_MULTIPART_DAYS
                    ),
                )
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})


def state_bucket_policy(bucket_arn: str) -> dict[str, Any]:
    """Deny requests without TLS (FSBP S3.5) and with TLS older than 1.2.

    https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html#example-object-tls-version
    """
    policy = tls_only_policy(bucket_arn)
    policy["Statement"].append(
        {
            "Sid": "DenyTlsBelow12",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn, f"{bucket_arn}/*"],
            "Condition": {"NumericLessThan": {"s3:TlsVersion": MIN_TLS_VERSION}},
        }
    )
    return policy


def _validate(args: StateBucketArgs) -> None:
    problems = name_problems("s3-bucket", args.bucket_name)
    if problems:
        raise ComponentInputError(COMPONENT, "bucket_name", args.bucket_name, "; ".join(problems))
    if not 1 <= args.noncurrent_version_days <= NONCURRENT_DAYS_MAX:
        raise ComponentInputError(
            COMPONENT, "noncurrent_version_days", args.noncurrent_version_days, f"1 to {NONCURRENT_DAYS_MAX} days"
        )
    if not 1 <= args.object_lock_days <= args.noncurrent_version_days:
        # A locked version outlives its lifecycle expiry otherwise: S3 keeps it until the lock ends.
        raise ComponentInputError(
            COMPONENT,
            "object_lock_days",
            args.object_lock_days,
            f"1 to noncurrent_version_days ({args.noncurrent_version_days})",
        )
