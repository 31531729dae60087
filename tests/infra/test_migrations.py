"""The pipeline's migration path on the shipped stacks: what the engine receives, and the config rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.naming import name_problems
from infra.naming import MigrationNames, longest_names
from stagecraft import cli
from stagecraft.plan.inventory import Inventory, RecordedResource
from tests.conftest import ShippedPlan
from tests.infra.config.conftest import problems, values

ROOT = Path(__file__).resolve().parents[2]
ACCT = "123456789012"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
ROLE, ROLE_POLICY = "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"


@pytest.fixture(scope="module")
def staging(shipped_plan: ShippedPlan) -> Inventory:
    return shipped_plan(ROOT, "staging").inventory


def _policy(inv: Inventory, name: str) -> dict[str, Any]:
    by_sid: dict[str, Any] = {s["Sid"]: s for s in json.loads(inv.one(ROLE_POLICY, name).inputs["policy"])["Statement"]}
    return by_sid


def _secret_arn(inv: Inventory) -> str:
    variables = inv.of_type("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
    return str(next(r.inputs["value"] for r in variables if r.inputs["variableName"] == "DATABASE_SECRET_ARN"))


def _key(inv: Inventory) -> str:
    return str(inv.one("aws:rds/instance:Instance").inputs["masterUserSecretKmsKeyId"])


def test_task_definition_runs_the_app_image_with_its_own_role(staging: Inventory) -> None:
    task = staging.one(TASK).inputs
    assert task["family"] == "amani-backend-staging-migrate"
    assert (task["networkMode"], task["requiresCompatibilities"]) == ("awsvpc", ["FARGATE"])
    (container,) = json.loads(task["containerDefinitions"])
    assert container["name"] == "migrate"
    # The default image: the stage's moving tag of the first registry (RunTask cannot override images).
    assert container["image"] == f"{ACCT}.dkr.ecr.us-east-1.amazonaws.com/amani-backend-staging/api:staging-latest"
    env = {e["name"]: e["value"] for e in container["environment"]}
    assert env["DATABASE_NAME"] == "app" and env["DATABASE_PORT"] == "5433"
    assert env["DATABASE_SECRET_ARN"] == _secret_arn(staging)
    assert env["BACKUP_S3_PREFIX"] == "migrations/"
    assert "password" not in json.dumps(container).lower()
    assert container["logConfiguration"]["options"]["awslogs-group"] == "/ecs/amani-backend-staging-migrate"
    execution = staging.one(ROLE, "amani-backend-staging-execution-role")
    assert task["executionRoleArn"].startswith(f"arn:aws:iam::{ACCT}:role/{execution.name}")
    assert task["taskRoleArn"] == f"arn:aws:iam::{ACCT}:role/amani-backend-staging-migrate"


def test_task_role_reads_only_the_master_secret(staging: Inventory) -> None:
    trust = json.loads(staging.one(ROLE, "amani-backend-staging-migrate-task-role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert trust["Statement"][0]["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCT}
    by_sid = _policy(staging, "amani-backend-staging-migrate-task-access")
    assert by_sid["ReadDatabaseMasterSecret"]["Action"] == [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
    ]
    assert by_sid["ReadDatabaseMasterSecret"]["Resource"] == _secret_arn(staging)
    assert by_sid["DecryptThroughServices"]["Resource"] == _key(staging)
    assert by_sid["DecryptThroughServices"]["Condition"] == {
        "StringEquals": {"kms:ViaService": ["secretsmanager.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com"]}
    }
    bucket = f"arn:aws:s3:::amani-backend-staging-backups-{ACCT}"
    assert by_sid["WriteMigrationBackups"]["Resource"] == f"{bucket}/migrations/*"
    assert by_sid["EncryptMigrationBackups"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    }


def test_database_admits_the_task_and_the_task_reaches_nothing_else(staging: Inventory) -> None:
    sg = staging.one("aws:ec2/securityGroup:SecurityGroup", "amani-backend-staging-migrate-sg")
    assert sg.inputs["namePrefix"] == "amani-backend-staging-migrate-" and "name" not in sg.inputs
    into = staging.one(INGRESS, "amani-backend-staging-migrate-into-database").inputs
    db_sg = staging.one("aws:ec2/securityGroup:SecurityGroup", "amani-backend-staging-sg")
    assert into["referencedSecurityGroupId"].startswith("sg-")
    assert (into["fromPort"], into["toPort"], into["ipProtocol"]) == (5433, 5433, "tcp")
    assert staging.depends_on(staging.one(INGRESS, "amani-backend-staging-migrate-into-database").urn, db_sg.urn)
    egress = {r.name: r.inputs for r in staging.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")}
    assert egress["amani-backend-staging-migrate-to-database"]["cidrIpv4"] == "10.20.0.0/16"
    assert egress["amani-backend-staging-migrate-to-https"]["fromPort"] == 443


def test_pod_identity_role_for_the_migrations_service_account(staging: Inventory) -> None:
    association: RecordedResource = staging.one(ASSOCIATION)
    assert association.inputs["namespace"] == "amani-backend-staging"
    assert association.inputs["serviceAccount"] == "migrations"
    assert association.inputs["roleArn"] == f"arn:aws:iam::{ACCT}:role/amani-backend-staging-migrate-pod"
    assert staging.depends_on(association.urn, staging.one("aws:eks/cluster:Cluster").urn)
    trust = json.loads(staging.one(ROLE, "amani-backend-staging-migrate-role").inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCT}},
        }
    ]
    by_sid = _policy(staging, "amani-backend-staging-migrate-access")
    assert by_sid["ReadDatabaseMasterSecret"]["Resource"] == _secret_arn(staging)


def test_pipeline_variables_and_outputs(staging: Inventory) -> None:
    got = {
        r.inputs["variableName"]: r.inputs["value"]
        for r in staging.of_type("github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable")
    }
    assert got["MIGRATION_TASK_FAMILY"] == "amani-backend-staging-migrate"
    assert got["MIGRATION_CONTAINER"] == "migrate"
    assert got["MIGRATION_SECURITY_GROUP"].startswith("sg-")
    assert len(got["MIGRATION_SUBNETS"].split(",")) == 2 and got["MIGRATION_SUBNETS"].startswith("subnet-")
    assert got["MIGRATION_SERVICE_ACCOUNT"] == "migrations"
    assert got["MIGRATION_NAMESPACE"] == "amani-backend-staging"
    assert (got["DB_NAME"], got["DB_USERNAME"]) == ("app", "stagecraft_admin")
    outputs = staging.outputs
    assert outputs["migration_task_definition_family"] == "amani-backend-staging-migrate"
    assert outputs["migration_role_arn"] == f"arn:aws:iam::{ACCT}:role/amani-backend-staging-migrate-pod"
    assert outputs["migration_service_account"] == "migrations"


def test_rds_log_groups_exist_before_the_instance(staging: Inventory) -> None:
    db = staging.one("aws:rds/instance:Instance")
    for log in ("postgresql", "upgrade"):
        group = staging.one("aws:cloudwatch/logGroup:LogGroup", f"amani-backend-staging-log-{log}")
        assert group.inputs["name"] == f"/aws/rds/instance/amani-backend-staging-pg/{log}"
        assert group.inputs["retentionInDays"] == 365 and group.inputs["kmsKeyId"] == _key(staging)
        assert group.urn in db.dependencies


def test_longest_names_fit() -> None:
    for kind, name in MigrationNames(longest_names()).checks():
        assert name_problems(kind, name) == [], name


@pytest.mark.parametrize(
    ("database", "expected"),
    [
        ({"username": "postgres"}, "stagecraft:stage.database.username: 'postgres' is not allowed"),
        ({"username": "a_very_long_admin"}, "1-16 letters, digits and '_'"),
        ({"db_name": "select"}, "stagecraft:stage.database.db_name: 'select' is not allowed"),
        ({"migrations": {"cpu": 256, "memory": 4096}}, "stagecraft:stage.database.migrations.memory: 4096"),
        ({"migrations": {"cpu": 300}}, "stagecraft:stage.database.migrations.cpu: 300"),
        ({"migrations": {"repository": "worker"}}, "must be one of registries.repositories (app)"),
        ({"migrations": {"image_tag": "-bad"}}, "stagecraft:stage.database.migrations.image_tag"),
        ({"log_retention_days": 400_000}, "stagecraft:stage.database.log_retention_days"),
    ],
)
def test_config_errors_name_key_value_and_rule(database: dict[str, Any], expected: str) -> None:
    found = problems(values(database=database))
    assert any(expected in line for line in found), found


def test_bad_database_user_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.staging.yaml"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    stack = tmp_path / "Pulumi.staging.yaml"
    stack.write_text(stack.read_text().replace("    network:\n", "    database: {username: rdsadmin}\n    network:\n"))
    assert cli.main(["--cwd", str(tmp_path), "plan", "staging"]) == 2
    assert "stagecraft:stage.database.username: 'rdsadmin' is not allowed" in capsys.readouterr().err
