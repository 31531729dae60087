"""A one-off ECS Fargate task definition the pipeline runs for database migrations and pre-deploy backups."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.log_retention import check_log_retention
from components.naming import name_problems

_COMPONENT = "MigrationTask"
CONTAINER_NAME = "migrate"
"""The container's name: what ``--overrides '{"containerOverrides": [{"name": "migrate", ...}]}'`` names."""
BACKUP_PREFIX = "migrations/"
"""Key prefix of the backup bucket the migration identities may write (pre-migration ``pg_dump`` files)."""
ARCHITECTURES = ("X86_64", "ARM64")
_FAMILY = re.compile(r"[A-Za-z0-9_-]{1,255}")
# Fargate's task sizes: CPU units -> allowed memory in MiB
# (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size).
FARGATE_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}


@dataclass(frozen=True, kw_only=True)
class MigrationTaskArgs:
    """Inputs of :class:`MigrationTask`."""

    family: str
    """Task definition family (``<app>-<stage>-migrate``); the deploy role may run exactly this family."""
    task_role_name: str
    """Physical name of the task role, so the deploy role can name it in ``iam:PassRole`` before it exists."""
    account_id: str
    """The stage's account: the task role trusts ECS tasks of this account only (``aws:SourceAccount``)."""
    region: str
    """The stage's region (log configuration, ``kms:ViaService`` names)."""
    vpc_id: pulumi.Input[str]
    """VPC of the task's security group."""
    vpc_cidr: str
    """The VPC's CIDR: the task reaches the database port inside it, and HTTPS anywhere (AWS APIs, registry)."""
    image: pulumi.Input[str]
    """Container image, ``<registry url>:<tag>``; RunTask cannot override it (register a revision instead)."""
    execution_role_arn: pulumi.Input[str]
    """The cluster's task execution role (pulls the image, writes the log stream)."""
    kms_key_arn: pulumi.Input[str]
    """The stage key: the log group, the master secret and the backup bucket are encrypted with it."""
    database_security_group_id: pulumi.Input[str]
    """The database's security group; the task's group is admitted to it on ``database_port``."""
    database_port: int
    """The database's port."""
    database_address: pulumi.Input[str]
    """The database's host name, passed as ``DATABASE_HOST``."""
    database_name: str
    """The initial database, passed as ``DATABASE_NAME``."""
    master_secret_arn: pulumi.Input[str]
    """The database's master secret: the task role may read it; passed as ``DATABASE_SECRET_ARN``."""
    backup_bucket_arn: pulumi.Input[str] | None = None
    """Backup bucket the task may write pre-migration dumps to, under :data:`BACKUP_PREFIX`."""
    backup_bucket_name: pulumi.Input[str] | None = None
    """Its name, passed as ``BACKUP_S3_BUCKET`` (with ``BACKUP_S3_PREFIX``)."""
    cpu: int = 256
    """Fargate CPU units (256, 512, 1024, 2048, 4096, 8192, 16384)."""
    memory: int = 512
    """Memory in MiB, a size Fargate offers for ``cpu``."""
    architecture: str = "X86_64"
    """CPU architecture of the image: ``X86_64`` or ``ARM64``."""
    log_retention_days: int = 365
    """Retention of the task's log group ``/ecs/<family>``."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child."""


class MigrationTask(pulumi.ComponentResource):
    """Task definition, task role, log group and security group of the stage's migration task.

    The task role reads the database master secret (and decrypts it only through Secrets Manager) and may
    write backups under ``migrations/``; the security group is admitted to the database. Nothing runs until
    the pipeline calls ``ecs run-task`` (docs/components/data.md).
    """

    family: pulumi.Output[str]
    """The task definition family."""
    task_definition_arn: pulumi.Output[str]
    """The revision this stack registered."""
    task_role_arn: pulumi.Output[str]
    """The task role."""
    security_group_id: pulumi.Output[str]
    """The security group to pass in ``awsvpcConfiguration.securityGroups``."""
    log_group_name: pulumi.Output[str]
    """Where the task's output goes."""

    def __init__(self, name: str, args: MigrationTaskArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(args)
        super().__init__("stagecraft:data:MigrationTask", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        # name_prefix: a replaced group (another VPC) gets a fresh name instead of colliding with itself.
        sg = aws.ec2.SecurityGroup(
            f"{name}-sg",
            name_prefix=f"{args.family}-",
            description=f"Migration task {args.family}: the database and HTTPS out, nothing in",
            vpc_id=args.vpc_id,
            tags={**tags, "Name": args.family},
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-to-database",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=args.database_port,
            to_port=args.database_port,
            cidr_ipv4=args.vpc_cidr,
            description="PostgreSQL inside the VPC",
            tags=tags,
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-to-https",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
            description="AWS APIs and the registry (Secrets Manager, ECR, S3, CloudWatch Logs)",
            tags=tags,
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-into-database",
            security_group_id=args.database_security_group_id,
            referenced_security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=args.database_port,
            to_port=args.database_port,
            description="PostgreSQL from the migration task",
            tags=tags,
            opts=child,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/ecs/{args.family}",
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            tags=tags,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-task-role",
            name=args.task_role_name,
            description=f"Migration task {args.family}: reads the database master secret, writes backups",
            assume_role_policy=pulumi.Output.json_dumps(ecs_task_trust(args.account_id, args.region)),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-task-access",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                migration_access_policy(args.master_secret_arn, args.kms_key_arn, args.region, args.backup_bucket_arn)
            ),
            opts=child,
        )
        task = aws.ecs.TaskDefinition(
            f"{name}-task",
            family=args.family,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(args.cpu),
            memory=str(args.memory),
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture=args.architecture
            ),
            execution_role_arn=args.execution_role_arn,
            task_role_arn=role.arn,
            container_definitions=pulumi.Output.json_dumps([_container(args, log_group.name)]),
            tags=tags,
            opts=child,
        )

        self.family = task.family
        self.task_definition_arn = task.arn
        self.task_role_arn = role.arn
        self.security_group_id = sg.id
        self.log_group_name = log_group.name
        self.register_outputs(
            {
                "family": self.family,
                "task_definition_arn": self.task_definition_arn,
                "task_role_arn": self.task_role_arn,
                "security_group_id": self.security_group_id,
                "log_group_name": self.log_group_name,
            }
        )


def _container(args: MigrationTaskArgs, log_group: pulumi.Output[str]) -> dict[str, Any]:
    environment: list[dict[str, Any]] = [
        {"name": "DATABASE_HOST", "value": args.database_address},
        {"name": "DATABASE_PORT", "value": str(args.database_port)},
        {"name": "DATABASE_NAME", "value": args.database_name},
        {"name": "DATABASE_SECRET_ARN", "value": args.master_secret_arn},
    ]
    if args.backup_bucket_name is not None:
        environment.append({"name": "BACKUP_S3_BUCKET", "value": args.backup_bucket_name})
        environment.append({"name": "BACKUP_S3_PREFIX", "value": BACKUP_PREFIX})
    return {
        "name": CONTAINER_NAME,
        "image": args.image,
        "essential": True,
        "readonlyRootFilesystem": False,
        "environment": environment,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group,
                "awslogs-region": args.region,
                "awslogs-stream-prefix": CONTAINER_NAME,
            },
        },
    }


def ecs_task_trust(account_id: str, region: str) -> dict[str, Any]:
    """ECS tasks of this account (and region) only: ``aws:SourceAccount`` and ``aws:SourceArn``."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account_id},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{region}:{account_id}:*"},
                },
            }
        ],
    }


def migration_access_policy(
    secret_arn: pulumi.Input[str],
    kms_key_arn: pulumi.Input[str],
    region: str,
    backup_bucket_arn: pulumi.Input[str] | None = None,
) -> dict[str, Any]:
    """What a migration identity may do: read the master secret; write backups under :data:`BACKUP_PREFIX`.

    The stage key is used only through Secrets Manager (and S3 for backups), so these credentials cannot
    decrypt anything else encrypted with it.
    """
    via = [f"secretsmanager.{region}.amazonaws.com"]
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ReadDatabaseMasterSecret",
            "Effect": "Allow",
            "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
            "Resource": secret_arn,
        },
    ]
    if backup_bucket_arn is not None:
        via.append(f"s3.{region}.amazonaws.com")
        statements.append(
            {
                "Sid": "WriteMigrationBackups",
                "Effect": "Allow",
                "Action": ["s3:AbortMultipartUpload", "s3:PutObject"],
                "Resource": pulumi.Output.concat(backup_bucket_arn, "/", BACKUP_PREFIX, "*"),
            }
        )
        statements.append(
            {
                "Sid": "EncryptMigrationBackups",
                "Effect": "Allow",
                "Action": "kms:GenerateDataKey",
                "Resource": kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            }
        )
    statements.append(
        {
            "Sid": "DecryptThroughServices",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": kms_key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": via}},
        }
    )
    return {"Version": "2012-10-17", "Statement": statements}


def fargate_size_problem(cpu: int, memory: int) -> tuple[str, int, str] | None:
    """``(argument, value, allowed)`` when Fargate offers no task of ``cpu`` units and ``memory`` MiB."""
    if cpu not in FARGATE_SIZES:
        return "cpu", cpu, "one of " + ", ".join(map(str, FARGATE_SIZES)) + " CPU units (Fargate)"
    sizes = FARGATE_SIZES[cpu]
    if memory not in sizes:
        steps = sizes[1] - sizes[0]
        return "memory", memory, f"{sizes[0]}-{sizes[-1]} MiB in steps of {steps} for {cpu} CPU units (Fargate)"
    return None


def _validate(args: MigrationTaskArgs) -> None:
    if not _FAMILY.fullmatch(args.family):
        raise ComponentInputError(_COMPONENT, "family", args.family, "1-255 letters, digits, '-' and '_'")
    problems = name_problems("iam-role", args.task_role_name)
    if problems:
        raise ComponentInputError(_COMPONENT, "task_role_name", args.task_role_name, "; ".join(problems))
    size = fargate_size_problem(args.cpu, args.memory)
    if size is not None:
        raise ComponentInputError(_COMPONENT, *size)
    if args.architecture not in ARCHITECTURES:
        raise ComponentInputError(_COMPONENT, "architecture", args.architecture, "X86_64 or ARM64")
    if not 1 <= args.database_port <= 65535:
        raise ComponentInputError(_COMPONENT, "database_port", args.database_port, "1-65535")
    check_log_retention(_COMPONENT, "log_retention_days", args.log_retention_days)
