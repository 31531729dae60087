from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from infra.config import StageConfig
from infra.context import StageContext
from infra.data import DataStage, build_data, build_key
from infra.migrations import MigrationStage
from infra.network import build_network
from stagecraft.plan.inventory import Inventory, RecordedResource
from tests.conftest import RunProgram
from tests.infra.config.conftest import load, problems, values

ACCOUNT = "123456789012"
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
DEPLOY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/amani-backend-{{stage}}-deploy"
NODE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/nodes"
STACKS = {"development": "dev", "staging": "staging", "production": "production"}

KEY, REPO, DB = "aws:kms/key:Key", "aws:ecr/repository:Repository", "aws:rds/instance:Instance"
BUCKET, INGRESS = "aws:s3/bucket:Bucket", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def _config(profile: str = "staging", **stage: Any) -> StageConfig:
    return load(values(profile=profile, **stage), stack=STACKS[profile])


def _context(config: StageConfig) -> StageContext:
    zones = ZONES if config.profile == "production" else ZONES[:2]
    return StageContext(config=config, account_id=ACCOUNT, zones=zones)


def _build(run: RunProgram, config: StageConfig, clients: Mapping[str, Any] | None = None) -> Inventory:
    ctx = _context(config)

    def program() -> None:
        key = build_key(ctx)
        network = build_network(ctx, log_kms_key_arn=key.key_arn)
        build_data(
            ctx,
            network,
            key,
            push_principal_arns=[DEPLOY_ROLE.format(stage=config.stage)],
            pull_principal_arns=[NODE_ROLE],
            client_security_group_ids=clients if clients is not None else {"ecs": "sg-0ecs", "eks": "sg-0eks"},
        )

    return run(program)


def _key_arn(inv: Inventory) -> str:
    key = inv.one(KEY)
    repo = inv.of_type(REPO)[0]
    # The key's ARN as the mocks computed it, read back from a consumer: every consumer must name the same key.
    arn = str(repo.inputs["encryptionConfigurations"][0]["kmsKey"])
    assert arn.startswith(f"arn:aws:kms:us-east-1:{ACCOUNT}:key/") and key.type == KEY
    return arn


EXPECTED = {
    "development": {
        "instanceClass": "db.t4g.micro",
        "backupRetentionPeriod": 1,
        "multiAz": False,
        "deletionProtection": False,
        "monitoringInterval": 0,
    },
    "staging": {
        "instanceClass": "db.t4g.micro",
        "backupRetentionPeriod": 7,
        "multiAz": False,
        "deletionProtection": True,
        "monitoringInterval": 60,
    },
    "production": {
        "instanceClass": "db.t4g.medium",
        "backupRetentionPeriod": 14,
        "multiAz": True,
        "deletionProtection": True,
        "monitoringInterval": 60,
    },
}


@pytest.mark.parametrize("profile", sorted(STACKS))
def test_database_per_profile(run: RunProgram, profile: str) -> None:
    config = _config(profile)
    inv = _build(run, config)
    db = inv.one(DB)
    prefix = f"amani-backend-{config.stage}"
    assert db.inputs["identifier"] == f"{prefix}-pg"
    assert db.inputs["finalSnapshotIdentifier"] == f"{prefix}-pg-final"
    assert db.inputs["skipFinalSnapshot"] is False
    for name, value in EXPECTED[profile].items():
        assert db.inputs[name] == value, name
    key_arn = _key_arn(inv)
    assert db.inputs["storageEncrypted"] is True
    assert db.inputs["kmsKeyId"] == key_arn
    assert db.inputs["masterUserSecretKmsKeyId"] == key_arn
    assert db.inputs["performanceInsightsKmsKeyId"] == key_arn
    assert db.inputs["engineVersion"] == "17"
    assert db.inputs["tags"]["stage"] == config.stage
    production = profile == "production"
    assert (db.protect, db.retain_on_delete) == (production, production)
    subnets = inv.one("aws:rds/subnetGroup:SubnetGroup")
    assert len(subnets.inputs["subnetIds"]) == (3 if production else 2)
    # Monitoring role only where enhanced monitoring is on.
    roles = [r.inputs["name"] for r in inv.of_type("aws:iam/role:Role") if r.name.endswith("-monitoring")]
    assert roles == ([] if profile == "development" else [f"{prefix}-pg-rds-monitoring"])
    # Not PostgreSQL's default port (FSBP RDS.23); the security group admits only that port.
    assert db.inputs["port"] == 5433


@pytest.mark.parametrize("profile", sorted(STACKS))
def test_key_and_registries_per_profile(run: RunProgram, profile: str) -> None:
    config = _config(profile, registries={"repositories": ["api", "worker"]})
    inv = _build(run, config)
    production = profile == "production"
    key = inv.one(KEY)
    assert (key.protect, key.retain_on_delete) == (production, production)
    assert inv.one("aws:kms/alias:Alias").inputs["name"] == f"alias/amani-backend-{config.stage}"
    key_arn = _key_arn(inv)
    repos = {r.inputs["name"]: r for r in inv.of_type(REPO)}
    assert sorted(repos) == [f"amani-backend-{config.stage}/api", f"amani-backend-{config.stage}/worker"]
    for repo in repos.values():
        assert (repo.protect, repo.retain_on_delete) == (production, production)
        assert repo.inputs["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": key_arn}]
        assert repo.inputs["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
        assert repo.inputs["forceDelete"] is False
        assert [f["filter"] for f in repo.inputs["imageTagMutabilityExclusionFilters"]] == [
            "latest",
            f"{config.stage}-latest",
        ]
    for lifecycle in inv.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy"):
        rules = json.loads(lifecycle.inputs["policy"])["rules"]
        assert [r["rulePriority"] for r in rules] == list(range(1, len(rules) + 1))
        expiring = {r["selection"].get("tagPatternList", ["<untagged>"])[0]: r["selection"] for r in rules}
        assert expiring["v*"]["countType"] == "imageCountMoreThan"
        assert expiring[f"{config.stage}-*"]["countNumber"] == 30
        assert expiring["main-*"]["countNumber"] == expiring["prod-*"]["countNumber"] == 90
        assert expiring["<untagged>"]["countNumber"] == 7
    for policy in inv.of_type("aws:ecr/repositoryPolicy:RepositoryPolicy"):
        statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
        assert statements["StagePush"]["Principal"] == {"AWS": [DEPLOY_ROLE.format(stage=config.stage)]}
        assert statements["StagePull"]["Principal"] == {"AWS": [NODE_ROLE]}


def test_registry_retention_comes_from_config(run: RunProgram) -> None:
    config = _config(
        registries={
            "commit_tag_days": 60,
            "stage_tag_days": 14,
            "untagged_days": 3,
            "commit_tag_prefixes": ["sha-"],
            "moving_tags": ["edge"],
        }
    )
    inv = _build(run, config)
    rules = json.loads(inv.one("aws:ecr/lifecyclePolicy:LifecyclePolicy").inputs["policy"])["rules"]
    by_pattern = {r["selection"].get("tagPatternList", ["<untagged>"])[0]: r["selection"] for r in rules}
    assert sorted(by_pattern) == ["<untagged>", "edge", "sha-*", "staging-*", "v*"]
    assert (by_pattern["sha-*"]["countNumber"], by_pattern["staging-*"]["countNumber"]) == (60, 14)
    assert by_pattern["<untagged>"]["countNumber"] == 3


BACKUPS = {
    "development": (7, 30, 7, None),
    "staging": (30, 90, 30, ("GOVERNANCE", 14)),
    "production": (30, 365, 30, ("GOVERNANCE", 14)),
}


@pytest.mark.parametrize("profile", sorted(STACKS))
def test_backup_bucket_per_profile(run: RunProgram, profile: str) -> None:
    config = _config(profile)
    inv = _build(run, config)
    transition, retention, noncurrent, lock = BACKUPS[profile]
    backups = f"amani-backend-{config.stage}-backups"  # the access-log bucket is a sibling
    bucket = inv.one(BUCKET, f"{backups}-bucket")
    production = profile == "production"
    assert bucket.inputs["bucket"] == f"amani-backend-{config.stage}-backups-{ACCOUNT}"
    assert bucket.inputs["forceDestroy"] is False
    assert (bucket.protect, bucket.retain_on_delete) == (production, production)
    assert bucket.inputs.get("objectLockEnabled", False) is (lock is not None)
    [rule] = inv.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", f"{backups}-lifecycle").inputs[
        "rules"
    ]
    assert rule["transitions"] == [{"days": transition, "storageClass": "GLACIER_IR"}]
    assert rule["expiration"]["days"] == retention
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == noncurrent
    assert rule["transitions"][0]["days"] < rule["expiration"]["days"]
    locks = inv.of_type("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    if lock is None:
        assert locks == []
    else:
        retention_rule = locks[0].inputs["rule"]["defaultRetention"]
        assert (retention_rule["mode"], retention_rule["days"]) == lock
        assert retention_rule["days"] <= retention
    sse = inv.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        f"{backups}-encryption",
    )
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": _key_arn(inv),
    }
    policy = json.loads(inv.one("aws:s3/bucketPolicy:BucketPolicy", f"{backups}-tls-only").inputs["policy"])
    deny, _tls12 = policy["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [f"arn:aws:s3:::{bucket.inputs['bucket']}", f"arn:aws:s3:::{bucket.inputs['bucket']}/*"]


def test_backup_replication_gets_its_own_name_and_region(run: RunProgram) -> None:
    config = _config("production", backups={"replication_region": "us-west-2"})
    inv = _build(run, config)
    buckets = {b.inputs["bucket"]: b for b in inv.of_type(BUCKET)}
    assert sorted(buckets) == [
        f"amani-backend-production-backups-{ACCOUNT}",
        f"amani-backend-production-backups-{ACCOUNT}-logs",
        f"amani-backend-production-replica-{ACCOUNT}",
    ]
    replica = buckets[f"amani-backend-production-replica-{ACCOUNT}"]
    assert replica.inputs["region"] == "us-west-2"
    assert replica.protect and replica.retain_on_delete
    assert replica.inputs["objectLockEnabled"] is True


def test_disabled_database_and_backups_create_nothing(run: RunProgram) -> None:
    config = _config(database={"enabled": False}, backups={"enabled": False}, registries={"repositories": []})
    ctx = _context(config)
    built: list[DataStage] = []

    def program() -> None:
        key = build_key(ctx)
        built.append(
            build_data(
                ctx,
                build_network(ctx),
                key,
                push_principal_arns=[DEPLOY_ROLE],
                pull_principal_arns=[],
                client_security_group_ids={},
            )
        )

    inv = run(program)
    assert built[0] == DataStage(registries={}, database=None, backups=None, migrations=MigrationStage(None, None))
    assert inv.of_type(DB) == inv.of_type(BUCKET) == inv.of_type(REPO) == []


def test_restore_mode_creates_a_new_instance_from_the_source(run: RunProgram) -> None:
    config = load(
        values(
            profile="production",
            database={"restore": {"source_identifier": "amani-backend-production-pg", "time": "2026-01-31T23:59:00Z"}},
        ),
        stack="prod-r0131",
    )
    inv = _build(run, config)
    db = inv.one(DB)
    assert db.inputs["identifier"] == "amani-backend-prod-r0131-pg"
    assert db.inputs["restoreToPointInTime"] == {
        "sourceDbInstanceIdentifier": "amani-backend-production-pg",
        "restoreTime": "2026-01-31T23:59:00Z",
    }
    assert "username" not in db.inputs and "dbName" not in db.inputs
    assert {"restoreToPointInTime", "kmsKeyId"} <= set(db.ignore_changes)
    # No key is sent: RDS keeps the source's, and a stage key would plan a replacement (#15390).
    assert "kmsKeyId" not in db.inputs
    assert db.inputs["masterUserSecretKmsKeyId"] == _key_arn(inv)


def test_restore_latest(run: RunProgram) -> None:
    config = load(
        values(profile="staging", database={"restore": {"source_identifier": "amani-backend-staging-pg"}}),
        stack="staging-r1",
    )
    db = _build(run, config).one(DB)
    assert db.inputs["restoreToPointInTime"] == {
        "sourceDbInstanceIdentifier": "amani-backend-staging-pg",
        "useLatestRestorableTime": True,
    }


def _eks_dependencies(inv: Inventory, db: RecordedResource) -> list[str]:
    return [r.urn for r in inv.resources if r.type.startswith("aws:eks") and inv.depends_on(db.urn, r.urn)]


def test_database_does_not_wait_for_the_cluster_given_an_id_string(run: RunProgram) -> None:
    inv = _build(run, _config(), clients={"eks": "sg-0eks"})
    db = inv.one(DB)
    assert _eks_dependencies(inv, db) == []
    rule = inv.one(INGRESS)
    assert rule.inputs["referencedSecurityGroupId"] == "sg-0eks"
    assert rule.inputs["fromPort"] == rule.inputs["toPort"] == 5433
    assert "cidrIpv4" not in rule.inputs


def test_only_the_ingress_rule_waits_for_a_real_cluster(run: RunProgram) -> None:
    config = _config()
    ctx = _context(config)

    def program() -> None:
        key = build_key(ctx)
        network = build_network(ctx)
        cluster = aws.eks.Cluster(
            "eks",
            role_arn=NODE_ROLE,
            vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=network.private_subnet_ids),
        )
        sg = cluster.vpc_config.apply(lambda v: v.cluster_security_group_id or "")
        build_data(
            ctx,
            network,
            key,
            push_principal_arns=[DEPLOY_ROLE],
            pull_principal_arns=[],
            client_security_group_ids={"eks": sg},
        )
        pulumi.export("cluster", cluster.name)

    inv = run(program)
    db = inv.one(DB)
    cluster = inv.one("aws:eks/cluster:Cluster")
    assert not inv.depends_on(db.urn, cluster.urn)
    assert not inv.depends_on(cluster.urn, db.urn)
    assert inv.depends_on(inv.one(INGRESS).urn, cluster.urn)


@pytest.mark.parametrize(("days_ago", "ok"), [(10, True), (20, False)])
def test_restore_time_is_checked_against_the_source_retention(days_ago: int, ok: bool) -> None:
    when = (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    restore = {"source_identifier": "amani-backend-production-pg", "time": when, "source_retention_days": 14}
    config = values(profile="production", database={"restore": restore})
    if ok:
        assert load(config, stack="prod-r1").settings.database.restore is not None
        return
    found = problems(config, stack="prod-r1")
    assert any(
        line.startswith(f"stagecraft:stage.database.restore.time: '{when}' is not allowed: must be within the "
                        "source's 14-day backup retention")
        for line in found
    ), found  # fmt: skip
