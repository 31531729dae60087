"""The baseline every Stagecraft bucket gets: what each bucket component's children must carry."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from components.access_log_bucket import AccessLogBucket, AccessLogBucketArgs
from components.backup_bucket import BackupBucket, BackupBucketArgs, BackupReplication
from components.private_bucket import SSE_KMS, SSE_S3
from components.state_bucket import StateBucket, StateBucketArgs
from stagecraft.plan.inventory import Inventory
from tests.conftest import RunProgram

BUCKET = "aws:s3/bucket:Bucket"
BASELINE = {
    "ownership": "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "public-access": "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "encryption": "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "versioning": "aws:s3/bucketVersioning:BucketVersioning",
}
KEY = "arn:aws:kms:us-east-1:123456789012:key/0000"


def _state() -> None:
    StateBucket("state", StateBucketArgs(bucket_name="stagecraft-state", kms_key_arn=KEY))


def _logs() -> None:
    AccessLogBucket(
        "logs",
        AccessLogBucketArgs(
            bucket_name="stagecraft-logs", source_bucket_arn="arn:aws:s3:::stagecraft-src", account_id="123456789012"
        ),
    )


def _backups() -> None:
    BackupBucket(
        "backups",
        BackupBucketArgs(
            bucket_name="stagecraft-backups",
            region="us-east-1",
            kms_key_arn=KEY,
            replication=BackupReplication(
                region="us-west-2",
                bucket_name="stagecraft-backups-replica",
                role_name="stagecraft-backup-replication",
                account_id="123456789012",
            ),
        ),
    )


@pytest.mark.parametrize(
    ("program", "sse"),
    [
        (_state, {"stagecraft-state": SSE_KMS}),
        (_logs, {"stagecraft-logs": SSE_S3}),
        (
            _backups,
            {"stagecraft-backups": SSE_KMS, "stagecraft-backups-replica": SSE_KMS, "stagecraft-backups-logs": SSE_S3},
        ),
    ],
    ids=["state", "access-logs", "backups"],
)
def test_every_bucket_is_private_versioned_and_encrypted(
    run: RunProgram, program: Callable[[], None], sse: dict[str, str]
) -> None:
    inv = run(program)
    buckets = inv.of_type(BUCKET)
    assert buckets
    for bucket in buckets:
        prefix = bucket.name.removesuffix("-bucket")
        assert bucket.protect is bucket.retain_on_delete
        assert bucket.inputs["forceDestroy"] is False
        for suffix, type_ in BASELINE.items():
            setting = inv.one(type_, f"{prefix}-{suffix}")
            assert setting.parent == bucket.parent, (prefix, suffix)
            assert setting.inputs.get("region") == bucket.inputs.get("region"), (prefix, suffix)
        block = inv.one(BASELINE["public-access"], f"{prefix}-public-access").inputs
        assert all(
            block[k] is True
            for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        )
        rule = inv.one(BASELINE["encryption"], f"{prefix}-encryption").inputs["rules"][0]
        algorithm = rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
        if sse is not None:
            assert algorithm == sse[bucket.inputs["bucket"]]
        # A bucket key only with KMS; SSE-S3 has none to cache.
        assert rule.get("bucketKeyEnabled", False) is (algorithm == SSE_KMS)


def test_a_replica_lives_in_its_region_with_all_its_settings(run: RunProgram) -> None:
    inv: Inventory = run(_backups)
    replica = inv.one(BUCKET, "backups-replica-bucket")
    assert replica.inputs["region"] == "us-west-2"
    for suffix, type_ in BASELINE.items():
        assert inv.one(type_, f"backups-replica-{suffix}").inputs["region"] == "us-west-2"
    assert "region" not in inv.one(BUCKET, "backups-bucket").inputs
