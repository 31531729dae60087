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
from infra.config.secrets import SECRETS_KEY
from infra.program import engine_config

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


def main() -> None:
    """Entry point of ``repository/__main__.py`` (``pulumi up``) and of ``stagecraft plan``.

    The loader refuses a declared secret without a value before anything is created, naming the command
    that sets it; the offline plan gives such a secret a ``[secret]`` placeholder first.
    """
    config = load_repository_config(pulumi.get_stack(), engine_config())
    build_repository(config)


def build_repository(config: RepositoryConfig) -> RepositoryLayer:
    """Create the repository's protection, rulesets, shared secrets and variables, and preview environments."""
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
                environment=name,
                # No patterns: only protected branches may use the environment; any_ref: every branch may.
                any_ref=preview.branches == "any",
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
    """Each declared secret as a secret Output read from the engine (never a plain value in the program)."""
    if not config.secret_names:
        return {}
    if not pulumi.runtime.is_config_secret(SECRETS_KEY):
        # The loader already refuses plain values; this guards a config map that bypassed it.
        raise ConfigError(
            [ConfigProblem(SECRETS_KEY, "is not secret in the stack; set each value with `pulumi config set --secret`")]
        )
    secrets: pulumi.Output[Any] = pulumi.Config("stagecraft").require_secret_object("secrets")
    return {name: pulumi.Output.secret(secrets.apply(_pick(name))) for name in config.secret_names}


def _pick(name: str) -> Callable[[Any], str]:
    return lambda secrets: str(secrets["repository"][name])
