"""The private, versioned, encrypted S3 bucket every Stagecraft bucket starts from.

Not a component of its own: :func:`private_bucket` creates the bucket and its four baseline settings as children
of the component that calls it (``StateBucket``, ``BackupBucket``, ``AccessLogBucket``), which adds its own
policy, lifecycle and locks. The logical names (``<prefix>-bucket``, ``-ownership``, ``-public-access``,
``-encryption``, ``-versioning``) are part of every deployed stage's URNs: they must not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

SSE_S3 = "AES256"
SSE_KMS = "aws:kms"


@dataclass(frozen=True)
class PrivateBucket:
    """What a caller needs to attach the rest: the bucket, and the settings its policy and lifecycle wait for."""

    bucket: aws.s3.Bucket
    versioning: aws.s3.BucketVersioning
    """Lifecycle rules and Object Lock configuration depend on it (S3 refuses them on an unversioned bucket)."""
    public_access: aws.s3.BucketPublicAccessBlock
    """Bucket policies depend on it, so a policy is never in place before the block."""


def private_bucket(
    owner: pulumi.Resource,
    prefix: str,
    *,
    bucket_name: str,
    kms_key_arn: pulumi.Input[str] | None,
    object_lock_enabled: bool,
    tags: Mapping[str, str],
    protect: bool,
    region: str | None = None,
) -> PrivateBucket:
    """Create the bucket ``bucket_name`` under ``owner``: ACLs off, public access blocked, versioned, encrypted.

    ``kms_key_arn`` encrypts with SSE-KMS and an S3 Bucket Key; ``None`` means SSE-S3, for buckets that AWS
    services write into without KMS access (S3 server access logs). ``protect`` sets Pulumi ``protect`` and
    ``retain_on_delete`` on the bucket itself. ``region`` places every resource in another region than the
    provider's (a replica); ``None`` leaves it to the provider.
    """
    child = pulumi.ResourceOptions(parent=owner)
    bucket = aws.s3.Bucket(
        f"{prefix}-bucket",
        bucket=bucket_name,
        # Object Lock can only be turned on at creation.
        object_lock_enabled=object_lock_enabled,
        force_destroy=False,
        region=region,
        tags=dict(tags),
        opts=pulumi.ResourceOptions(parent=owner, protect=protect, retain_on_delete=protect),
    )
    aws.s3.BucketOwnershipControls(
        f"{prefix}-ownership",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        region=region,
        opts=child,
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        f"{prefix}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        region=region,
        opts=child,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{prefix}-encryption",
        bucket=bucket.id,
        rules=[_encryption_rule(kms_key_arn)],
        region=region,
        opts=child,
    )
    versioning = aws.s3.BucketVersioning(
        f"{prefix}-versioning",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
        region=region,
        opts=child,
    )
    return PrivateBucket(bucket=bucket, versioning=versioning, public_access=public_access)


def _encryption_rule(kms_key_arn: pulumi.Input[str] | None) -> aws.s3.BucketServerSideEncryptionConfigurationRuleArgs:
    default_args = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs
    if kms_key_arn is None:
        return aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=default_args(sse_algorithm=SSE_S3)
        )
    return aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=default_args(sse_algorithm=SSE_KMS, kms_master_key_id=kms_key_arn),
        bucket_key_enabled=True,
    )
