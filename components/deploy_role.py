"""The IAM role a stage's GitHub Actions deployments assume through GitHub's OIDC provider."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.naming import name_problems

_COMPONENT = "DeployRole"
OIDC_HOST = "token.actions.githubusercontent.com"
"""The issuer host of GitHub Actions' OIDC tokens; it prefixes the trust-policy condition keys."""
AUDIENCE = "sts.amazonaws.com"
"""The audience aws-actions/configure-aws-credentials requests by default."""
MAX_SESSION_SECONDS = 3600
"""One hour: a deployment that needs longer should be split, not given longer-lived credentials."""

# Only characters GitHub allows in owners, repositories and environment names that are also literal in
# an IAM condition: no '*' or '?' can turn the pinned subject into a pattern.
_OWNER = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")
_REPOSITORY = re.compile(r"[A-Za-z0-9._-]{1,100}")
_ENVIRONMENT = re.compile(r"[A-Za-z0-9._-]{1,255}")
_SNAPSHOT_PREFIX = re.compile(r"[a-z](?!.*--)[a-z0-9-]{0,199}(?<!-)")
_FAMILY = re.compile(r"[A-Za-z0-9_-]{1,255}")
SERVICE_AUTHORIZATION_ECS = (
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html"
)
"""Which ECS actions take which resources and condition keys."""

ECR_PUSH_PULL = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:DescribeImages",
    "ecr:DescribeRepositories",
    "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
)


@dataclass(frozen=True, kw_only=True)
class DeployRoleArgs:
    """Inputs of :class:`DeployRole`. Each optional ARN enables one section of the permissions policy."""

    role_name: str
    """Physical IAM role name."""
    oidc_provider_arn: pulumi.Input[str]
    """ARN of the account's GitHub OIDC identity provider (see ``GithubOidcProvider``)."""
    repository_owner: str
    """GitHub owner (organisation or user) of the repository."""
    repository: str
    """GitHub repository name (without owner)."""
    environment: str
    """GitHub environment (the stage) whose jobs may assume the role."""
    ecr_repository_arns: Sequence[pulumi.Input[str]] = ()
    """Registries the pipeline pushes to and pulls from."""
    eks_cluster_arn: pulumi.Input[str] | None = None
    """EKS cluster the pipeline describes (its Kubernetes rights come from the cluster's access entry)."""
    ecs_cluster_arn: pulumi.Input[str] | None = None
    """ECS cluster whose services the pipeline updates."""
    ecs_pass_role_arns: Sequence[pulumi.Input[str]] = ()
    """Task and execution roles the pipeline may put into task definitions (needs ``ecs_cluster_arn``)."""
    ecs_task_family_prefix: str | None = None
    """The stage's task-definition families are ``<prefix>-*``: the only ones the pipeline may register
    (needs ``ecs_cluster_arn``; the region and account come from it)."""
    ecs_run_task_families: Sequence[str] = ()
    """Families the pipeline may ``ecs:RunTask`` in the cluster (one-off tasks: migrations)."""
    readable_log_group_arns: Sequence[pulumi.Input[str]] = ()
    """Log groups (``...:log-group:<name>:*``) whose events the pipeline reads (the one-off tasks' output)."""
    backup_bucket_arn: pulumi.Input[str] | None = None
    """Bucket the pipeline writes pre-deploy backups to."""
    db_instance_arn: pulumi.Input[str] | None = None
    """Database instance the pipeline snapshots before deploying."""
    db_snapshot_prefix: str | None = None
    """Prefix of snapshots the pipeline may create; defaults to the instance identifier."""
    kms_key_arns: Sequence[pulumi.Input[str]] = ()
    """Keys encrypting the registries and the bucket (needed for SSE-KMS writes and encrypted pushes)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the role."""


class DeployRole(pulumi.ComponentResource):
    """An IAM role only GitHub Actions jobs of one repository environment can assume, scoped to one stage."""

    role_arn: pulumi.Output[str]
    """ARN to put in the environment's ``AWS_ROLE_ARN`` variable."""
    role_name: pulumi.Output[str]
    """The role's name."""

    def __init__(self, name: str, args: DeployRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:delivery:DeployRole", name, None, opts)
        _validate(args)
        child = pulumi.ResourceOptions(parent=self)

        subject = f"repo:{args.repository_owner}/{args.repository}:environment:{args.environment}"
        role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description=f"GitHub Actions deployments of {subject}",
            assume_role_policy=pulumi.Output.json_dumps(trust_policy(args.oidc_provider_arn, subject)),
            max_session_duration=MAX_SESSION_SECONDS,
            tags=dict(args.tags),
            opts=child,
        )
        statements = permission_statements(args)
        if statements:
            aws.iam.RolePolicy(
                f"{name}-permissions",
                role=role.name,
                policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}),
                opts=child,
            )

        self.role_arn = role.arn
        self.role_name = role.name
        self.register_outputs({"role_arn": self.role_arn, "role_name": self.role_name})


def trust_policy(provider_arn: pulumi.Input[str], subject: str) -> dict[str, Any]:
    """The trust policy: web identity from GitHub's provider, audience STS, subject pinned exactly."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{OIDC_HOST}:aud": AUDIENCE, f"{OIDC_HOST}:sub": subject},
                },
            }
        ],
    }


def permission_statements(args: DeployRoleArgs) -> list[dict[str, Any]]:
    """The permission statements for the ARNs given; a section whose ARNs are absent is left out."""
    out: list[dict[str, Any]] = []
    if args.ecr_repository_arns:
        # GetAuthorizationToken has no resource-level permissions: '*' is the only possible resource.
        out.append(_allow("EcrLogin", ["ecr:GetAuthorizationToken"], "*"))
        out.append(_allow("EcrPushPull", list(ECR_PUSH_PULL), list(args.ecr_repository_arns)))
    if args.eks_cluster_arn is not None:
        out.append(_allow("EksDescribe", ["eks:DescribeCluster"], [args.eks_cluster_arn]))
    if args.ecs_cluster_arn is not None:
        cluster = pulumi.Output.from_input(args.ecs_cluster_arn)
        out.append(
            _allow(
                "EcsServices",
                ["ecs:DescribeServices", "ecs:UpdateService"],
                [cluster.apply(_ecs_services_arn)],
            )
        )
        # DescribeTaskDefinition has no resource-level permissions: '*' is the only resource it matches
        # (SERVICE_AUTHORIZATION_ECS), so it is limited to the cluster's region instead.
        describe = _allow("EcsDescribeTaskDefinitions", ["ecs:DescribeTaskDefinition"], "*")
        describe["Condition"] = {"StringEquals": {"aws:RequestedRegion": cluster.apply(_arn_region)}}
        out.append(describe)
        if args.ecs_task_family_prefix is not None:
            # RegisterTaskDefinition takes the task-definition resource (family:revision), so the pipeline
            # registers only the stage's own families; tags on registration need TagResource on them too.
            pattern = f"{args.ecs_task_family_prefix}-*"
            families = cluster.apply(lambda arn: _task_definition_arn(arn, pattern))
            out.append(_allow("EcsRegisterStageTaskDefinitions", ["ecs:RegisterTaskDefinition"], [families]))
            tag = _allow("EcsTagOnRegister", ["ecs:TagResource"], [families])
            tag["Condition"] = {"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}}
            out.append(tag)
        if args.ecs_run_task_families:
            run = _allow(
                "EcsRunOneOffTasks",
                ["ecs:RunTask"],
                [cluster.apply(functools.partial(_task_definition_for, f)) for f in args.ecs_run_task_families],
            )
            run["Condition"] = {"ArnEquals": {"ecs:cluster": cluster}}
            out.append(run)
            out.append(
                _allow("EcsWatchOneOffTasks", ["ecs:DescribeTasks", "ecs:StopTask"], [cluster.apply(_ecs_tasks_arn)])
            )
        if args.ecs_pass_role_arns:
            pass_role = _allow("EcsPassTaskRoles", ["iam:PassRole"], list(args.ecs_pass_role_arns))
            pass_role["Condition"] = {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
            out.append(pass_role)
    if args.readable_log_group_arns:
        out.append(
            _allow(
                "ReadOneOffTaskLogs", ["logs:FilterLogEvents", "logs:GetLogEvents"], list(args.readable_log_group_arns)
            )
        )
    if args.backup_bucket_arn is not None:
        bucket = pulumi.Output.from_input(args.backup_bucket_arn)
        out.append(_allow("BackupList", ["s3:ListBucket"], [bucket]))
        out.append(
            _allow(
                "BackupWrite",
                ["s3:AbortMultipartUpload", "s3:PutObject"],
                [pulumi.Output.concat(bucket, "/*")],
            )
        )
    if args.db_instance_arn is not None:
        db = pulumi.Output.from_input(args.db_instance_arn)
        prefix = args.db_snapshot_prefix
        snapshots = db.apply(lambda arn: _snapshot_arn(arn, prefix))
        out.append(_allow("DbDescribe", ["rds:DescribeDBInstances"], [db]))
        out.append(_allow("DbSnapshot", ["rds:CreateDBSnapshot", "rds:DescribeDBSnapshots"], [db, snapshots]))
        out.append(_allow("DbSnapshotTags", ["rds:AddTagsToResource"], [snapshots]))
    if args.kms_key_arns:
        out.append(_allow("KmsForStageData", ["kms:Decrypt", "kms:GenerateDataKey"], list(args.kms_key_arns)))
    return out


def _allow(sid: str, actions: list[str], resources: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}


def _arn_parts(arn: str, service: str, kind_sep: str, kind: str) -> list[str]:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != service or not parts[5].startswith(f"{kind}{kind_sep}"):
        raise ValueError(f"{_COMPONENT}: {arn!r} is not an {service} {kind} ARN")
    return parts


def _ecs_services_arn(cluster_arn: str) -> str:
    parts = _arn_parts(cluster_arn, "ecs", "/", "cluster")
    cluster = parts[5].removeprefix("cluster/")
    return ":".join([*parts[:5], f"service/{cluster}/*"])


def _ecs_tasks_arn(cluster_arn: str) -> str:
    parts = _arn_parts(cluster_arn, "ecs", "/", "cluster")
    cluster = parts[5].removeprefix("cluster/")
    return ":".join([*parts[:5], f"task/{cluster}/*"])


def _task_definition_for(family: str, cluster_arn: str) -> str:
    return _task_definition_arn(cluster_arn, family)


def _task_definition_arn(cluster_arn: str, family: str) -> str:
    parts = _arn_parts(cluster_arn, "ecs", "/", "cluster")
    return ":".join([*parts[:5], f"task-definition/{family}:*"])


def _arn_region(arn: str) -> str:
    return arn.split(":")[3]


def _snapshot_arn(db_arn: str, prefix: str | None) -> str:
    parts = _arn_parts(db_arn, "rds", ":", "db")
    identifier = parts[5].removeprefix("db:")
    return ":".join([*parts[:5], f"snapshot:{prefix or identifier}-*"])


def _validate(args: DeployRoleArgs) -> None:
    problems = name_problems("iam-role", args.role_name)
    if problems:
        raise ComponentInputError(_COMPONENT, "role_name", args.role_name, "; ".join(problems))
    for argument, value, rule, allowed in (
        ("repository_owner", args.repository_owner, _OWNER, "a GitHub owner: letters, digits and single '-'"),
        (
            "repository",
            args.repository,
            _REPOSITORY,
            "a GitHub repository name: letters, digits, '.', '_', '-'",
        ),
        ("environment", args.environment, _ENVIRONMENT, "letters, digits, '.', '_' and '-' (no wildcards)"),
    ):
        if not rule.fullmatch(value):
            raise ComponentInputError(_COMPONENT, argument, value, allowed)
    if args.ecs_pass_role_arns and args.ecs_cluster_arn is None:
        raise ComponentInputError(
            _COMPONENT,
            "ecs_pass_role_arns",
            f"{len(args.ecs_pass_role_arns)} role ARN(s)",
            "task roles are only passed to ECS; give ecs_cluster_arn as well, or no pass roles",
        )
    for argument, families in (
        ("ecs_task_family_prefix", [args.ecs_task_family_prefix] if args.ecs_task_family_prefix else []),
        ("ecs_run_task_families", list(args.ecs_run_task_families)),
    ):
        if families and args.ecs_cluster_arn is None:
            raise ComponentInputError(
                _COMPONENT, argument, families, "task definitions are only for ECS; give ecs_cluster_arn as well"
            )
        for family in families:
            if not _FAMILY.fullmatch(family):
                raise ComponentInputError(_COMPONENT, argument, family, "1-255 letters, digits, '-' and '_'")
    if args.db_snapshot_prefix is not None and not _SNAPSHOT_PREFIX.fullmatch(args.db_snapshot_prefix):
        raise ComponentInputError(
            _COMPONENT,
            "db_snapshot_prefix",
            args.db_snapshot_prefix,
            "lowercase letters, digits and '-', starting with a letter, no '--', not ending in '-'",
        )
    arns: list[tuple[str, pulumi.Input[str] | None]] = [
        ("eks_cluster_arn", args.eks_cluster_arn),
        ("ecs_cluster_arn", args.ecs_cluster_arn),
        ("backup_bucket_arn", args.backup_bucket_arn),
        ("db_instance_arn", args.db_instance_arn),
        *(("ecr_repository_arns", v) for v in args.ecr_repository_arns),
        *(("ecs_pass_role_arns", v) for v in args.ecs_pass_role_arns),
        *(("kms_key_arns", v) for v in args.kms_key_arns),
        *(
            ("readable_log_group_arns", v.removesuffix(":*"))
            for v in args.readable_log_group_arns
            if isinstance(v, str)
        ),
    ]
    for arn_argument, arn in arns:
        # ARNs known now (plain strings) are checked now; resource outputs are ARNs by construction.
        if isinstance(arn, str) and (not arn.startswith("arn:") or "*" in arn or "?" in arn):
            raise ComponentInputError(_COMPONENT, arn_argument, arn, "a concrete ARN (no wildcards)")
