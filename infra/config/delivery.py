"""``stagecraft:stage.github``: the stage's GitHub environment, deploy-branch protection and deploy identity."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from components._actions_names import AWS_KEY_ADVICE, AWS_KEY_NAMES
from components.branch_protection import MAX_REQUIRED_REVIEWS
from components.github_environment import MAX_REVIEWERS, MAX_WAIT_TIMER_MINUTES
from components.naming import GIT_BRANCH, GITHUB_LOGIN, GITHUB_TEAM_SLUG, name_problems
from infra.config.base import Settings

OIDC_PROVIDER_ARN = re.compile(
    r"arn:aws(?:-[a-z]+)*:iam::(\d{12}):oidc-provider/token\.actions\.githubusercontent\.com"
)
"""An existing GitHub OIDC provider; group 1 is its account."""


def actions_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a GitHub Actions secret or variable, or ``None``."""
    if name.upper() in AWS_KEY_NAMES:
        return AWS_KEY_ADVICE
    problems = name_problems("github-secret", name)
    return "; ".join(problems) if problems else None


class GithubSettings(Settings):
    """Who may deploy the stage, from which refs, how its deploy branch is protected, how the role is trusted."""

    environment: str | None = None
    """The GitHub environment the stage deploys through; ``null`` (the default) means the stage name."""
    protection: Literal["classic", "ruleset"]
    """``classic``: GraphQL branch protection. ``ruleset``: an equivalent repository ruleset."""
    deploy_branch: str
    """The branch the stage deploys from (``develop``, ``main``); protected, and allowed to deploy."""
    tag_patterns: list[str]
    """Tag patterns that may also deploy to the stage (``v*``)."""
    reviewers: list[str]
    """Required deployment reviewers, ``team:<slug>`` or ``user:<login>``; at most 6."""
    wait_timer_minutes: int
    """Minutes between approval and the start of a deployment (0-43200)."""
    prevent_self_review: bool
    """The person who triggered a deployment may not approve it."""
    can_admins_bypass: bool
    """Repository administrators may deploy without the environment's rules."""
    status_checks: list[str]
    """Status checks that must pass (strict: the branch must be up to date) before merging."""
    required_approving_reviews: int
    """Approving pull-request reviews required on the deploy branch (0-6)."""
    dismiss_stale_reviews: bool
    """New commits dismiss existing approvals."""
    require_code_owner_reviews: bool
    """A code owner must approve changes to the files they own."""
    require_last_push_approval: bool
    """The most recent push must be approved by someone other than its author."""
    require_conversation_resolution: bool
    """Every review thread must be resolved before merging."""
    enforce_admins: bool
    """The branch rules bind administrators too."""
    require_linear_history: bool
    """Merge commits are refused."""
    require_signed_commits: bool
    """Commits must carry verified signatures."""
    required_deployments: list[str]
    """Environments that must have deployed successfully before merging (``ruleset`` only)."""
    oidc_provider: str
    """``create`` (this stack creates the account's GitHub OIDC provider) or the ARN of an existing one."""
    variables: dict[str, str] = Field(default_factory=dict)
    """User-defined environment variables, on top of the ones wired from the stage's outputs."""

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: str | None) -> str | None:
        if value is not None and (problems := name_problems("github-environment", value)):
            raise ValueError("; ".join(problems))
        return value

    @field_validator("deploy_branch")
    @classmethod
    def _branch(cls, value: str) -> str:
        if value.startswith("refs/") or not GIT_BRANCH.fullmatch(value):
            raise ValueError("must be a concrete git branch name, without 'refs/heads/', spaces or '*', '?', '['")
        return value

    @field_validator("tag_patterns")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if not pattern or re.search(r"\s", pattern) or pattern.startswith("refs/"):
                raise ValueError(
                    f"pattern {pattern!r} must be a non-empty fnmatch pattern without whitespace and without 'refs/'"
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
                    f"reviewer {reviewer!r} must be written 'user:<login>' or 'team:<slug>' (the lowercase team slug)"
                )
            if reviewer.lower() in seen:
                raise ValueError(f"reviewer {reviewer!r} appears more than once")
            seen.add(reviewer.lower())
        return value

    @field_validator("wait_timer_minutes")
    @classmethod
    def _wait(cls, value: int) -> int:
        if not 0 <= value <= MAX_WAIT_TIMER_MINUTES:
            raise ValueError(f"must be 0-{MAX_WAIT_TIMER_MINUTES} minutes (GitHub's limit: 30 days)")
        return value

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
            problems = name_problems("github-environment", environment)
            if problems:
                raise ValueError(f"environment {environment!r}: {'; '.join(problems)}")
        if len(set(value)) != len(value):
            raise ValueError("each environment may appear only once")
        return value

    @field_validator("oidc_provider")
    @classmethod
    def _oidc(cls, value: str) -> str:
        if value != "create" and not OIDC_PROVIDER_ARN.fullmatch(value):
            raise ValueError(
                "must be 'create' or an existing provider's ARN, "
                "arn:aws:iam::<12-digit account>:oidc-provider/token.actions.githubusercontent.com"
            )
        return value

    @field_validator("variables")
    @classmethod
    def _variables(cls, value: dict[str, str]) -> dict[str, str]:
        seen: set[str] = set()
        for name in value:
            problem = actions_name_problem(name)
            if problem:
                raise ValueError(f"variable {name!r}: {problem}")
            if name.upper() in seen:
                raise ValueError(f"variable {name!r} differs only in case from another; GitHub names are not")
            seen.add(name.upper())
        return value

    def problems(self, secret_names: tuple[str, ...]) -> list[tuple[str, str]]:
        """``(key suffix, message)`` for checks across fields: required deployments in classic mode, and a
        variable reusing the name of one of the stage's environment secrets (``secret_names``)."""
        found: list[tuple[str, str]] = []
        if self.required_deployments and self.protection == "classic":
            found.append(
                (
                    "required_deployments",
                    f"{self.required_deployments!r} needs 'protection: ruleset': classic branch protection "
                    "cannot require a deployment to succeed first",
                )
            )
        secrets = {name.upper(): name for name in secret_names}
        for name in self.variables:
            if name.upper() in secrets:
                found.append(
                    (
                        f"variables.{name}",
                        f"{name!r} is also an environment secret (stagecraft:secrets.environment."
                        f"{secrets[name.upper()]}); a workflow would read the wrong one: rename one of them",
                    )
                )
        return found
