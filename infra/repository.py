"""The repository layer's program (``repository/``): what one GitHub repository owns, whatever its stages.

Protection of each long-lived branch, release-tag rulesets, repository-level Actions secrets and
variables, and the stages' preview environments (``<environment>-preview``). Every resource uses the
default GitHub provider, configured by ``github:owner`` in the stack file, with the token from
``GITHUB_TOKEN`` at run time: an explicit ``github.Provider`` would copy the token into the state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi

from components.branch_protection import BranchProtection, BranchProtectionArgs
from components.github_environment import GithubEnvironment, GithubEnvironmentArgs, pattern_key
from components.repository_secrets import RepositorySecrets, RepositorySecretsArgs
from components.tag_ruleset import TagRuleset, TagRulesetArgs
from infra.config.errors import ConfigError, ConfigProblem
from infra.config.repository import RepositoryConfig, load_repository_config
from infra.config.secrets import SECRET_PLACEHOLDER, SECRETS_KEY
from infra.program import engine_config

ANY_BRANCH = ("*", "**/*")
"""Deployment branch patterns matching every branch. GitHub matches them with Ruby's ``File.fnmatch`` and
``*`` does not match ``/`` (https://docs.github.com/en/rest/deployments/branch-policies, "Wildcard characters
will not match /"), so ``**/*`` adds the branches with a slash (``**/`` matches directories recursively:
https://ruby-doc.org/core-2.5.1/File.html#method-c-fnmatch)."""


@dataclass(frozen=True)
class RepositoryLayer:
    """What :func:`build_repository` created."""

    branches: dict[str, BranchProtection]
    """Protection of each long-lived branch, by branch name."""
    tags: dict[str, TagRuleset]
    """Release-tag rulesets, by key."""
    shared: RepositorySecrets | None
    """Repository-level secrets and variables, when any are configured."""
    previews: dict[str, GithubEnvironment]
    """Preview environments, by name."""


def main(*, offline: bool = False) -> None:
    """Entry point of ``repository/__main__.py`` (``pulumi up``); ``offline=True`` for ``stagecraft plan``.

    Offline, a declared secret without a value is planned as ``[secret]``; a real run stops first.
    """
    config = load_repository_config(pulumi.get_stack(), engine_config())
    build_repository(config, offline=offline)


def build_repository(config: RepositoryConfig, *, offline: bool = False) -> RepositoryLayer:
    """Create the repository's protection, rulesets, shared secrets and variables, and preview environments.

    Raises :class:`ConfigError` before creating anything when a declared secret has no value (unless
    ``offline``), naming each one and the command that sets it.
    """
    if config.missing_secrets and not offline:
        raise ConfigError(
            [
                ConfigProblem(
                    f"{SECRETS_KEY}.repository.{name}",
                    f"is declared in stagecraft:repository.secrets but has no value; set it (in repository/) with "
                    f"`{config.secret_command(name)}`",
                )
                for name in config.missing_secrets
            ]
        )
    settings = config.settings
    prefix = config.name
    branches = {
        branch: BranchProtection(
            f"{prefix}-branch-{pattern_key(branch)}",
            BranchProtectionArgs(
                repository=config.name,
                branch=branch,
                mode=s.mode,
                status_checks=s.status_checks,
                required_approving_reviews=s.required_approving_reviews,
                dismiss_stale_reviews=s.dismiss_stale_reviews,
                require_code_owner_reviews=s.require_code_owner_reviews,
                require_last_push_approval=s.require_last_push_approval,
                require_conversation_resolution=s.require_conversation_resolution,
                enforce_admins=s.enforce_admins,
                require_linear_history=s.require_linear_history,
                require_signed_commits=s.require_signed_commits,
                required_deployments=s.required_deployments,
            ),
        )
        for branch, s in sorted(settings.branches.items())
    }
    tags = {
        key: TagRuleset(
            f"{prefix}-tags-{key}",
            TagRulesetArgs(repository=config.name, patterns=t.patterns, bypass_actors=t.bypass),
        )
        for key, t in sorted(settings.tags.items())
    }
    shared = (
        RepositorySecrets(
            prefix,
            RepositorySecretsArgs(
                repository=config.name, secrets=_secret_values(config), variables=dict(settings.variables)
            ),
        )
        if settings.secrets or settings.variables
        else None
    )
    previews = {
        name: GithubEnvironment(
            f"{prefix}-{name}",
            GithubEnvironmentArgs(
                repository=config.name,
                stage=name,
                # No reviewers here: GitHub refuses prevent_self_review without one (422, safe-settings#628).
                prevent_self_review=False,
                # No patterns: only protected branches may use the environment (GithubEnvironment).
                branch_patterns=ANY_BRANCH if preview.branches == "any" else (),
            ),
        )
        for name, preview in sorted(settings.preview_environments.items())
    }

    pulumi.export("repository", settings.repository)
    pulumi.export("protected_branches", sorted(branches))
    pulumi.export("tag_patterns", sorted(p for t in settings.tags.values() for p in t.patterns))
    pulumi.export("preview_environments", sorted(previews))
    pulumi.export("secret_names", sorted(settings.secrets))
    pulumi.export("variable_names", sorted(settings.variables))
    return RepositoryLayer(branches=branches, tags=tags, shared=shared, previews=previews)


def _secret_values(config: RepositoryConfig) -> dict[str, pulumi.Output[str]]:
    """Each declared secret as a secret Output: its value from the engine, or (offline) the placeholder."""
    values: dict[str, pulumi.Output[str]] = {
        name: pulumi.Output.secret(SECRET_PLACEHOLDER) for name in config.missing_secrets
    }
    if not config.secrets_set:
        return values
    if not pulumi.runtime.is_config_secret(SECRETS_KEY):
        # The loader already refuses plain values; this guards a config map that bypassed it.
        raise ConfigError(
            [ConfigProblem(SECRETS_KEY, "is not secret in the stack; set each value with `pulumi config set --secret`")]
        )
    secrets: pulumi.Output[Any] = pulumi.Config("stagecraft").require_secret_object("secrets")
    for name in config.secrets_set:
        values[name] = pulumi.Output.secret(secrets.apply(_pick(name)))
    return values


def _pick(name: str) -> Callable[[Any], str]:
    return lambda secrets: str(secrets["repository"][name])
