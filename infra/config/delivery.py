"""``stagecraft:stage.github``: the stage's GitHub environment (who may deploy, from which refs, secrets, variables)."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from components._actions_names import AWS_KEY_ADVICE, AWS_KEY_NAMES
from components.github_environment import MAX_REVIEWERS, MAX_WAIT_TIMER_MINUTES
from components.naming import GIT_BRANCH, GITHUB_LOGIN, GITHUB_TEAM_SLUG, name_problems
from infra.config.base import Settings
from infra.config.errors import yaml_value


def actions_name_problem(name: str, kind: str = "github-secret") -> str | None:
    """Why ``name`` cannot name a GitHub Actions secret (or, with ``kind="github-variable"``, a variable)."""
    if name.upper() in AWS_KEY_NAMES:
        return AWS_KEY_ADVICE
    problems = name_problems(kind, name)
    # Secret and variable names are not case-sensitive, so the reserved prefix is reserved in every case
    # (https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions#naming-your-secrets);
    # the name rule's pattern alone passes 'github_token'.
    if not problems and name.upper().startswith("GITHUB_"):
        problems = ["must not start with 'GITHUB_' in any case (GitHub reserves the prefix, and its names ignore case)"]
    return "; ".join(problems) if problems else None


FIXED_VARIABLES = (
    "AWS_REGION",
    "AWS_ROLE_ARN",
    "ECR_REPOSITORY",
    "ECS_CLUSTER",
    "EKS_CLUSTER",
    "K8S_NAMESPACES",
    "K8S_NAMESPACE",
    "DATABASE_ENDPOINT",
    "DATABASE_SECRET_ARN",
    "DB_NAME",
    "DB_USERNAME",
    "MIGRATION_TASK_FAMILY",
    "MIGRATION_CONTAINER",
    "MIGRATION_SECURITY_GROUP",
    "MIGRATION_SUBNETS",
    "MIGRATION_LOG_GROUP",
    "MIGRATION_NAMESPACE",
    "MIGRATION_SERVICE_ACCOUNT",
    "BACKUP_S3_BUCKET",
)
"""Environment variables the program may wire from the stage's outputs (``infra/program.py``), whatever is on."""


def registry_variable(repository: str) -> str:
    """The variable holding one registry's URL: ``api/web`` -> ``ECR_REPOSITORY_API_WEB``."""
    return "ECR_REPOSITORY_" + "".join(c if c.isalnum() else "_" for c in repository).upper()


def wired_variables(repositories: list[str]) -> list[str]:
    """Every variable name the program may wire for a stage with these registry repositories: ``github.variables``
    may not reuse one (checked at load, before anything is registered)."""
    return [*FIXED_VARIABLES, *(registry_variable(r) for r in repositories)]


class GithubSettings(Settings):
    """The stage's GitHub environment: who may deploy it, from which refs, with which secrets and variables.

    Branch protection, tag rulesets and repository-level secrets are the repository's, not a stage's: they
    live in the repository layer (``repository/``, docs/components/repository.md).
    """

    environment: str | None = None
    """The GitHub environment the stage deploys through; ``null`` (the default) means the stage name."""
    deploy_branch: str | None
    """The branch the stage deploys from (``develop``, ``main``); ``null``: the stage deploys from tags only."""
    tag_patterns: list[str]
    """Tag patterns that may also deploy to the stage (``v*``)."""
    reviewers: list[str]
    """Required deployment reviewers, ``team:<slug>`` or ``user:<login>``; at most 6."""
    wait_timer_minutes: int
    """Minutes between approval and the start of a deployment (0-43200)."""
    prevent_self_review: bool | None
    """The person who triggered a deployment may not approve it. ``null``: on whenever there are reviewers
    (GitHub refuses it without one)."""
    can_admins_bypass: bool
    """Repository administrators may deploy without the environment's rules."""
    secrets: list[str] = Field(default_factory=list)
    """Names of the environment's secrets; each value is set with ``pulumi config set --secret --path
    'stagecraft:secrets.environment.<NAME>' <value>`` and never written here."""
    variables: dict[str, str] = Field(default_factory=dict)
    """User-defined environment variables, on top of the ones wired from the stage's outputs."""

    @property
    def self_review_prevented(self) -> bool:
        """What the environment gets for ``prevent_self_review``: ``null`` means on whenever there are reviewers."""
        return bool(self.reviewers) if self.prevent_self_review is None else self.prevent_self_review

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: str | None) -> str | None:
        if value is not None and (problems := name_problems("github-environment", value)):
            raise ValueError("; ".join(problems))
        return value

    @field_validator("deploy_branch")
    @classmethod
    def _branch(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if value.startswith("refs/") or not GIT_BRANCH.fullmatch(value):
            raise ValueError("must be a concrete git branch name, without 'refs/heads/', spaces or '*', '?', '['")
        return value

    @field_validator("tag_patterns")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if not pattern or re.search(r"\s", pattern) or pattern.startswith("refs/"):
                raise ValueError(
                    f"pattern {yaml_value(pattern)} must be a non-empty fnmatch pattern without whitespace and "
                    "without 'refs/'"
                )
        if len(set(value)) != len(value):
            raise ValueError("each tag pattern may appear only once")
        return value

    @field_validator("reviewers")
    @classmethod
    def _reviewers(cls, value: list[str]) -> list[str]:
        if len(value) > MAX_REVIEWERS:
            raise ValueError(
                f"GitHub allows at most {MAX_REVIEWERS} reviewers per environment (users and teams together), "
                f"got {len(value)}"
            )
        seen: set[str] = set()
        for reviewer in value:
            kind, _, ident = reviewer.partition(":")
            rule = {"user": GITHUB_LOGIN, "team": GITHUB_TEAM_SLUG}.get(kind)
            if rule is None or not rule.fullmatch(ident):
                raise ValueError(
                    f"reviewer {yaml_value(reviewer)} must be written 'user:<login>' or 'team:<slug>' (the "
                    "lowercase team slug)"
                )
            if reviewer.lower() in seen:
                raise ValueError(f"reviewer {yaml_value(reviewer)} appears more than once")
            seen.add(reviewer.lower())
        return value

    @field_validator("wait_timer_minutes")
    @classmethod
    def _wait(cls, value: int) -> int:
        if not 0 <= value <= MAX_WAIT_TIMER_MINUTES:
            raise ValueError(f"must be 0-{MAX_WAIT_TIMER_MINUTES} minutes (GitHub's limit: 30 days)")
        return value

    @field_validator("secrets")
    @classmethod
    def _secrets(cls, value: list[str]) -> list[str]:
        seen: set[str] = set()
        for name in value:
            problem = actions_name_problem(name)
            if problem:
                raise ValueError(f"secret {yaml_value(name)}: {problem}")
            if name.upper() in seen:
                raise ValueError(f"secret {yaml_value(name)} appears more than once (GitHub names ignore case)")
            seen.add(name.upper())
        return value

    @field_validator("variables")
    @classmethod
    def _variables(cls, value: dict[str, str]) -> dict[str, str]:
        seen: set[str] = set()
        for name in value:
            problem = actions_name_problem(name, "github-variable")
            if problem:
                raise ValueError(f"variable {yaml_value(name)}: {problem}")
            if name.upper() in seen:
                raise ValueError(
                    f"variable {yaml_value(name)} differs only in case from another; GitHub ignores case in variable "
                    "names"
                )
            seen.add(name.upper())
        return value

    def problems(self, repositories: list[str]) -> list[tuple[str, str]]:
        """``(key suffix, message)`` for checks across fields, and against the variables the program wires for a
        stage with these registry ``repositories``."""
        found: list[tuple[str, str]] = []
        if self.deploy_branch is None and not self.tag_patterns:
            found.append(
                (
                    "deploy_branch",
                    "null is not allowed without tag_patterns: the stage would deploy from no ref; name a branch "
                    "or give tag_patterns",
                )
            )
        if self.prevent_self_review and not self.reviewers:
            found.append(
                (
                    "prevent_self_review",
                    'true is not allowed without reviewers: GitHub answers 422 ("Required reviewers must have at '
                    'least one reviewer to set prevent_self_review"); add reviewers or set it to null',
                )
            )
        secrets = {name.upper(): name for name in self.secrets}
        for name in self.variables:
            if name.upper() in secrets:
                found.append(
                    (
                        f"variables.{name}",
                        f"{yaml_value(name)} is also an environment secret (github.secrets: "
                        f"{secrets[name.upper()]}); a "
                        "workflow would read the wrong one: rename one of them",
                    )
                )
        wired = {name.upper(): name for name in wired_variables(repositories)}
        for name in self.variables:
            if name.upper() in wired:  # GitHub ignores case in variable names
                found.append(
                    (
                        f"variables.{name}",
                        f"{yaml_value(name)} is not allowed: stagecraft wires {wired[name.upper()]} from the stage's "
                        "outputs (docs/configuration.md, Variables); use another name",
                    )
                )
        return found
