"""The stage's delivery: the application's deploy role and the stage's GitHub environment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.deploy_role import DeployRole, DeployRoleArgs
from components.ecs_cluster import EcsCluster
from components.github_environment import GithubEnvironment, GithubEnvironmentArgs
from components.stage_key import StageKey
from infra.config import ConfigError, ConfigProblem
from infra.config.secrets import SECRETS_KEY
from infra.context import StageContext
from infra.migrations import migrations_enabled
from infra.naming import MigrationNames


@dataclass(frozen=True)
class DeliveryStage:
    """What :func:`build_delivery` created for the stage."""

    environment: GithubEnvironment
    """The stage's GitHub environment (reviewers, wait timer, deployment policies, secrets, variables)."""


def build_identity(
    ctx: StageContext,
    key: StageKey,
    ecs: EcsCluster | None,
    *,
    repositories: Sequence[str],
    eks_enabled: bool,
    database_enabled: bool = True,
    backups_enabled: bool = True,
) -> DeployRole:
    """The application pipeline's deploy role, trusted through the account's GitHub OIDC provider.

    The provider is the account bootstrap's (``bootstrap/``): IAM fixes its ARN, so the stage names it
    instead of creating or adopting it. The role trusts only jobs running in the stage's environment of the
    configured repository, and may act only on the stage's resources, named by their predictable ARNs
    (``ctx.names``) because most are created after it: the registries of ``repositories``, the EKS cluster
    when ``eks_enabled``, the ECS cluster and ``iam:PassRole`` on its task roles when ``ecs`` is given, the
    backup bucket and the database (and its snapshots) unless disabled, and the stage key.

    With ECS it may register task definitions of the stage's families only (``<app>-<stage>-*``, the
    naming rule for application families), and run the migration task ``<app>-<stage>-migrate`` in the
    stage cluster, passing exactly its task role and the cluster's execution role.
    """
    names = ctx.names
    migration = MigrationNames(names)
    run_migrations = ecs is not None and database_enabled and migrations_enabled(ctx.config) and bool(repositories)
    pass_roles: list[pulumi.Input[str]] = [ecs.execution_role_arn, ecs.task_role_arn] if ecs is not None else []
    if run_migrations:
        pass_roles.append(migration.task_role_arn)
    return DeployRole(
        f"{ctx.name}-deploy",
        DeployRoleArgs(
            role_name=names.deploy_role,
            oidc_provider_arn=names.account.oidc_provider_arn,
            repository_owner=ctx.config.github_owner,
            repository=ctx.config.github_repository,
            environment=ctx.config.environment,
            ecr_repository_arns=[names.registry_arn(r) for r in repositories],
            eks_cluster_arn=names.eks_cluster_arn if eks_enabled else None,
            ecs_cluster_arn=names.ecs_cluster_arn if ecs is not None else None,
            ecs_pass_role_arns=pass_roles,
            ecs_task_family_prefix=names.prefix if ecs is not None else None,
            ecs_run_task_families=[migration.family] if run_migrations else [],
            readable_log_group_arns=[migration.log_group_arn] if run_migrations else [],
            backup_bucket_arn=names.backup_bucket_arn if backups_enabled else None,
            db_instance_arn=names.database_arn if database_enabled else None,
            db_snapshot_prefix=names.database if database_enabled else None,
            kms_key_arns=[key.key_arn],
            tags=ctx.tags,
        ),
    )


def build_delivery(
    ctx: StageContext, identity: DeployRole, variables: Mapping[str, pulumi.Input[str]]
) -> DeliveryStage:
    """The stage's GitHub environment: reviewers, wait timer, deployment policies, secrets and variables.

    GitHub resources use the default GitHub provider, configured by ``github:owner`` in the stack file; its
    token comes from ``GITHUB_TOKEN`` at run time and is never stored. (An explicit ``github.Provider``
    reads ``GITHUB_TOKEN`` into its inputs, so the token would be stored in state and a rotated token would
    show as a change on every refresh.) Branch protection and repository-level secrets are the repository
    layer's (``repository/``).

    ``variables`` are the stage outputs pipelines need (``AWS_REGION``, ``AWS_ROLE_ARN``, registry URLs,
    cluster names, ...), assembled by the program; ``github.variables`` from config are added to them (the
    loader refuses one that reuses a wired name: ``infra.config.delivery.wired_variables``). Secret values
    are read from ``stagecraft:secrets.environment`` as secret Outputs, one per declared name. ``AWS_REGION``
    and ``AWS_ROLE_ARN`` (the ARN of ``identity``, the stage's deploy role) are always wired; ``variables`` may
    give them explicitly.
    """
    settings = ctx.config.settings.github
    wired: dict[str, pulumi.Input[str]] = {
        "AWS_REGION": ctx.config.region,
        "AWS_ROLE_ARN": identity.role_arn,
        **variables,
    }
    environment = GithubEnvironment(
        ctx.name,
        GithubEnvironmentArgs(
            repository=ctx.config.github_repository,
            environment=ctx.config.environment,
            reviewers=settings.reviewers,
            wait_timer_minutes=settings.wait_timer_minutes,
            prevent_self_review=settings.self_review_prevented,
            can_admins_bypass=settings.can_admins_bypass,
            branch_patterns=[settings.deploy_branch] if settings.deploy_branch else [],
            tag_patterns=settings.tag_patterns,
            secrets=_secret_values(ctx),
            variables={**wired, **settings.variables},
        ),
    )
    return DeliveryStage(environment=environment)


def _secret_values(ctx: StageContext) -> dict[str, pulumi.Output[str]]:
    """The environment's secret values as secret Outputs, by the names the loader validated."""
    names = ctx.config.secrets.environment
    if not names:
        return {}
    if not pulumi.runtime.is_config_secret(SECRETS_KEY):
        # The loader already refuses plain values; this guards a config map that bypassed it.
        raise ConfigError(
            [ConfigProblem(SECRETS_KEY, "is not secret in the stack; set each value with `pulumi config set --secret`")]
        )
    secrets: pulumi.Output[Any] = pulumi.Config("stagecraft").require_secret_object("secrets")

    def pick(name: str) -> pulumi.Output[str]:
        return pulumi.Output.secret(secrets.apply(lambda s: str(s["environment"][name])))

    return {name: pick(name) for name in names}
