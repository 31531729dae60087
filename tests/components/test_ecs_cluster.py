from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from components.ecs_cluster import EcsCluster, EcsClusterArgs, validate_ecs_cluster_args
from components.errors import ComponentInputError
from stagecraft.plan.inventory import Inventory
from tests.conftest import RunProgram

KEY = "arn:aws:kms:us-east-1:123456789012:key/stage"
REPO = "arn:aws:ecr:us-east-1:123456789012:repository/shop/api"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop-db-AbCdEf"
PARAM = "arn:aws:ssm:us-east-1:123456789012:parameter/shop/staging/feature-flags"


def _args(**overrides: Any) -> EcsClusterArgs:
    base = EcsClusterArgs(
        cluster_name="shop-staging",
        vpc_id="vpc-0123",
        kms_key_arn=KEY,
        registry_arns=[REPO],
        secret_arns=[SECRET_ARN],
        parameter_arns=[PARAM],
        tags={"stage": "staging"},
    )
    return dataclasses.replace(base, **overrides)


def _build(run: RunProgram, args: EcsClusterArgs) -> Inventory:
    return run(lambda: _make(args))


def _make(args: EcsClusterArgs) -> None:
    EcsCluster("ecs", args)


def _policy(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else json.loads(value)


def test_cluster_insights_and_exec_logging_to_encrypted_group(run: RunProgram) -> None:
    inv = _build(run, _args(container_insights="enabled"))
    cluster = inv.one("aws:ecs/cluster:Cluster")
    log_group = inv.one("aws:cloudwatch/logGroup:LogGroup")
    assert cluster.inputs["name"] == "shop-staging"
    assert cluster.inputs["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    exec_config = cluster.inputs["configuration"]["executeCommandConfiguration"]
    assert exec_config["kmsKeyId"] == KEY  # the session channel is encrypted with the stage key
    assert exec_config["logging"] == "OVERRIDE"
    assert exec_config["logConfiguration"] == {
        "cloudWatchLogGroupName": "/ecs/shop-staging/exec",
        "cloudWatchEncryptionEnabled": True,
    }
    assert log_group.inputs["kmsKeyId"] == KEY
    assert log_group.inputs["retentionInDays"] == 90
    assert log_group.inputs["tags"] == {"stage": "staging"}
    assert inv.depends_on(cluster.urn, log_group.urn)


def test_default_strategy_has_fargate_base_and_spot_weight(run: RunProgram) -> None:
    inv = _build(run, _args(fargate_base=2, spot_weight=3))
    providers = inv.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
    assert providers.inputs["clusterName"] == "shop-staging"
    assert providers.inputs["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert providers.inputs["defaultCapacityProviderStrategies"] == [
        {"capacityProvider": "FARGATE", "base": 2, "weight": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3},
    ]


def test_spot_weight_zero_leaves_spot_out_of_the_default_strategy(run: RunProgram) -> None:
    inv = _build(run, _args(spot_weight=0))
    strategy = inv.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs[
        "defaultCapacityProviderStrategies"
    ]
    assert [s["capacityProvider"] for s in strategy] == ["FARGATE"]


def test_execution_role_is_scoped_to_stage_registries_secrets_and_key(run: RunProgram) -> None:
    inv = _build(run, _args())
    role = inv.one("aws:iam/role:Role", "ecs-execution-role")
    trust = _policy(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    attachment = inv.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs["policyArn"].endswith("service-role/AmazonECSTaskExecutionRolePolicy")
    statements = {s["Sid"]: s for s in _policy(inv.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])["Statement"]}
    assert statements["PullStageImages"]["Resource"] == [REPO]
    assert statements["ReadStageSecrets"] == {
        "Sid": "ReadStageSecrets",
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": [SECRET_ARN],
    }
    assert statements["ReadStageParameters"]["Resource"] == [PARAM]
    assert statements["DecryptWithStageKey"]["Resource"] == KEY
    assert all(s["Resource"] != "*" for s in statements.values())


def test_task_role_has_no_permissions_unless_exec_is_allowed(run: RunProgram) -> None:
    inv = _build(run, _args())
    assert inv.one("aws:iam/role:Role", "ecs-task-role").inputs["assumeRolePolicy"]
    assert [p.name for p in inv.of_type("aws:iam/rolePolicy:RolePolicy")] == ["ecs-execution-access"]
    attached_to = [a.inputs["role"] for a in inv.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")]
    assert len(attached_to) == 1 and attached_to[0].startswith("ecs-execution-role-")

    inv = _build(run, _args(allow_execute_command=True))
    exec_policy = _policy(inv.one("aws:iam/rolePolicy:RolePolicy", "ecs-task-exec").inputs["policy"])
    by_sid = {s["Sid"]: s for s in exec_policy["Statement"]}
    group = "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/shop-staging/exec"
    # Actions that accept only "*" get "*"; the others their resource type's ARN (service authorization reference).
    assert by_sid["ExecSessionChannels"]["Resource"] == "*"
    assert by_sid["ExecFindLogGroup"] == {
        "Sid": "ExecFindLogGroup",
        "Effect": "Allow",
        "Action": "logs:DescribeLogGroups",
        "Resource": "*",
    }
    assert (by_sid["ExecFindLogStreams"]["Action"], by_sid["ExecFindLogStreams"]["Resource"]) == (
        "logs:DescribeLogStreams",
        group,
    )
    writes = by_sid["ExecWriteSessionLogs"]
    assert writes["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert writes["Resource"] == f"{group}:log-stream:*"
    assert by_sid["ExecSessionKey"] == {
        "Sid": "ExecSessionKey",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": KEY,
    }
    assert not any("Condition" in st for st in exec_policy["Statement"])


def test_service_security_group_has_egress_and_no_ingress(run: RunProgram) -> None:
    inv = _build(run, _args())
    sg = inv.one("aws:ec2/securityGroup:SecurityGroup")
    assert sg.inputs["vpcId"] == "vpc-0123"
    assert "ingress" not in sg.inputs
    assert inv.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") == []
    egress = inv.one("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert egress.inputs["ipProtocol"] == "-1"


def test_outputs_and_tags(run: RunProgram) -> None:
    def program() -> None:
        import pulumi

        ecs = EcsCluster("ecs", _args())
        pulumi.export("name", ecs.cluster_name)
        pulumi.export("arn", ecs.cluster_arn)
        pulumi.export("log", ecs.exec_log_group_name)

    inv = run(program)
    assert inv.outputs == {
        "arn": "arn:aws:ecs:us-east-1:123456789012:cluster/shop-staging",
        "log": "/ecs/shop-staging/exec",
        "name": "shop-staging",
    }
    for r in inv.resources:
        if r.custom and r.type not in (
            "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        ):
            assert r.inputs["tags"] == {"stage": "staging"}, r.name


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"cluster_name": "shop staging"},
            "EcsCluster: cluster_name='shop staging' is invalid: ecs-cluster 'shop staging' does not match "
            "the rule: letters, digits, '-' and '_'",
        ),
        (
            {"container_insights": "disabled"},
            "EcsCluster: container_insights='disabled' is invalid: one of 'enhanced', 'enabled'",
        ),
        ({"fargate_base": -1}, "EcsCluster: fargate_base=-1 is invalid: an integer from 0 to 100000"),
        ({"spot_weight": 1001}, "EcsCluster: spot_weight=1001 is invalid: an integer from 0 to 1000"),
        (
            {"exec_log_retention_days": 10},
            "EcsCluster: exec_log_retention_days=10 is invalid: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, "
            "180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 days",
        ),
    ],
)
def test_validation_messages(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ComponentInputError) as raised:
        validate_ecs_cluster_args(_args(**overrides))
    assert str(raised.value) == message
