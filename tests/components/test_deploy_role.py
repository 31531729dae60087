from __future__ import annotations

import json
from typing import Any

import pytest

from components.deploy_role import DeployRole, DeployRoleArgs
from components.errors import ComponentInputError
from stagecraft.plan.inventory import Inventory
from stagecraft.plan.runner import run_program
from tests.conftest import RunProgram

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ACCT = "123456789012"
OIDC_ARN = f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com"
FULL: dict[str, Any] = {
    "ecr_repository_arns": [f"arn:aws:ecr:us-east-1:{ACCT}:repository/shop/api"],
    "eks_cluster_arn": f"arn:aws:eks:us-east-1:{ACCT}:cluster/shop-production",
    "ecs_cluster_arn": f"arn:aws:ecs:us-east-1:{ACCT}:cluster/shop-production",
    "ecs_pass_role_arns": [f"arn:aws:iam::{ACCT}:role/shop-production-task"],
    "ecs_task_family_prefix": "shop-production",
    "ecs_run_task_families": ["shop-production-migrate"],
    "readable_log_group_arns": [f"arn:aws:logs:us-east-1:{ACCT}:log-group:/ecs/shop-production-migrate:*"],
    "backup_bucket_arn": "arn:aws:s3:::shop-production-backups",
    "db_instance_arn": f"arn:aws:rds:us-east-1:{ACCT}:db:shop-production",
    "kms_key_arns": [f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
}


def _args(**overrides: Any) -> DeployRoleArgs:
    base: dict[str, Any] = {
        "role_name": "shop-production-deploy",
        "oidc_provider_arn": OIDC_ARN,
        "repository_owner": "example",
        "repository": "shop",
        "environment": "production",
        "tags": {"stage": "production"},
    }
    base.update(overrides)
    return DeployRoleArgs(**base)


def _role(name: str, args: DeployRoleArgs) -> None:
    DeployRole(name, args)


def _statements(inv: Inventory) -> list[dict[str, Any]]:
    document = json.loads(inv.one(ROLE_POLICY).inputs["policy"])
    assert document["Version"] == "2012-10-17"
    statements: list[dict[str, Any]] = document["Statement"]
    return statements


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def test_trust_policy_is_pinned_to_the_environment(run: RunProgram) -> None:
    inv = run(lambda: _role("production-deploy", _args(**FULL)))
    role = inv.one(ROLE, "production-deploy-role").inputs
    assert json.loads(role["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": OIDC_ARN},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                        "token.actions.githubusercontent.com:sub": "repo:example/shop:environment:production",
                    }
                },
            }
        ],
    }
    assert role["maxSessionDuration"] == 3600
    assert role["name"] == "shop-production-deploy"
    assert role["tags"] == {"stage": "production"}


def test_permissions_are_scoped_to_the_stage(run: RunProgram) -> None:
    inv = run(lambda: _role("production-deploy", _args(**FULL)))
    policy = inv.one(ROLE_POLICY, "production-deploy-permissions")
    assert policy.inputs["role"] == "shop-production-deploy"
    by_sid = {s["Sid"]: s for s in _statements(inv)}
    assert set(by_sid) == {
        "EcrLogin", "EcrPushPull", "EksDescribe", "EcsServices", "EcsDescribeTaskDefinitions",
        "EcsRegisterStageTaskDefinitions", "EcsTagOnRegister", "EcsRunOneOffTasks", "EcsWatchOneOffTasks",
        "EcsPassTaskRoles", "ReadOneOffTaskLogs", "BackupList", "BackupWrite", "DbDescribe", "DbSnapshot",
        "DbSnapshotTags", "KmsForStageData",
    }  # fmt: skip
    assert by_sid["EcrPushPull"]["Resource"] == FULL["ecr_repository_arns"]
    assert "ecr:PutImage" in by_sid["EcrPushPull"]["Action"]
    assert by_sid["EksDescribe"] == {
        "Sid": "EksDescribe",
        "Effect": "Allow",
        "Action": ["eks:DescribeCluster"],
        "Resource": [FULL["eks_cluster_arn"]],
    }
    assert by_sid["EcsServices"]["Resource"] == [f"arn:aws:ecs:us-east-1:{ACCT}:service/shop-production/*"]
    # DescribeTaskDefinition accepts only '*' (IAM service authorization reference): region-limited instead.
    assert by_sid["EcsDescribeTaskDefinitions"]["Action"] == ["ecs:DescribeTaskDefinition"]
    assert by_sid["EcsDescribeTaskDefinitions"]["Resource"] == "*"
    assert by_sid["EcsDescribeTaskDefinitions"]["Condition"] == {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
    # RegisterTaskDefinition takes task-definition ARNs: only the stage's families.
    families = f"arn:aws:ecs:us-east-1:{ACCT}:task-definition/shop-production-*:*"
    assert by_sid["EcsRegisterStageTaskDefinitions"]["Action"] == ["ecs:RegisterTaskDefinition"]
    assert by_sid["EcsRegisterStageTaskDefinitions"]["Resource"] == [families]
    assert by_sid["EcsTagOnRegister"]["Resource"] == [families]
    assert by_sid["EcsTagOnRegister"]["Condition"] == {"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}}
    assert by_sid["EcsRunOneOffTasks"] == {
        "Sid": "EcsRunOneOffTasks",
        "Effect": "Allow",
        "Action": ["ecs:RunTask"],
        "Resource": [f"arn:aws:ecs:us-east-1:{ACCT}:task-definition/shop-production-migrate:*"],
        "Condition": {"ArnEquals": {"ecs:cluster": FULL["ecs_cluster_arn"]}},
    }
    assert by_sid["EcsWatchOneOffTasks"]["Resource"] == [f"arn:aws:ecs:us-east-1:{ACCT}:task/shop-production/*"]
    assert by_sid["ReadOneOffTaskLogs"]["Resource"] == FULL["readable_log_group_arns"]
    assert by_sid["EcsPassTaskRoles"]["Resource"] == FULL["ecs_pass_role_arns"]
    assert by_sid["EcsPassTaskRoles"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    }
    assert by_sid["BackupList"]["Resource"] == ["arn:aws:s3:::shop-production-backups"]
    assert by_sid["BackupWrite"]["Resource"] == ["arn:aws:s3:::shop-production-backups/*"]
    assert "s3:GetObject" not in by_sid["BackupWrite"]["Action"]
    snapshots = f"arn:aws:rds:us-east-1:{ACCT}:snapshot:shop-production-*"
    assert by_sid["DbSnapshot"]["Resource"] == [FULL["db_instance_arn"], snapshots]
    assert by_sid["DbSnapshotTags"]["Resource"] == [snapshots]
    assert by_sid["KmsForStageData"]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]


def test_no_wildcard_actions_and_star_resources_only_where_unavoidable(run: RunProgram) -> None:
    inv = run(lambda: _role("production-deploy", _args(**FULL)))
    for statement in _statements(inv):
        assert statement["Effect"] == "Allow"
        actions = _as_list(statement["Action"])
        assert all("*" not in a and "?" not in a for a in actions), statement
        resources = _as_list(statement["Resource"])
        if "*" in resources:
            assert resources == ["*"]
            if actions != ["ecr:GetAuthorizationToken"]:
                # DescribeTaskDefinition cannot be scoped by ARN: the statement must carry a condition.
                assert actions == ["ecs:DescribeTaskDefinition"]
                assert statement["Condition"]


def test_sections_without_arns_are_left_out(run: RunProgram) -> None:
    inv = run(lambda: _role("staging-deploy", _args(ecr_repository_arns=FULL["ecr_repository_arns"])))
    assert [s["Sid"] for s in _statements(inv)] == ["EcrLogin", "EcrPushPull"]


def test_no_permissions_policy_without_any_arn(run: RunProgram) -> None:
    inv = run(lambda: _role("staging-deploy", _args()))
    assert inv.of_type(ROLE_POLICY) == []
    assert len(inv.of_type(ROLE)) == 1


def test_snapshot_prefix_override(run: RunProgram) -> None:
    inv = run(lambda: _role("d", _args(db_instance_arn=FULL["db_instance_arn"], db_snapshot_prefix="predeploy")))
    by_sid = {s["Sid"]: s for s in _statements(inv)}
    assert by_sid["DbSnapshotTags"]["Resource"] == [f"arn:aws:rds:us-east-1:{ACCT}:snapshot:predeploy-*"]


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"repository_owner": "exa*mple"}, "repository_owner"),
        ({"repository_owner": "-example"}, "repository_owner"),
        ({"repository": "sh?p"}, "repository"),
        ({"repository": "shop/*"}, "repository"),
        ({"environment": "prod*"}, "environment"),
        ({"environment": ""}, "environment"),
        ({"role_name": "bad role name"}, "role_name"),
        ({"role_name": "x" * 65}, "role_name"),
        ({"ecs_pass_role_arns": [f"arn:aws:iam::{ACCT}:role/t"]}, "ecs_pass_role_arns"),
        ({"db_snapshot_prefix": "pre*"}, "db_snapshot_prefix"),
        ({"ecr_repository_arns": ["arn:aws:ecr:us-east-1:1:repository/*"]}, "ecr_repository_arns"),
        ({"backup_bucket_arn": "shop-backups"}, "backup_bucket_arn"),
    ],
)
def test_bad_inputs_are_rejected(overrides: dict[str, Any], argument: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        run_program(lambda: _role("d", _args(**overrides)), project="stagecraft", stack="staging")
    assert err.value.argument == argument


def test_wildcard_environment_message() -> None:
    with pytest.raises(ComponentInputError) as err:
        run_program(lambda: _role("d", _args(environment="*")), project="stagecraft", stack="staging")
    assert str(err.value) == (
        "DeployRole: environment='*' is invalid: letters, digits, '.', '_' and '-' (no wildcards)"
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"ecs_run_task_families": ["shop-production-migrate"]},
            "DeployRole: ecs_run_task_families=['shop-production-migrate'] is invalid: task definitions are only",
        ),
        (
            {"ecs_cluster_arn": FULL["ecs_cluster_arn"], "ecs_task_family_prefix": "shop production"},
            "DeployRole: ecs_task_family_prefix='shop production' is invalid: 1-255 letters",
        ),
        (
            {"readable_log_group_arns": ["arn:aws:logs:us-east-1:1:log-group:/ecs/*:*"]},
            "DeployRole: readable_log_group_arns='arn:aws:logs:us-east-1:1:log-group:/ecs/*' is invalid: a concrete",
        ),
    ],
)
def test_one_off_task_arguments_are_checked(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        _args(**overrides) and DeployRole("bad", _args(**overrides))
    assert str(err.value).startswith(message), str(err.value)
