"""``stagecraft:repository``: the settings of one GitHub repository, owned by the repository layer.

Branch protection, release-tag rulesets, repository-level secrets and variables, and the per-stage
preview environments belong to the repository, not to any stage: several stages deploy from one
repository (seed 004 deploys three environments from one ``main``), and one branch may feed several
stages. ``load_repository_config`` turns a repository stack's raw config map into a
:class:`RepositoryConfig`, collecting every problem into one :class:`ConfigError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field, field_validator

from components.branch_protection import MAX_REQUIRED_REVIEWS
from components.naming import GIT_BRANCH, is_github_repository, name_problems
from components.tag_ruleset import bypass_actor_problem
from infra.config.base import Settings
from infra.config.delivery import actions_name_problem
from infra.config.errors import ConfigError, ConfigProblem, yaml_value
from infra.config.loader import _holds_secure, suggest, validate_settings
from infra.config.secrets import (
    GITHUB_OWNER_KEY,
    SECRETS_KEY,
    SecretScope,
    engine_marks_secret,
    github_token_problems,
    secret_problems,
)
from infra.naming import longest_names

REPOSITORY_KEY = "stagecraft:repository"
KNOWN_REPOSITORY_KEYS = (REPOSITORY_KEY, SECRETS_KEY)
PREVIEW_SUFFIX = longest_names().preview_environment_suffix
"""Preview environments are named ``<environment>-preview`` (infra.naming)."""
_PATTERN_FORBIDDEN = re.compile(r"\s")


class BranchSettings(Settings):
    """Protection of one long-lived branch. Defaults are the strict ones; write down what you relax."""

    mode: Literal["classic", "ruleset"] = "ruleset"
    """``ruleset`` (default): binds status checks to the GitHub Actions app. ``classic``: branch protection."""
    status_checks: list[str] = Field(default_factory=list)
    """Checks (job names) that must pass, on an up-to-date branch, before merging."""
    required_approving_reviews: int = 1
    """Approving pull-request reviews required (0-6)."""
    dismiss_stale_reviews: bool = True
    """New commits dismiss existing approvals."""
    require_code_owner_reviews: bool = True
    """A code owner must approve changes to the files they own (needs a CODEOWNERS file)."""
    require_last_push_approval: bool = True
    """The most recent push must be approved by someone other than its author."""
    require_conversation_resolution: bool = True
    """Every review thread must be resolved before merging."""
    enforce_admins: bool = True
    """The rules bind administrators too (ruleset: no bypass actor)."""
    require_linear_history: bool = True
    """Merge commits are refused."""
    require_signed_commits: bool = False
    """Commits must carry verified signatures."""
    required_deployments: list[str] = Field(default_factory=list)
    """Environments that must have deployed successfully before merging (``ruleset`` only)."""

    @field_validator("required_approving_reviews")
    @classmethod
    def _reviews(cls, value: int) -> int:
        if not 0 <= value <= MAX_REQUIRED_REVIEWS:
            raise ValueError(f"must be 0-{MAX_REQUIRED_REVIEWS} (GitHub's limit)")
        return value

    @field_validator("status_checks")
    @classmethod
    def _checks(cls, value: list[str]) -> list[str]:
        if not all(check.strip() for check in value) or len(set(value)) != len(value):
            raise ValueError("must be non-empty, distinct check names (the job or check run names)")
        return value

    @field_validator("required_deployments")
    @classmethod
    def _deployments(cls, value: list[str]) -> list[str]:
        for environment in value:
            if problems := name_problems("github-environment", environment):
                raise ValueError(f"environment {yaml_value(environment)}: {'; '.join(problems)}")
        if len({e.lower() for e in value}) != len(value):
            raise ValueError("each environment may appear only once (GitHub environment names ignore case)")
        return value


class TagRulesetSettings(Settings):
    """A ruleset over release tags: only its bypass actors may create, move or delete matching tags."""

    patterns: list[str]
    """Tag name patterns without ``refs/tags/`` (``v*``); the tags stages may deploy from."""
    bypass: list[str]
    """Who may create, update and delete them: ``team:<slug>``, ``user:<login>``, ``app:<app id>``,
    ``role:maintain|write|admin``. At least one, or nobody can release."""

    @field_validator("patterns")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("needs at least one tag pattern (for example 'v*')")
        for pattern in value:
            if not pattern or _PATTERN_FORBIDDEN.search(pattern) or pattern.startswith("refs/"):
                raise ValueError(
                    f"pattern {yaml_value(pattern)} must be a non-empty fnmatch pattern without whitespace and "
                    "without 'refs/'"
                )
        if len(set(value)) != len(value):
            raise ValueError("each tag pattern may appear only once")
        return value

    @field_validator("bypass")
    @classmethod
    def _bypass(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("needs at least one bypass actor (for example 'team:release'), or nobody can release")
        for actor in value:
            if problem := bypass_actor_problem(actor):
                raise ValueError(problem)
        if len({a.lower() for a in value}) != len(value):
            raise ValueError("each bypass actor may appear only once")
        return value


class PreviewSettings(Settings):
    """A stage's preview environment (``<environment>-preview``): where ``pulumi preview`` runs in CI."""

    branches: Literal["any", "protected"] = "protected"
    """``any``: every branch, so pull requests preview (non-production stages). ``protected`` (default):
    only protected branches, so only reviewed code previews production."""


class RepositorySettings(Settings):
    """Everything the repository layer owns for one repository."""

    repository: str
    """The GitHub repository, ``owner/name``; ``github:owner`` must be its owner."""
    branches: dict[str, BranchSettings] = Field(default_factory=dict)
    """Protection of each long-lived branch, by concrete branch name (``develop``, ``main``)."""
    tags: dict[str, TagRulesetSettings] = Field(default_factory=dict)
    """Release-tag rulesets, by a short key (``release``)."""
    secrets: list[str] = Field(default_factory=list)
    """Names of the repository-level Actions secrets; values under ``stagecraft:secrets.repository``."""
    variables: dict[str, str] = Field(default_factory=dict)
    """Repository-level Actions variables."""
    preview_environments: dict[str, PreviewSettings] = Field(default_factory=dict)
    """Preview environments by name, each ``<stage environment>-preview``."""

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        if not is_github_repository(value):
            raise ValueError("must be a GitHub repository as 'owner/name', e.g. 'amani-labs/amani-backend'")
        return value

    @field_validator("branches")
    @classmethod
    def _branches(cls, value: dict[str, BranchSettings]) -> dict[str, BranchSettings]:
        for branch in value:
            if branch.startswith("refs/") or not GIT_BRANCH.fullmatch(branch):
                raise ValueError(
                    f"branch {yaml_value(branch)} must be a concrete git branch name, without 'refs/heads/', spaces or "
                    "'*', '?', '['"
                )
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, TagRulesetSettings]) -> dict[str, TagRulesetSettings]:
        for key in value:
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", key):
                raise ValueError(
                    f"ruleset key {yaml_value(key)} must be lowercase letters, digits and '-' (it names the ruleset)"
                )
        return value

    @field_validator("secrets")
    @classmethod
    def _secrets(cls, value: list[str]) -> list[str]:
        return _names("secret", value)

    @field_validator("variables")
    @classmethod
    def _variables(cls, value: dict[str, str]) -> dict[str, str]:
        _names("variable", list(value))
        return value

    @field_validator("preview_environments")
    @classmethod
    def _previews(cls, value: dict[str, PreviewSettings]) -> dict[str, PreviewSettings]:
        seen: dict[str, str] = {}
        for name in value:
            # "Environment names are not case sensitive" (GitHub docs, managing environments for deployment):
            # two keys differing in case would be one environment configured twice.
            if (other := seen.setdefault(name.lower(), name)) != name:
                raise ValueError(
                    f"{yaml_value(name)} and {yaml_value(other)} name the same environment (GitHub environment "
                    "names ignore case); keep one"
                )
            base = name.removesuffix(PREVIEW_SUFFIX)
            if base == name or not base:
                raise ValueError(
                    f"{yaml_value(name)} must be named '<environment>{PREVIEW_SUFFIX}' (e.g. 'staging-preview')"
                )
            if problems := name_problems("github-environment", name):
                raise ValueError("; ".join(problems))
        return value

    def problems(self) -> list[tuple[str, str]]:
        """``(key suffix, message)`` for checks across fields."""
        found: list[tuple[str, str]] = []
        for branch, settings in self.branches.items():
            if settings.required_deployments and settings.mode == "classic":
                found.append(
                    (
                        f"branches.{branch}.required_deployments",
                        f"{yaml_value(settings.required_deployments)} needs 'mode: ruleset': classic branch protection "
                        "cannot require a deployment to succeed first",
                    )
                )
        secrets = {name.upper(): name for name in self.secrets}
        for name in self.variables:
            if name.upper() in secrets:
                found.append(
                    (
                        f"variables.{name}",
                        f"{yaml_value(name)} is also a repository secret ({REPOSITORY_KEY}.secrets: "
                        f"{secrets[name.upper()]}); "
                        "a workflow would read the wrong one: rename one of them",
                    )
                )
        seen: dict[str, str] = {}
        for key, ruleset in sorted(self.tags.items()):
            for pattern in ruleset.patterns:
                if pattern in seen:
                    found.append(
                        (
                            f"tags.{key}.patterns",
                            f"{yaml_value(pattern)} is already covered by tags.{seen[pattern]}; keep one",
                        )
                    )
                seen.setdefault(pattern, key)
        return found


def _names(kind: str, value: list[str]) -> list[str]:
    seen: set[str] = set()
    for name in value:
        if problem := actions_name_problem(name, f"github-{kind}"):
            raise ValueError(f"{kind} {yaml_value(name)}: {problem}")
        if name.upper() in seen:
            raise ValueError(f"{kind} {yaml_value(name)} appears twice (GitHub names ignore case)")
        seen.add(name.upper())
    return value


@dataclass(frozen=True)
class RepositoryConfig:
    """One repository stack's validated, frozen configuration."""

    stack: str
    """The Pulumi stack name, as given."""
    settings: RepositorySettings
    """Every setting under ``stagecraft:repository``."""
    secret_names: tuple[str, ...] = ()
    """Declared repository secrets (each has a value under ``stagecraft:secrets.repository``), sorted."""

    @property
    def owner(self) -> str:
        """The repository's owner (``github:owner``)."""
        return self.settings.repository.split("/")[0]

    @property
    def name(self) -> str:
        """The repository name without its owner."""
        return self.settings.repository.split("/")[1]


def load_repository_config(stack: str, values: Mapping[str, Any]) -> RepositoryConfig:
    """Validate a repository stack's config map (``{"stagecraft:repository": {...}, "github:owner": ...}``).

    Raises :class:`ConfigError` listing every problem at once; nothing else escapes.
    """
    problems: list[ConfigProblem] = []
    for key in values:
        if key.startswith("stagecraft:") and key not in KNOWN_REPOSITORY_KEYS:
            problems.append(
                ConfigProblem(key, "unknown key in a repository stack" + suggest(key, KNOWN_REPOSITORY_KEYS))
            )

    raw = values.get(REPOSITORY_KEY)
    settings: RepositorySettings | None = None
    if raw is None:
        problems.append(ConfigProblem(REPOSITORY_KEY, "required key is missing; it holds the repository's settings"))
    elif not isinstance(raw, Mapping):
        problems.append(
            ConfigProblem(REPOSITORY_KEY, f"{yaml_value(raw)} is not allowed: must be a mapping of settings")
        )
    else:
        redact = engine_marks_secret(REPOSITORY_KEY, raw) or _holds_secure(raw)
        if redact:
            problems.append(
                ConfigProblem(
                    REPOSITORY_KEY,
                    f"holds an encrypted (secure) value; settings are not secret: put secret values under "
                    f"{SECRETS_KEY}.repository. Values are not shown in these messages",
                )
            )
        settings = validate_settings(RepositorySettings, raw, problems, prefix=REPOSITORY_KEY, redact=redact)

    declared = tuple(settings.secrets) if settings is not None else ()
    names, found = secret_problems(
        values,
        [SecretScope("repository", declared, f"{REPOSITORY_KEY}.secrets")],
        {
            "environment": "environment secrets belong to the stage that owns the environment (its stack's "
            "stagecraft:secrets.environment)"
        },
    )
    if settings is None:  # the declared names are unknown: report only what holds whatever they are
        found = [p for p in found if not p.message.startswith(("is not declared", "is declared"))]
    problems.extend(found)
    # Only the token half of github_problems applies here; the owner is checked against this layer's key.
    problems.extend(github_token_problems(values))

    if settings is not None:
        for suffix, message in settings.problems():
            problems.append(ConfigProblem(f"{REPOSITORY_KEY}.{suffix}", message))
        owner = values.get(GITHUB_OWNER_KEY)
        expected = settings.repository.split("/")[0]
        if owner != expected:
            shown = "missing" if owner is None else f"{yaml_value(owner)}"
            problems.append(
                ConfigProblem(
                    GITHUB_OWNER_KEY,
                    f"is {shown}; the default GitHub provider must be configured for the owner of "
                    f"{REPOSITORY_KEY}.repository ({yaml_value(settings.repository)}): set it to "
                    f"{yaml_value(expected)}",
                )
            )

    if problems or settings is None:
        raise ConfigError(problems)
    return RepositoryConfig(
        stack=stack,
        settings=settings,
        secret_names=names.repository,
    )
