"""The account bootstrap program: state bucket, secrets key, GitHub OIDC provider and per-stage Pulumi roles.

Runs once per AWS account (``bootstrap/Pulumi.<name>.yaml``), first with a local backend; see
docs/components/bootstrap.md for the order of commands and how its own state moves into the bucket.
"""

from __future__ import annotations

import pulumi

from components.github_connection import GITHUB_CONNECTION_NAME, GithubConnection, GithubConnectionArgs
from components.github_oidc_provider import GithubOidcProvider, GithubOidcProviderArgs
from components.pulumi_roles import PulumiRoles, PulumiRolesArgs
from components.secrets_key import SecretsKey, SecretsKeyArgs
from components.state_bucket import StateBucket, StateBucketArgs
from infra.config.account import AccountConfig, load_account_config
from infra.program import engine_config

STAGE_PROJECT = "stagecraft"
CLUSTER_PROJECT = "stagecraft-cluster"
STAGE_RUN_PROJECTS = (STAGE_PROJECT, CLUSTER_PROJECT)
"""The projects whose stack of a stage the stage's Pulumi roles run: the stage (root ``Pulumi.yaml``) and its
Kubernetes objects (``cluster/Pulumi.yaml``), whose deploy-workflow jobs assume the same deploy role. The DIY
backend keeps state per project (``.pulumi/stacks/<project>/<stack>.json``), so each needs its own grant."""
"""The stage project (``Pulumi.yaml`` at the repository root) whose stacks the Pulumi roles run."""
GITHUB_APP_ID_VARIABLE = "STAGECRAFT_APP_ID"
"""Repository variable holding the GitHub App's id (workflows mint installation tokens with it)."""
GITHUB_APP_KEY_SECRET = "STAGECRAFT_APP_PRIVATE_KEY"
"""Repository secret holding the GitHub App's private key."""


STATE_LOCK_DAYS = 30
"""Object-lock retention of state versions (shorter when the config keeps history for less)."""


READER_APP_ID_VARIABLE = "STAGECRAFT_READER_APP_ID"
"""The read-only GitHub App's client id, on each ``<environment>-preview`` (docs/workflows.md)."""
READER_APP_KEY_SECRET = "STAGECRAFT_READER_APP_PRIVATE_KEY"
"""Its private key, an environment secret of each ``<environment>-preview``."""


def main() -> None:
    """Entry point of ``bootstrap/__main__.py`` (``pulumi up``) and of the offline plan."""
    build_account(load_account_config(pulumi.get_stack(), engine_config()))


def build_account(config: AccountConfig) -> None:
    """Create the account's shared resources and each listed stage's roles; export what people need next."""
    names = config.names
    tags = {"managed-by": "pulumi-stagecraft", "stagecraft-layer": "bootstrap"}
    key = SecretsKey(
        "stagecraft-secrets",
        SecretsKeyArgs(alias_name=names.secrets_key_alias, account_id=config.account_id, tags=tags),
    )
    bucket = StateBucket(
        "stagecraft-state",
        StateBucketArgs(
            bucket_name=names.state_bucket,
            kms_key_arn=key.key_arn,
            noncurrent_version_days=config.settings.noncurrent_version_days,
            object_lock_days=min(STATE_LOCK_DAYS, config.settings.noncurrent_version_days),
            tags=tags,
        ),
    )
    oidc = GithubOidcProvider("github-actions", GithubOidcProviderArgs(tags=tags))
    connection = (
        GithubConnection("github", GithubConnectionArgs(tags=tags)) if config.settings.github_connection else None
    )

    stages: dict[str, dict[str, pulumi.Input[str]]] = {}
    for stage in config.settings.stages:
        stage_names = config.stage_names(stage)
        environment = stage.environment_name
        preview_environment = environment + stage_names.preview_environment_suffix
        roles = PulumiRoles(
            stage_names.prefix,
            PulumiRolesArgs(
                prefix=stage_names.prefix,
                preview_role_name=stage_names.pulumi_preview_role,
                deploy_role_name=stage_names.pulumi_deploy_role,
                account_id=config.account_id,
                region=config.region,
                additional_regions=tuple(stage.additional_regions),
                oidc_provider_arn=oidc.arn,
                repository_owner=stage.owner,
                repository=stage.repository_name,
                environment=environment,
                preview_environment=preview_environment,
                state_bucket_arn=names.state_bucket_arn,
                secrets_key_arn=key.key_arn,
                secrets_key_alias_arn=names.secrets_key_alias_arn,
                stack=stage.stage,
                projects=STAGE_RUN_PROJECTS,
                tags={**tags, "project": stage.app, "stage": stage.stage, "repository": stage.repository},
            ),
        )
        stages[stage_names.prefix] = {
            "environment": environment,
            "preview_environment": preview_environment,
            "pulumi_deploy_role_arn": roles.deploy_role_arn,
            "pulumi_preview_role_arn": roles.preview_role_arn,
        }

    pulumi.export("account_id", config.account_id)
    pulumi.export("region", config.region)
    pulumi.export("state_bucket", bucket.bucket_name)
    pulumi.export("backend_url", names.backend_url)
    pulumi.export("secrets_provider", names.secrets_provider)
    pulumi.export("secrets_key_arn", key.key_arn)
    pulumi.export("oidc_provider_arn", oidc.arn)
    pulumi.export("stages", stages)
    if connection is not None:
        pulumi.export("github_connection_arn", connection.arn)
    pulumi.export("next_steps", "\n".join(next_steps(config)))


def next_steps(config: AccountConfig) -> list[str]:
    """The commands to run after the bootstrap, in order, per stage; then the GitHub connection's approval.

    Workflows need no variables for backends or roles: they derive the backend, the secrets provider and both
    role ARNs from the stage's stack file (``infra/naming.py``). The GitHub Apps' ids and keys are set on the
    stage's environments, never on the repository, where every workflow could read them (docs/workflows.md);
    the environments exist once the stage's first `pulumi up` created them.
    """
    names = config.names
    lines: list[str] = []
    for stage in config.settings.stages:
        env, preview = stage.environment_name, f"{stage.environment_name}-preview"
        repo = stage.repository
        lines += [
            f"# {stage.app} {stage.stage} (account {config.account_id}, {config.region}): "
            "in the stage project (the repository root), before any `pulumi config set`",
            f"pulumi login '{names.backend_url}'",
            f"pulumi stack init {stage.stage} --secrets-provider='{names.secrets_provider}'",
            f"# after its first `pulumi up`: the writer App on {env}, the reader App on {preview}",
            f"gh variable set {GITHUB_APP_ID_VARIABLE} --repo {repo} --env {env} --body '<writer App client id>'",
            f"gh secret set {GITHUB_APP_KEY_SECRET} --repo {repo} --env {env} < '<writer App private key .pem>'",
            f"gh variable set {READER_APP_ID_VARIABLE} --repo {repo} --env {preview} --body '<reader App client id>'",
            f"gh secret set {READER_APP_KEY_SECRET} --repo {repo} --env {preview} < '<reader App private key .pem>'",
        ]
    if config.settings.github_connection:
        lines += [
            "# once per account, before any stage's first `pulumi up`: approve the GitHub connection "
            f"{GITHUB_CONNECTION_NAME!r} (PENDING until then) as an owner of {config.settings.stages[0].owner} "
            "(docs/components/runner.md)",
            f"# console: https://{config.region}.console.aws.amazon.com/codesuite/settings/connections?region={config.region}"
            " > the connection > Update pending connection > install or choose the AWS Connector for GitHub app",
        ]
    return lines
