"""The stage's delivery: GitHub provider, deploy identity (OIDC provider + role), environment and protection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_github as github

from components.branch_protection import BranchProtection, BranchProtectionArgs
from components.deploy_role import DeployRole, DeployRoleArgs
from components.ecs_cluster import EcsCluster
from components.github_environment import GithubEnvironment, GithubEnvironmentArgs
from components.github_oidc_provider import GithubOidcProvider, GithubOidcProviderArgs
from components.repository_secrets import RepositorySecrets, RepositorySecretsArgs
from components.stage_key import StageKey
from infra.config import ConfigError, ConfigProblem
from infra.config.delivery import OIDC_PROVIDER_ARN
from infra.config.loader import STAGE_KEY
from infra.config.secrets import SECRETS_KEY
from infra.context import StageContext


@dataclass(frozen=True)
class DeliveryStage:
    """What :func:`build_delivery` created for the stage."""

    environment: GithubEnvironment
    """The stage's GitHub environment (reviewers, wait timer, deployment policies, secrets, variables)."""
    branch_protection: BranchProtection
    """Protection of the stage's deploy branch (classic or ruleset)."""
    repository_secrets: RepositorySecrets | None
    """Repository-level secrets this stage owns, when ``stagecraft:secrets.repository`` has any."""


def github_provider(ctx: StageContext) -> github.Provider:
    """The GitHub provider for the stage's repository owner; pass it to every GitHub component.

    The owner is the owner part of ``stagecraft:stage.repository`` (``github:owner``, when set, was
    checked to be equal). The token comes from ``GITHUB_TOKEN`` in the environment (the provider reads
    it itself); a ``github:token`` in config is used only when it is ``secure:`` (the loader refuses
    plain text).
    """
    token = pulumi.Config("github").get_secret("token")
    return github.Provider(f"{ctx.name}-github", owner=ctx.config.github_owner, token=token)


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
    """The account's GitHub OIDC provider (created or adopted) and the stage's deploy role.

    The role trusts only jobs running in the stage's environment of the configured repository, and may
    act only on the stage's resources, named by their predictable ARNs (``ctx.names``) because most are
    created after it: the registries of ``repositories``, the EKS cluster when ``eks_enabled``, the ECS
    cluster and ``iam:PassRole`` on its task roles when ``ecs`` is given, the backup bucket and the
    database (and its snapshots) unless disabled, and the stage key.
    """
    settings = ctx.config.settings.github
    names = ctx.names
    existing = None if settings.oidc_provider == "create" else settings.oidc_provider
    if existing is not None:
        match = OIDC_PROVIDER_ARN.fullmatch(existing)
        if match is not None and match.group(1) != ctx.account_id:
            # IAM only lets a role trust an identity provider of its own account.
            raise ConfigError(
                [
                    ConfigProblem(
                        f"{STAGE_KEY}.github.oidc_provider",
                        f"{existing!r} is in account {match.group(1)}, but the stage deploys into account "
                        f"{ctx.account_id}; use that account's provider, or 'create'",
                    )
                ]
            )
    provider = GithubOidcProvider(
        f"{ctx.name}-github-oidc", GithubOidcProviderArgs(existing_arn=existing, tags=ctx.tags)
    )
    return DeployRole(
        f"{ctx.name}-deploy",
        DeployRoleArgs(
            role_name=names.deploy_role,
            oidc_provider_arn=provider.arn,
            repository_owner=ctx.config.github_owner,
            repository=ctx.config.github_repository,
            environment=ctx.config.stage,
            ecr_repository_arns=[names.registry_arn(r) for r in repositories],
            eks_cluster_arn=names.eks_cluster_arn if eks_enabled else None,
            ecs_cluster_arn=names.ecs_cluster_arn if ecs is not None else None,
            ecs_pass_role_arns=[ecs.execution_role_arn, ecs.task_role_arn] if ecs is not None else [],
            backup_bucket_arn=names.backup_bucket_arn if backups_enabled else None,
            db_instance_arn=names.database_arn if database_enabled else None,
            db_snapshot_prefix=names.database if database_enabled else None,
            kms_key_arns=[key.key_arn],
            tags=ctx.tags,
        ),
    )


def build_delivery(
    ctx: StageContext, gh: github.Provider, identity: DeployRole, variables: Mapping[str, pulumi.Input[str]]
) -> DeliveryStage:
    """The stage's GitHub environment, deploy-branch protection and repository-level secrets.

    ``variables`` are the stage outputs pipelines need (``AWS_REGION``, ``AWS_ROLE_ARN``, registry URLs,
    cluster names, ...), assembled by the program; ``github.variables`` from config are added to them and
    may not redefine one. Secret values are read from ``stagecraft:secrets`` as secret Outputs, one per
    name; they are never plain values in the program. ``AWS_REGION`` and ``AWS_ROLE_ARN`` (the ARN of
    ``identity``, the stage's deploy role) are always wired; ``variables`` may give them explicitly.
    """
    settings = ctx.config.settings.github
    wired: dict[str, pulumi.Input[str]] = {
        "AWS_REGION": ctx.config.region,
        "AWS_ROLE_ARN": identity.role_arn,
        **variables,
    }
    clashes = sorted(n for n in settings.variables if n.upper() in {w.upper() for w in wired})
    if clashes:
        raise ConfigError(
            [
                ConfigProblem(
                    f"{STAGE_KEY}.github.variables.{name}",
                    f"{name!r} is set by stagecraft from the stage's outputs ({', '.join(sorted(wired))}); "
                    "use another name",
                )
                for name in clashes
            ]
        )
    repository = ctx.config.github_repository
    opts = pulumi.ResourceOptions(providers={"github": gh})
    env_secrets, repo_secrets = _secret_values(ctx)
    environment = GithubEnvironment(
        ctx.name,
        GithubEnvironmentArgs(
            repository=repository,
            stage=ctx.config.stage,
            reviewers=settings.reviewers,
            wait_timer_minutes=settings.wait_timer_minutes,
            prevent_self_review=settings.prevent_self_review,
            can_admins_bypass=settings.can_admins_bypass,
            branch_patterns=[settings.deploy_branch],
            tag_patterns=settings.tag_patterns,
            secrets=env_secrets,
            variables={**wired, **settings.variables},
        ),
        opts=opts,
    )
    protection = BranchProtection(
        ctx.name,
        BranchProtectionArgs(
            repository=repository,
            branch=settings.deploy_branch,
            mode=settings.protection,
            status_checks=settings.status_checks,
            required_approving_reviews=settings.required_approving_reviews,
            dismiss_stale_reviews=settings.dismiss_stale_reviews,
            require_code_owner_reviews=settings.require_code_owner_reviews,
            require_last_push_approval=settings.require_last_push_approval,
            require_conversation_resolution=settings.require_conversation_resolution,
            enforce_admins=settings.enforce_admins,
            require_linear_history=settings.require_linear_history,
            require_signed_commits=settings.require_signed_commits,
            required_deployments=settings.required_deployments,
        ),
        opts=opts,
    )
    shared = (
        RepositorySecrets(ctx.name, RepositorySecretsArgs(repository=repository, secrets=repo_secrets), opts=opts)
        if repo_secrets
        else None
    )
    return DeliveryStage(environment=environment, branch_protection=protection, repository_secrets=shared)


def _secret_values(ctx: StageContext) -> tuple[dict[str, pulumi.Output[str]], dict[str, pulumi.Output[str]]]:
    """Environment and repository secret values as secret Outputs, by the names the loader validated."""
    names = ctx.config.secrets
    if not names.environment and not names.repository:
        return {}, {}
    if not pulumi.runtime.is_config_secret(SECRETS_KEY):
        # The loader already refuses plain values; this guards a config map that bypassed it.
        raise ConfigError(
            [ConfigProblem(SECRETS_KEY, "is not secret in the stack; set each value with `pulumi config set --secret`")]
        )
    secrets: pulumi.Output[Any] = pulumi.Config("stagecraft").require_secret_object("secrets")

    def pick(scope: str, name: str) -> pulumi.Output[str]:
        return pulumi.Output.secret(secrets.apply(lambda s: str(s[scope][name])))

    return (
        {name: pick("environment", name) for name in names.environment},
        {name: pick("repository", name) for name in names.repository},
    )
