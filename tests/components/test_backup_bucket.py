from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from components.backup_bucket import BackupBucket, BackupBucketArgs, BackupObjectLock, BackupReplication
from components.errors import ComponentInputError
from tests.conftest import RunProgram

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc"
BUCKET = "aws:s3/bucket:Bucket"


def _args(**overrides: Any) -> BackupBucketArgs:
    base: dict[str, Any] = {
        "bucket_name": "stagecraft-staging-backups",
        "region": "us-east-1",
        "kms_key_arn": KEY_ARN,
        "tags": {"stage": "staging"},
        "access_logging": False,  # its own tests below; here one bucket of each type
    }
    base.update(overrides)
    return BackupBucketArgs(**base)


def _program(args: BackupBucketArgs) -> Callable[[], None]:
    def program() -> None:
        BackupBucket("backups", args)

    return program


REPLICA = BackupReplication(
    region="eu-central-1",
    bucket_name="stagecraft-prod-backups-replica",
    account_id="123456789012",
    role_name="stagecraft-prod-backup-replication",
)


def test_bucket_is_private_encrypted_versioned_and_tls_only(run: RunProgram) -> None:
    inv = run(_program(_args()))
    bucket = inv.one(BUCKET, "backups-bucket")
    assert bucket.inputs["bucket"] == "stagecraft-staging-backups"
    assert bucket.inputs["forceDestroy"] is False and bucket.inputs["objectLockEnabled"] is False
    assert bucket.inputs["tags"] == {"stage": "staging"}
    assert not bucket.protect
    for deprecated in ("versioning", "serverSideEncryptionConfiguration", "lifecycleRules", "policy"):
        assert deprecated not in bucket.inputs
    own = inv.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs
    assert own["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    pab = inv.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(pab.inputs[f] is True for f in flags)
    sse = inv.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    assert sse.inputs["rules"] == [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN},
            "bucketKeyEnabled": True,
        }
    ]
    versioning = inv.one("aws:s3/bucketVersioning:BucketVersioning").inputs
    assert versioning["versioningConfiguration"] == {"status": "Enabled"}
    policy = inv.one("aws:s3/bucketPolicy:BucketPolicy")
    assert inv.depends_on(policy.urn, pab.urn)
    plain, old_tls = json.loads(policy.inputs["policy"])["Statement"]
    arn = "arn:aws:s3:::stagecraft-staging-backups"
    for statement in (plain, old_tls):
        assert statement["Effect"] == "Deny" and statement["Principal"] == "*" and statement["Action"] == "s3:*"
        assert statement["Resource"] == [arn, f"{arn}/*"]
    assert plain["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert old_tls["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}
    assert not inv.of_type("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert not inv.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")


def test_lifecycle_archives_expires_and_aborts_uploads(run: RunProgram) -> None:
    inv = run(_program(_args(transition_days=14, transition_storage_class="DEEP_ARCHIVE", retention_days=90)))
    (rule,) = inv.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}
    assert rule["transitions"] == [{"days": 14, "storageClass": "DEEP_ARCHIVE"}]
    assert rule["expiration"] == {"days": 90}
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}


def test_production_like_object_lock_and_protect(run: RunProgram) -> None:
    lock = BackupObjectLock(mode="COMPLIANCE", days=30)
    inv = run(_program(_args(object_lock=lock, protect=True)))
    bucket = inv.one(BUCKET)
    assert bucket.inputs["objectLockEnabled"] is True
    assert bucket.protect and bucket.retain_on_delete
    lock_cfg = inv.one("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").inputs
    assert lock_cfg["objectLockEnabled"] == "Enabled"
    assert lock_cfg["rule"] == {"defaultRetention": {"mode": "COMPLIANCE", "days": 30}}


def test_replication_to_another_region_with_its_own_key(run: RunProgram) -> None:
    inv = run(_program(_args(replication=REPLICA, object_lock=BackupObjectLock())))
    replica = inv.one(BUCKET, "backups-replica-bucket")
    assert replica.inputs["region"] == "eu-central-1" and replica.inputs["objectLockEnabled"] is True
    assert "region" not in inv.one(BUCKET, "backups-bucket").inputs
    key = inv.one("aws:kms/key:Key", "backups-replica-key")
    assert key.inputs["region"] == "eu-central-1" and key.inputs["enableKeyRotation"] is True
    key_statements = json.loads(key.inputs["policy"])["Statement"]
    assert {"Service": "logs.eu-central-1.amazonaws.com"} in [s["Principal"] for s in key_statements]
    # no principal "*", and no Auto Scaling role on a key that encrypts no volumes
    assert all(s["Principal"] != {"AWS": "*"} and "AutoScaling" not in s["Sid"] for s in key_statements)
    replica_children = [
        r for r in inv.resources if r.name.startswith("backups-replica-") and r.type.startswith("aws:s3/")
    ]
    # bucket, ownership, public access, encryption, versioning, policy, lifecycle, object lock
    assert len(replica_children) == 8
    assert all(r.inputs["region"] == "eu-central-1" for r in replica_children)
    lock_type = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
    # the replica carries the primary's default retention, so it is locked just as well
    assert (
        inv.one(lock_type, "backups-replica-object-lock").inputs["rule"]
        == inv.one(lock_type, "backups-object-lock").inputs["rule"]
    )
    assert replica.urn in inv.one(lock_type, "backups-replica-object-lock").dependencies
    replica_sse = inv.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "backups-replica-encryption",
    )
    replica_key_arn = replica_sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]
    assert replica_key_arn != KEY_ARN and replica_key_arn.startswith("arn:aws:kms:")
    assert key.urn in replica_sse.dependencies
    config = inv.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    (rule,) = config.inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["destination"]["bucket"] == "arn:aws:s3:::stagecraft-prod-backups-replica"
    assert rule["destination"]["encryptionConfiguration"]["replicaKmsKeyId"] == replica_key_arn
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    assert rule["deleteMarkerReplication"] == {"status": "Enabled"}
    for replica_policy in (inv.one("aws:s3/bucketPolicy:BucketPolicy", "backups-replica-tls-only"),):
        conditions = [st["Condition"] for st in json.loads(replica_policy.inputs["policy"])["Statement"]]
        assert {"NumericLessThan": {"s3:TlsVersion": "1.2"}} in conditions
    for name in ("backups-versioning", "backups-replica-versioning"):
        assert inv.depends_on(config.urn, inv.one("aws:s3/bucketVersioning:BucketVersioning", name).urn)
    role = inv.one("aws:iam/role:Role")
    assert role.inputs["name"] == "stagecraft-prod-backup-replication"
    assert config.inputs["role"] == "arn:aws:iam::123456789012:role/stagecraft-prod-backup-replication"
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "s3.amazonaws.com"}
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:s3:::stagecraft-staging-backups"},
    }
    policy = json.loads(inv.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    resources = {json.dumps(s["Action"]): s["Resource"] for s in policy["Statement"]}
    assert resources['["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]'] == (
        "arn:aws:s3:::stagecraft-prod-backups-replica/*"
    )
    assert resources['"kms:Decrypt"'] == KEY_ARN


LOG_TYPES = (
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
)


def _log_child(inv: Any, type_: str) -> Any:
    return next(r for r in inv.of_type(type_) if r.name.startswith("backups-access-logs-"))


@pytest.mark.parametrize("protect", [False, True])
def test_access_logs_go_to_an_sse_s3_log_bucket_only_s3_logging_writes_to(run: RunProgram, protect: bool) -> None:
    inv = run(_program(_args(access_logging=True, protect=protect, object_lock=BackupObjectLock())))
    logs = inv.one(BUCKET, "backups-access-logs-bucket")
    assert logs.inputs["bucket"] == "stagecraft-staging-backups-logs"
    # S3 refuses Object Lock destinations; the log bucket is as hard to delete as the backups
    assert logs.inputs["objectLockEnabled"] is False and logs.inputs["forceDestroy"] is False
    assert (logs.protect, logs.retain_on_delete) == (protect, protect)
    assert inv.one("stagecraft:data:AccessLogBucket").parent == inv.one("stagecraft:data:BackupBucket").urn
    children = {t: _log_child(inv, t) for t in LOG_TYPES}
    assert all(logs.urn in c.dependencies for c in children.values())
    assert children[LOG_TYPES[0]].inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    assert all(children[LOG_TYPES[1]].inputs[f] is True for f in ("blockPublicAcls", "restrictPublicBuckets"))
    assert children[LOG_TYPES[2]].inputs["rules"] == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
    ]
    assert children[LOG_TYPES[3]].inputs["versioningConfiguration"] == {"status": "Enabled"}
    (rule,) = children[LOG_TYPES[4]].inputs["rules"]
    assert rule["status"] == "Enabled" and rule["expiration"] == {"days": 365}
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    statements = json.loads(children[LOG_TYPES[5]].inputs["policy"])["Statement"]
    log_arn = "arn:aws:s3:::stagecraft-staging-backups-logs"
    by_sid = {s["Sid"]: s for s in statements}
    assert by_sid["DenyOutdatedTls"]["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}
    assert by_sid["DenyInsecureTransport"]["Resource"] == [log_arn, f"{log_arn}/*"]
    delivery = by_sid["S3ServerAccessLogs"]
    assert (delivery["Principal"], delivery["Action"], delivery["Resource"]) == (
        {"Service": "logging.s3.amazonaws.com"},
        "s3:PutObject",
        f"{log_arn}/*",
    )
    assert delivery["Condition"] == {
        "ArnLike": {"aws:SourceArn": "arn:aws:s3:::stagecraft-staging-backups"},
        "StringEquals": {"aws:SourceAccount": "123456789012"},
    }
    logging = inv.one("aws:s3/bucketLogging:BucketLogging")
    assert logging.inputs["targetBucket"] == "stagecraft-staging-backups-logs"
    assert logging.inputs["targetPrefix"] == "stagecraft-staging-backups/"
    assert inv.one(BUCKET, "backups-bucket").urn in logging.dependencies
    assert inv.depends_on(logging.urn, children[LOG_TYPES[5]].urn)  # S3 checks write access when enabled


def test_access_log_bucket_name_and_retention_can_be_set(run: RunProgram) -> None:
    args = _args(access_logging=True, access_log_bucket_name="shared-logs-bucket", access_log_retention_days=90)
    inv = run(_program(args))
    assert inv.one(BUCKET, "backups-access-logs-bucket").inputs["bucket"] == "shared-logs-bucket"
    (rule,) = _log_child(inv, LOG_TYPES[4]).inputs["rules"]
    assert rule["expiration"] == {"days": 90}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"access_logging": True, "bucket_name": "b" * 60},
            f"BackupBucket: bucket_name='{'b' * 60}' is invalid: a name whose log bucket '{'b' * 60}-logs' is "
            f"valid: s3-bucket '{'b' * 60}-logs' is 65 characters; allowed 3-63",
        ),
        (
            {"access_logging": True, "access_log_bucket_name": "stagecraft-staging-backups"},
            "BackupBucket: access_log_bucket_name='stagecraft-staging-backups' is invalid: a name other than the "
            "backup and replica buckets'",
        ),
        (
            {"access_logging": True, "access_log_retention_days": 0},
            "BackupBucket: access_log_retention_days=0 is invalid: at least 1 day",
        ),
        (
            {"bucket_name": "Stage_Backups"},
            "BackupBucket: bucket_name='Stage_Backups' is invalid: "
            "s3-bucket 'Stage_Backups' does not match the rule: lowercase letters, digits, '.' and "
            "'-', starting and ending with a letter or digit",
        ),
        (
            {"bucket_name": "b" * 64},
            f"BackupBucket: bucket_name='{'b' * 64}' is invalid: s3-bucket '{'b' * 64}' is 64 characters; allowed 3-63",
        ),
        (
            {"transition_storage_class": "GLACIER_DEEP"},
            "BackupBucket: "
            "transition_storage_class='GLACIER_DEEP' is invalid: one of GLACIER_IR, GLACIER, "
            "DEEP_ARCHIVE, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING",
        ),
        ({"transition_days": 0}, "BackupBucket: transition_days=0 is invalid: at least 1 for GLACIER_IR"),
        (
            {"transition_days": 10, "transition_storage_class": "STANDARD_IA"},
            "BackupBucket: transition_days=10 is invalid: at least 30 for STANDARD_IA",
        ),
        (
            {"retention_days": 30},
            "BackupBucket: retention_days=30 is invalid: more than "
            "transition_days (30): objects are archived before they expire",
        ),
        ({"noncurrent_days": 0}, "BackupBucket: noncurrent_days=0 is invalid: at least 1 day"),
        (
            {"object_lock": BackupObjectLock(mode="governance")},
            "BackupBucket: object_lock.mode='governance' is invalid: GOVERNANCE or COMPLIANCE",
        ),
        (
            {"object_lock": BackupObjectLock(days=366)},
            "BackupBucket: object_lock.days=366 is invalid: 1 to retention_days (365)",
        ),
        (
            {"object_lock": BackupObjectLock(days=0)},
            "BackupBucket: object_lock.days=0 is invalid: 1 to retention_days (365)",
        ),
        (
            {
                "replication": BackupReplication(
                    region="us-east-1", bucket_name="other-bucket", account_id="1", role_name="r"
                )
            },
            "BackupBucket: replication.region='us-east-1' is invalid: a region other than us-east-1",
        ),
        (
            {
                "replication": BackupReplication(
                    region="eu-west-1", bucket_name="stagecraft-staging-backups", account_id="1", role_name="r"
                )
            },
            "BackupBucket: replication.bucket_name='stagecraft-staging-backups' is invalid: "
            "a name other than bucket_name",
        ),
        (
            {"replication": BackupReplication(region="eu-west-1", bucket_name="x", account_id="1", role_name="r")},
            "BackupBucket: replication.bucket_name='x' is invalid: s3-bucket 'x' is 1 characters; "
            "allowed 3-63; s3-bucket 'x' does not match the rule: lowercase letters, digits, '.' and '-', "
            "starting and ending with a letter or digit",
        ),
        (
            {
                "replication": BackupReplication(
                    region="eu-west-1", bucket_name="xyz", account_id="1", role_name="r" * 65
                )
            },
            f"BackupBucket: replication.role_name='{'r' * 65}' is invalid: iam-role '{'r' * 65}' is 65 characters; "
            "allowed 1-64",
        ),
    ],
)
def test_validation_messages(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        BackupBucket("bad", _args(**overrides))
    assert str(err.value) == message
