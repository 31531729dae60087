from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.database import Database, DatabaseArgs, DatabaseRestore
from components.errors import ComponentInputError
from tests.conftest import RunProgram

INSTANCE = "aws:rds/instance:Instance"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

# Profile-like arguments as the program would pass them (the floors live in the stack config).
PROFILES: dict[str, dict[str, Any]] = {
    "development": {"backup_retention_days": 1, "deletion_protection": False},
    "staging": {"backup_retention_days": 7},
    "production": {
        "backup_retention_days": 14,
        "multi_az": True,
        "monitoring_interval": 60,
        "protect": True,
        "retain_on_delete": True,
    },
}


def _args(**overrides: Any) -> DatabaseArgs:
    base: dict[str, Any] = {
        "identifier": "stagecraft-staging-pg",
        "vpc_id": "vpc-1",
        "subnet_ids": ["subnet-a", "subnet-b"],
        "client_security_group_ids": {"nodes": "sg-nodes"},
        "kms_key_arn": KEY_ARN,
        "tags": {"stage": "staging"},
        "clock": lambda: NOW,
    }
    base.update(overrides)
    return DatabaseArgs(**base)


def _program(args: DatabaseArgs) -> Callable[[], None]:
    def program() -> None:
        Database("db", args)

    return program


def _instance(run: RunProgram, **overrides: Any) -> Any:
    return run(_program(_args(**overrides))).one(INSTANCE, "db-instance")


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_instance_inputs_per_profile(run: RunProgram, profile: str) -> None:
    settings = PROFILES[profile]
    inv = run(_program(_args(**settings)))
    db = inv.one(INSTANCE, "db-instance")
    i = db.inputs
    assert i["backupRetentionPeriod"] == settings["backup_retention_days"]
    assert i["multiAz"] is settings.get("multi_az", False)
    assert i["deletionProtection"] is settings.get("deletion_protection", True)
    assert (db.protect, db.retain_on_delete) == (
        settings.get("protect", False),
        settings.get("protect", False),
    )
    assert i["monitoringInterval"] == settings.get("monitoring_interval", 0)
    assert (i.get("monitoringRoleArn") is not None) == (profile == "production")
    assert len(inv.of_type("aws:iam/role:Role")) == (1 if profile == "production" else 0)
    # Secure regardless of profile.
    assert i["storageEncrypted"] is True and i["kmsKeyId"] == KEY_ARN
    assert i["storageType"] == "gp3" and i["allocatedStorage"] == 20 and i["maxAllocatedStorage"] == 100
    assert i["manageMasterUserPassword"] is True and i["masterUserSecretKmsKeyId"] == KEY_ARN
    assert "password" not in i
    assert i["skipFinalSnapshot"] is False
    assert i["finalSnapshotIdentifier"] == "stagecraft-staging-pg-final"
    assert i["deleteAutomatedBackups"] is False and i["copyTagsToSnapshot"] is True
    assert i["performanceInsightsEnabled"] is True and i["performanceInsightsKmsKeyId"] == KEY_ARN
    assert i["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert i["engineLifecycleSupport"] == "open-source-rds-extended-support-disabled"
    assert i["autoMinorVersionUpgrade"] is True and i["iamDatabaseAuthenticationEnabled"] is True
    assert i["publiclyAccessible"] is False
    assert i["engine"] == "postgres" and i["engineVersion"] == "17"
    assert i["username"] == "stagecraft_admin" and i["dbName"] == "app"
    assert i["backupWindow"] == "03:00-04:00" and i["maintenanceWindow"] == "sun:05:00-sun:06:00"
    assert "restoreToPointInTime" not in i
    # kmsKeyId is ForceNew: ignored, so a restored instance (the source's key) is never replaced by a later up.
    assert db.ignore_changes == ("restoreToPointInTime", "kmsKeyId")


def test_network_parameter_group_and_monitoring_role(run: RunProgram) -> None:
    inv = run(
        _program(_args(client_security_group_ids={"nodes": "sg-nodes", "tasks": "sg-tasks"}, monitoring_interval=30))
    )
    subnets = inv.one("aws:rds/subnetGroup:SubnetGroup").inputs
    assert subnets["subnetIds"] == ["subnet-a", "subnet-b"] and subnets["name"] == "stagecraft-staging-pg"
    sg = inv.one("aws:ec2/securityGroup:SecurityGroup")
    assert "ingress" not in sg.inputs and "egress" not in sg.inputs
    rules = {r.name: r.inputs for r in inv.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")}
    assert set(rules) == {"db-from-nodes", "db-from-tasks"}
    for source, rule in (("sg-nodes", rules["db-from-nodes"]), ("sg-tasks", rules["db-from-tasks"])):
        assert rule["referencedSecurityGroupId"] == source
        assert (rule["ipProtocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 5432, 5432)
        assert not any(k.startswith("cidr") for k in rule)
    params = inv.one("aws:rds/parameterGroup:ParameterGroup").inputs
    assert params["family"] == "postgres17"
    assert params["parameters"] == [{"name": "rds.force_ssl", "value": "1", "applyMethod": "pending-reboot"}]
    role = inv.one("aws:iam/role:Role").inputs
    (trust,) = json.loads(role["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": KEY_ARN.split(":")[4]}}
    attachment = inv.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs
    assert attachment["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    db = inv.one(INSTANCE)
    assert db.inputs["monitoringInterval"] == 30
    assert inv.depends_on(db.urn, inv.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").urn)


def test_engine_minor_version_selects_major_family(run: RunProgram) -> None:
    inv = run(_program(_args(engine_version="16.4")))
    assert inv.one("aws:rds/parameterGroup:ParameterGroup").inputs["family"] == "postgres16"
    assert inv.one(INSTANCE).inputs["engineVersion"] == "16.4"


def test_restore_latest_takes_name_and_user_from_source(run: RunProgram) -> None:
    restore = DatabaseRestore(source_identifier="stagecraft-production-pg")
    db = _instance(run, identifier="stagecraft-recovery-pg", restore=restore)
    assert db.inputs["identifier"] == "stagecraft-recovery-pg"
    assert db.inputs["restoreToPointInTime"] == {
        "sourceDbInstanceIdentifier": "stagecraft-production-pg",
        "useLatestRestorableTime": True,
    }
    assert "username" not in db.inputs and "dbName" not in db.inputs
    # RestoreDBInstanceToPointInTime takes no key: the restored instance keeps the source's (#15390).
    assert "kmsKeyId" not in db.inputs and db.inputs["storageEncrypted"] is True
    assert db.inputs["manageMasterUserPassword"] is True
    assert db.ignore_changes == ("restoreToPointInTime", "kmsKeyId")


@pytest.mark.parametrize(
    "time",
    [
        "2026-11-20T08:15:00Z",
        datetime(2026, 11, 20, 8, 15, tzinfo=UTC),
        datetime(2026, 11, 20, 8, 15, tzinfo=timezone(timedelta(0))),
    ],
)
def test_restore_to_a_point_in_time(run: RunProgram, time: str | datetime) -> None:
    restore = DatabaseRestore(source_identifier="stagecraft-production-pg", time=time)
    db = _instance(run, identifier="stagecraft-recovery-pg", restore=restore)
    assert db.inputs["restoreToPointInTime"] == {
        "sourceDbInstanceIdentifier": "stagecraft-production-pg",
        "restoreTime": "2026-11-20T08:15:00Z",
    }


def test_database_depends_only_on_its_children_and_inputs(run: RunProgram) -> None:
    def program() -> None:
        compute_sg = aws.ec2.SecurityGroup("compute-sg", vpc_id="vpc-1")
        key = aws.kms.Key("key")
        cluster = aws.eks.Cluster(
            "cluster",
            role_arn="arn:aws:iam::123456789012:role/eks",
            vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=["subnet-a"], security_group_ids=[compute_sg.id]),
        )
        Database("db", _args(client_security_group_ids={"nodes": compute_sg.id}, kms_key_arn=key.arn))
        pulumi.export("cluster", cluster.name)

    inv = run(program)
    component = inv.one("stagecraft:data:Database")
    cluster = inv.one("aws:eks/cluster:Cluster")
    compute_sg = inv.one("aws:ec2/securityGroup:SecurityGroup", "compute-sg")
    key = inv.one("aws:kms/key:Key")
    children = {r.urn for r in inv.children(component.urn)}
    graph = inv.wait_graph()
    for urn in children:
        assert graph[urn] <= children | {compute_sg.urn, key.urn}, urn
        assert not inv.depends_on(urn, cluster.urn)
        assert not inv.depends_on(cluster.urn, urn)
    instance = inv.one(INSTANCE)
    assert not inv.depends_on(instance.urn, compute_sg.urn)  # only the ingress rules wait for compute


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"identifier": "Stage_PG"},
            "Database: identifier='Stage_PG' is invalid: rds-identifier 'Stage_PG' does not match the rule: "
            "lowercase letters, digits and '-', starting with a letter, no '--', not ending in '-'",
        ),
        (
            {"final_snapshot_identifier": "final--snap"},
            "Database: final_snapshot_identifier='final--snap' is invalid: rds-identifier "
            "'final--snap' does not "
            "match the rule: lowercase letters, digits and '-', starting with a letter, no '--', "
            "not ending in '-'",
        ),
        (
            {"identifier": "a" * 50},
            f"Database: identifier='{'a' * 50}' is invalid: at most 49 characters (the monitoring "
            f"role name is "
            "64 at most)",
        ),
        (
            {"engine_version": "13"},
            "Database: engine_version='13' is invalid: a PostgreSQL major in 14, 15, 16, 17, 18, optionally .minor",
        ),
        (
            {"engine_version": "latest"},
            "Database: engine_version='latest' is invalid: a PostgreSQL major in 14, 15, 16, 17, 18, optionally .minor",
        ),
        (
            {"instance_class": "t4g.medium"},
            "Database: instance_class='t4g.medium' is invalid: db.<family>.<size>, e.g. db.t4g.medium",
        ),
        ({"allocated_storage": 19}, "Database: allocated_storage=19 is invalid: 20-65536 GiB for gp3"),
        (
            {"allocated_storage": 65537, "max_allocated_storage": 65537},
            "Database: allocated_storage=65537 is invalid: 20-65536 GiB for gp3",
        ),
        (
            {"allocated_storage": 200},
            "Database: max_allocated_storage=100 is invalid: between allocated_storage (200) and 65536 GiB",
        ),
        (
            {"max_allocated_storage": 70000},
            "Database: max_allocated_storage=70000 is invalid: between allocated_storage (20) and 65536 GiB",
        ),
        (
            {"backup_retention_days": 0},
            "Database: backup_retention_days=0 is invalid: 1-35 days (0 would disable PITR)",
        ),
        (
            {"backup_retention_days": 36},
            "Database: backup_retention_days=36 is invalid: 1-35 days (0 would disable PITR)",
        ),
        (
            {"performance_insights_retention_days": 30},
            "Database: performance_insights_retention_days=30 is invalid: 7, 731 or a multiple of 31 up to 713",
        ),
        (
            {"monitoring_interval": 45},
            "Database: monitoring_interval=45 is invalid: one of 0, 1, 5, 10, 15, 30, 60 seconds",
        ),
        (
            {"username": "postgres"},
            "Database: username='postgres' is invalid: not postgres, admin, rdsadmin, a pg_ role or a "
            "PostgreSQL reserved word (FSBP RDS.25)",
        ),
        (
            {"username": "stagecraft_admins"},
            "Database: username='stagecraft_admins' is invalid: 1-16 letters, digits and '_', starting with a letter",
        ),
        ({"username": "pg_migrator"}, "Database: username='pg_migrator' is invalid: not postgres, admin, rdsadmin"),
        ({"username": "User"}, "Database: username='User' is invalid: not postgres"),
        (
            {"db_name": "1app"},
            "Database: db_name='1app' is invalid: 1-63 letters, digits and '_', starting with a letter",
        ),
        ({"db_name": "a" * 64}, "Database: db_name='" + "a" * 64 + "' is invalid: 1-63 letters"),
        ({"db_name": "template1"}, "Database: db_name='template1' is invalid: not a PostgreSQL reserved word"),
        ({"log_retention_days": 10}, "Database: log_retention_days=10 is invalid: one of 1, 3, 5"),
        (
            {"restore": DatabaseRestore(source_identifier="stagecraft-production-pg", source_retention_days=36)},
            "Database: restore.source_retention_days=36 is invalid: 1-35 days",
        ),
        (
            {"client_security_group_ids": {"Nodes": "sg-1"}},
            "Database: client_security_group_ids='Nodes' is invalid: keys of lowercase letters, digits and '-'",
        ),
        (
            {"backup_window": "3:00-4:00"},
            "Database: backup_window='3:00-4:00' is invalid: hh:mm-hh:mm in UTC, e.g. 03:00-04:00",
        ),
        (
            {"backup_window": "03:00-03:20"},
            "Database: backup_window='03:00-03:20' is invalid: at least 30 minutes long",
        ),
        (
            {"maintenance_window": "sunday:05:00-sunday:06:00"},
            "Database: maintenance_window='sunday:05:00-sunday:06:00' is invalid: "
            "ddd:hh:mm-ddd:hh:mm in UTC, e.g. sun:05:00-sun:06:00",
        ),
        (
            {"maintenance_window": "sun:05:00-sun:05:10"},
            "Database: maintenance_window='sun:05:00-sun:05:10' is invalid: at least 30 minutes long",
        ),
        (
            {"maintenance_window": "wed:03:30-wed:04:30"},
            "Database: maintenance_window='wed:03:30-wed:04:30' is invalid: must not overlap backup_window 03:00-04:00",
        ),
        # Sunday's backup wraps past midnight into Monday.
        (
            {"backup_window": "23:30-00:30", "maintenance_window": "mon:00:00-mon:01:00"},
            "Database: maintenance_window='mon:00:00-mon:01:00' is invalid: must not overlap backup_window 23:30-00:30",
        ),
        # The maintenance window wraps past the end of the week.
        (
            {"backup_window": "00:10-00:40", "maintenance_window": "sun:23:45-mon:00:45"},
            "Database: maintenance_window='sun:23:45-mon:00:45' is invalid: must not overlap backup_window 00:10-00:40",
        ),
        (
            {"restore": DatabaseRestore(source_identifier="stagecraft-staging-pg")},
            "Database: restore.source_identifier='stagecraft-staging-pg' is invalid: a different "
            "instance than identifier: a restore creates a new instance side by side",
        ),
        (
            {"restore": DatabaseRestore(source_identifier="Prod")},
            "Database: restore.source_identifier='Prod' is invalid: rds-identifier 'Prod' does not "
            "match the rule: lowercase letters, digits and '-', starting with a letter, no "
            "'--', not ending in '-'",
        ),
        (
            {"restore": DatabaseRestore(source_identifier="prod", time="2026-11-20T08:15:00+01:00")},
            "Database: restore.time='2026-11-20T08:15:00+01:00' is invalid: 'latest' or an RFC 3339 "
            "UTC timestamp like 2026-01-31T23:59:00Z",
        ),
        (
            {"restore": DatabaseRestore(source_identifier="prod", time="2026-02-30T08:15:00Z")},
            "Database: restore.time='2026-02-30T08:15:00Z' is invalid: 'latest' or an RFC 3339 UTC "
            "timestamp like 2026-01-31T23:59:00Z",
        ),
        (
            {"restore": DatabaseRestore(source_identifier="prod", time="yesterday")},
            "Database: restore.time='yesterday' is invalid: 'latest' or an RFC 3339 UTC timestamp "
            "like 2026-01-31T23:59:00Z",
        ),
        (
            {"restore": DatabaseRestore(source_identifier="prod", time=datetime(2026, 11, 20))},
            "Database: restore.time=2026-11-20T00:00:00 is invalid: 'latest' or "
            "an RFC 3339 UTC timestamp like 2026-01-31T23:59:00Z",
        ),
        (
            {"restore": DatabaseRestore(source_identifier="prod", time="2026-11-22T12:00:01Z")},
            "Database: restore.time='2026-11-22T12:00:01Z' is invalid: not in the future",
        ),
    ],
)
def test_validation_messages(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        Database("bad", _args(**overrides))
    assert str(err.value).startswith(message), str(err.value)


@pytest.mark.parametrize(
    ("backup", "maintenance"),
    [
        ("03:00-04:00", "sun:04:00-sun:05:00"),
        ("22:00-23:00", "sat:23:00-sun:00:30"),
        ("23:30-00:30", "mon:00:30-mon:01:00"),
    ],
)
def test_adjacent_windows_are_accepted(run: RunProgram, backup: str, maintenance: str) -> None:
    db = _instance(run, backup_window=backup, maintenance_window=maintenance)
    assert (db.inputs["backupWindow"], db.inputs["maintenanceWindow"]) == (backup, maintenance)


def test_outputs_come_from_the_instance_and_its_master_secret(run: RunProgram) -> None:
    seen: dict[str, Any] = {}

    def program() -> None:
        db = Database("db", _args())
        pulumi.Output.all(db.master_secret_arn, db.endpoint, db.port, db.identifier).apply(
            lambda v: seen.update(secret=v[0], endpoint=v[1], port=v[2], identifier=v[3])
        )

    run(program)
    assert seen["secret"].startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-")
    assert seen["endpoint"].endswith(".rds.amazonaws.com:5432") and seen["port"] == 5432
    assert seen["identifier"] == "stagecraft-staging-pg"


def test_security_group_survives_a_port_change(run: RunProgram) -> None:
    # name, namePrefix, description and vpcId replace a security group: none of them may follow the port.
    groups = [
        run(_program(_args(port=port))).one("aws:ec2/securityGroup:SecurityGroup").inputs for port in (5432, 6543)
    ]
    replacing = ("name", "namePrefix", "description", "vpcId")
    assert {k: groups[0].get(k) for k in replacing} == {k: groups[1].get(k) for k in replacing}
    assert "name" not in groups[0] and groups[0]["namePrefix"] == "stagecraft-staging-pg-db-"


def test_log_groups_are_created_first_with_the_stage_key(run: RunProgram) -> None:
    inv = run(_program(_args(log_retention_days=731)))
    db = inv.one(INSTANCE)
    groups = inv.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert sorted(g.inputs["name"] for g in groups) == [
        "/aws/rds/instance/stagecraft-staging-pg/postgresql",
        "/aws/rds/instance/stagecraft-staging-pg/upgrade",
    ]
    for group in groups:
        assert group.inputs["retentionInDays"] == 731 and group.inputs["kmsKeyId"] == KEY_ARN
        assert group.urn in db.dependencies


@pytest.mark.parametrize(("days_ago", "ok"), [(13, True), (15, False)])
def test_restore_time_within_the_source_retention(run: RunProgram, days_ago: int, ok: bool) -> None:
    when = (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")
    restore = DatabaseRestore(source_identifier="stagecraft-production-pg", time=when, source_retention_days=14)
    args = _args(identifier="stagecraft-recovery-pg", restore=restore)
    if ok:
        assert (
            _instance(run, identifier="stagecraft-recovery-pg", restore=restore).inputs["restoreToPointInTime"][
                "restoreTime"
            ]
            == when
        )
        return
    with pytest.raises(ComponentInputError) as err:
        Database("bad", args)
    assert "within the source's 14-day backup retention (after 2026-11-08T12:00:00Z)" in str(err.value)
