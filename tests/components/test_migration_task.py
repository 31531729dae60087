"""MigrationTask and MigrationRole: their own checks, and the options the engine receives."""

from __future__ import annotations

from typing import Any

import pytest

from components.errors import ComponentInputError
from components.migration_role import MigrationRole, MigrationRoleArgs
from components.migration_task import MigrationTask, MigrationTaskArgs, fargate_size_problem
from tests.conftest import RunProgram

ACCT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCT}:key/abc"
SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:rds!db-1-AbCdEf"


def _task(**overrides: Any) -> MigrationTaskArgs:
    base: dict[str, Any] = {
        "family": "shop-prod-migrate",
        "task_role_name": "shop-prod-migrate",
        "account_id": ACCT,
        "region": "us-east-1",
        "vpc_id": "vpc-1",
        "vpc_cidr": "10.0.0.0/16",
        "image": "repo:prod-latest",
        "execution_role_arn": f"arn:aws:iam::{ACCT}:role/exec",
        "kms_key_arn": KEY,
        "database_security_group_id": "sg-db",
        "database_port": 5433,
        "database_address": "db.example",
        "database_name": "app",
        "master_secret_arn": SECRET,
    }
    base.update(overrides)
    return MigrationTaskArgs(**base)


def _role(**overrides: Any) -> MigrationRoleArgs:
    base: dict[str, Any] = {
        "role_name": "shop-prod-migrate-pod",
        "account_id": ACCT,
        "region": "us-east-1",
        "cluster_name": "shop-prod",
        "namespace": "shop-prod",
        "kms_key_arn": KEY,
        "master_secret_arn": SECRET,
    }
    base.update(overrides)
    return MigrationRoleArgs(**base)


def test_without_a_backup_bucket_nothing_writes_to_s3(run: RunProgram) -> None:
    def program() -> None:
        MigrationTask("m", _task())

    inv = run(program)
    policy = inv.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"]
    assert "s3:" not in policy and "secretsmanager.us-east-1.amazonaws.com" in policy
    task = inv.one("aws:ecs/taskDefinition:TaskDefinition").inputs
    assert (task["cpu"], task["memory"]) == ("256", "512")
    assert task["runtimePlatform"] == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"}
    assert "BACKUP_S3_BUCKET" not in task["containerDefinitions"]


def test_association_waits_for_the_role_policy(run: RunProgram) -> None:
    def program() -> None:
        MigrationRole("m", _role())

    inv = run(program)
    association = inv.one("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association.urn and association.inputs["serviceAccount"] == "migrations"
    assert inv.one("aws:iam/rolePolicy:RolePolicy").urn in association.dependencies


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"family": "shop prod"}, "MigrationTask: family='shop prod' is invalid"),
        ({"task_role_name": "x" * 65}, "MigrationTask: task_role_name="),
        ({"cpu": 300}, "MigrationTask: cpu=300 is invalid: one of 256, 512"),
        ({"cpu": 1024, "memory": 1024}, "MigrationTask: memory=1024 is invalid: 2048-8192 MiB in steps of 1024"),
        ({"architecture": "arm"}, "MigrationTask: architecture='arm' is invalid"),
        ({"database_port": 0}, "MigrationTask: database_port=0 is invalid"),
        ({"log_retention_days": 2}, "MigrationTask: log_retention_days=2 is invalid"),
    ],
)
def test_task_checks(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        MigrationTask("bad", _task(**overrides))
    assert str(err.value).startswith(message), str(err.value)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"role_name": "r" * 65}, "MigrationRole: role_name="),
        ({"namespace": "Shop"}, "MigrationRole: namespace='Shop' is invalid: a DNS label"),
        ({"service_account": "-x"}, "MigrationRole: service_account='-x' is invalid"),
        ({"account_id": "123"}, "MigrationRole: account_id='123' is invalid"),
    ],
)
def test_role_checks(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        MigrationRole("bad", _role(**overrides))
    assert str(err.value).startswith(message), str(err.value)


def test_fargate_sizes() -> None:
    assert fargate_size_problem(16384, 122880) is None
    assert fargate_size_problem(8192, 20000) == (
        "memory",
        20000,
        "16384-61440 MiB in steps of 4096 for 8192 CPU units (Fargate)",
    )
