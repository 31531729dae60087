from __future__ import annotations

import json
from typing import Any

import pytest

from components.errors import ComponentInputError
from components.state_bucket import StateBucket, StateBucketArgs
from stagecraft.plan.inventory import Inventory
from tests.conftest import RunProgram

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc"
NAME = "stagecraft-state-123456789012-us-east-1"


def _run(run: RunProgram, **overrides: Any) -> Inventory:
    args = StateBucketArgs(**{"bucket_name": NAME, "kms_key_arn": KEY_ARN, **overrides})

    def program() -> None:
        StateBucket("state", args)

    return run(program)


def test_bucket_is_protected_private_encrypted_and_versioned(run: RunProgram) -> None:
    inv = _run(run)
    bucket = inv.one("aws:s3/bucket:Bucket", "state-bucket")
    assert bucket.inputs["bucket"] == NAME and bucket.inputs["forceDestroy"] is False
    assert bucket.protect and bucket.retain_on_delete
    # Only the bucket holds state: its configuration children can be replaced freely.
    assert [r.name for r in inv.resources if r.protect] == ["state-bucket"]
    assert inv.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"
    }
    pab = inv.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(
        pab[f] is True for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    sse = inv.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert sse.inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN},
            "bucketKeyEnabled": True,
        }
    ]
    versioning = inv.one("aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}


def test_policy_denies_plain_http_and_old_tls(run: RunProgram) -> None:
    inv = _run(run)
    policy = inv.one("aws:s3/bucketPolicy:BucketPolicy")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    resources = [f"arn:aws:s3:::{NAME}", f"arn:aws:s3:::{NAME}/*"]
    assert [(s["Effect"], s["Principal"], s["Action"], s["Resource"]) for s in statements] == [
        ("Deny", "*", "s3:*", resources)
    ] * 2
    assert [s["Condition"] for s in statements] == [
        {"Bool": {"aws:SecureTransport": "false"}},
        {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
    ]
    # The policy is put after the public access block, which would otherwise race it.
    pab = inv.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert pab.urn in policy.dependencies


def test_lifecycle_keeps_current_versions_and_expires_old_ones(run: RunProgram) -> None:
    inv = _run(run, noncurrent_version_days=30)
    lifecycle = inv.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    (rule,) = lifecycle.inputs["rules"]
    assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert "expiration" not in rule and "transitions" not in rule
    assert inv.one("aws:s3/bucketVersioning:BucketVersioning").urn in lifecycle.dependencies


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"bucket_name": "State_Bucket"},
            "StateBucket: bucket_name='State_Bucket' is invalid: s3-bucket 'State_Bucket' does not match the rule: "
            "lowercase letters, digits, '.' and '-', starting and ending with a letter or digit",
        ),
        (
            {"noncurrent_version_days": 0},
            "StateBucket: noncurrent_version_days=0 is invalid: 1 to 3650 days",
        ),
    ],
)
def test_invalid_args(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ComponentInputError) as exc:
        StateBucket("state", StateBucketArgs(**{"bucket_name": NAME, "kms_key_arn": KEY_ARN, **overrides}))
    assert str(exc.value) == message


def test_every_state_version_is_locked_for_the_retention_and_the_lock_fits_the_history(run: RunProgram) -> None:
    inv = _run(run)
    assert inv.one("aws:s3/bucket:Bucket").inputs["objectLockEnabled"] is True
    lock = inv.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock.inputs["rule"] == {"defaultRetention": {"mode": "GOVERNANCE", "days": 30}}
    assert inv.depends_on(lock.urn, inv.one("aws:s3/bucketVersioning:BucketVersioning").urn)
    # A lock longer than the history would keep versions past their lifecycle expiry.
    with pytest.raises(ComponentInputError) as caught:
        StateBucket("state", StateBucketArgs(bucket_name=NAME, kms_key_arn=KEY_ARN, noncurrent_version_days=10))
    assert caught.value.argument == "object_lock_days"
