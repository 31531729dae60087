"""A bucket for S3 server access logs (FSBP S3.9): private, SSE-S3, versioned, TLS 1.2+ only, aged out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.iam import tls_statements
from components.naming import name_problems
from components.private_bucket import private_bucket

COMPONENT = "AccessLogBucket"
ABORT_MULTIPART_DAYS = 7


@dataclass(frozen=True, kw_only=True)
class AccessLogBucketArgs:
    """Inputs of :class:`AccessLogBucket`."""

    bucket_name: str
    """Name of the log bucket (S3 rules), in the source bucket's region."""
    source_bucket_arn: pulumi.Input[str]
    """The bucket whose server access logs land here; S3's logging service may write for it only."""
    account_id: pulumi.Input[str]
    """The account of the source bucket (``aws:SourceAccount`` of the logging service's writes)."""
    retention_days: int = 365
    """Days after which log objects expire."""
    noncurrent_days: int = 30
    """Days a noncurrent log version is kept."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the bucket."""
    protect: bool = False
    """Pulumi ``protect`` and ``retain_on_delete`` on the bucket."""


class AccessLogBucket(pulumi.ComponentResource):
    """The destination of S3 server access logs.

    SSE-S3, not the stage key, and no Object Lock: S3 server access logging cannot deliver into a bucket whose
    default encryption is SSE-KMS, nor into an Object Lock bucket
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html,
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshooting-server-access-logging.html).
    ACLs are off (BucketOwnerEnforced), so the logging service writes through the bucket policy.
    """

    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AccessLogBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(args)
        super().__init__("stagecraft:data:AccessLogBucket", name, None, opts)
        private = private_bucket(
            self,
            name,
            bucket_name=args.bucket_name,
            kms_key_arn=None,  # S3 server access logging cannot deliver into an SSE-KMS bucket
            object_lock_enabled=False,
            tags=args.tags,
            protect=args.protect,
        )
        bucket, versioning, public_access = private.bucket, private.versioning, private.public_access
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="access-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.retention_days),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=args.noncurrent_days
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=ABORT_MULTIPART_DAYS
                    ),
                )
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning]),
        )
        aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=bucket.id,
            policy=pulumi.Output.all(bucket.arn, args.source_bucket_arn, args.account_id).apply(
                lambda a: json.dumps(access_log_policy(str(a[0]), str(a[1]), str(a[2])))
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )

        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn})


def access_log_policy(log_bucket_arn: str, source_bucket_arn: str, account_id: str) -> dict[str, Any]:
    """TLS 1.2+ only, and S3 server access logging may write for ``source_bucket_arn`` of ``account_id`` only
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general)."""
    delivery = {
        "Sid": "S3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{log_bucket_arn}/*",
        "Condition": {
            "ArnLike": {"aws:SourceArn": source_bucket_arn},
            "StringEquals": {"aws:SourceAccount": account_id},
        },
    }
    return {"Version": "2012-10-17", "Statement": [*tls_statements(log_bucket_arn), delivery]}


def _validate(args: AccessLogBucketArgs) -> None:
    problems = name_problems("s3-bucket", args.bucket_name)
    if problems:
        raise ComponentInputError(COMPONENT, "bucket_name", args.bucket_name, "; ".join(problems))
    if args.retention_days < 1:
        raise ComponentInputError(COMPONENT, "retention_days", args.retention_days, "at least 1 day")
    if args.noncurrent_days < 1:
        raise ComponentInputError(COMPONENT, "noncurrent_days", args.noncurrent_days, "at least 1 day")
