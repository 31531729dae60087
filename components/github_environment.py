"""A stage's GitHub deployment environment: reviewers, wait timer, deployment policies, secrets, variables."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_github as github

from components._actions_names import check_actions_names
from components.errors import ComponentInputError
from components.naming import GITHUB_LOGIN, GITHUB_TEAM_SLUG, name_problems

_COMPONENT = "GithubEnvironment"
MAX_REVIEWERS = 6
"""GitHub accepts at most six required reviewers (users and teams together) per environment."""
MAX_WAIT_TIMER_MINUTES = 43_200
"""GitHub's upper bound for an environment wait timer: 30 days, in minutes."""

_PATTERN_FORBIDDEN = re.compile(r"\s")


@dataclass(frozen=True, kw_only=True)
class GithubEnvironmentArgs:
    """Inputs of :class:`GithubEnvironment`."""

    repository: str
    """Repository name (without owner) the environment belongs to."""
    environment: str
    """The environment's name (usually the stage's: ``staging``, ``production``)."""
    reviewers: Sequence[str] = ()
    """Required reviewers as ``team:<slug>`` or ``user:<login>``; at most 6. Empty: no approval needed."""
    wait_timer_minutes: int = 0
    """Minutes to wait after approval before a deployment starts (0-43200)."""
    prevent_self_review: bool = False
    """Whether the person who triggered a deployment may not approve it; needs at least one reviewer."""
    can_admins_bypass: bool = False
    """Whether repository administrators may deploy without the protection rules."""
    branch_patterns: Sequence[str] = ()
    """Branch name patterns allowed to deploy (``develop``, ``main``, ``release/*``)."""
    tag_patterns: Sequence[str] = ()
    """Tag name patterns allowed to deploy (``v*``)."""
    any_ref: bool = False
    """Every branch and tag may deploy (no deployment policy); exclusive with the patterns. Without patterns
    and without this, only protected branches may deploy."""
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Environment secrets by name; values are treated as secrets whatever their origin."""
    variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Environment variables by name (AWS_REGION, AWS_ROLE_ARN, registry URLs, user variables...)."""


class GithubEnvironment(pulumi.ComponentResource):
    """The GitHub deployment environment of one stage, with its protection rules, secrets and variables.

    Pass the GitHub provider on the component (``opts=ResourceOptions(providers={"github": p})``);
    every child resource and the reviewer lookups use it.
    """

    environment: pulumi.Output[str]
    """The environment's name, known once GitHub has created it."""
    reviewer_user_ids: pulumi.Output[list[int]]
    """Numeric ids of the user reviewers, in the order given."""
    reviewer_team_ids: pulumi.Output[list[int]]
    """Numeric ids of the team reviewers, in the order given."""

    def __init__(self, name: str, args: GithubEnvironmentArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:delivery:GithubEnvironment", name, None, opts)
        users, teams = _validate(args)
        child = pulumi.ResourceOptions(parent=self)

        lookup = pulumi.InvokeOutputOptions(parent=self)
        user_ids = [github.get_user_output(username=u, opts=lookup).id.apply(int) for u in users]
        team_ids = [github.get_team_output(slug=t, summary_only=True, opts=lookup).id.apply(int) for t in teams]
        reviewers = (
            [github.RepositoryEnvironmentReviewerArgs(users=user_ids, teams=team_ids)] if users or teams else None
        )
        patterns = [*args.branch_patterns, *args.tag_patterns]
        # GitHub rejects protected_branches and custom_branch_policies both true; without explicit
        # patterns only protected branches may deploy, and with no policy at all every ref may.
        branch_policy = (
            None
            if args.any_ref
            else github.RepositoryEnvironmentDeploymentBranchPolicyArgs(
                protected_branches=not patterns, custom_branch_policies=bool(patterns)
            )
        )
        env = github.RepositoryEnvironment(
            f"{name}-environment",
            repository=args.repository,
            environment=args.environment,
            wait_timer=args.wait_timer_minutes,
            reviewers=reviewers,
            prevent_self_review=args.prevent_self_review,
            can_admins_bypass=args.can_admins_bypass,
            deployment_branch_policy=branch_policy,
            opts=child,
        )

        for pattern in args.branch_patterns:
            github.RepositoryEnvironmentDeploymentPolicy(
                f"{name}-branch-{pattern_key(pattern)}",
                repository=args.repository,
                environment=env.environment,
                branch_pattern=pattern,
                opts=child,
            )
        for pattern in args.tag_patterns:
            github.RepositoryEnvironmentDeploymentPolicy(
                f"{name}-tag-{pattern_key(pattern)}",
                repository=args.repository,
                environment=env.environment,
                tag_pattern=pattern,
                opts=child,
            )
        for secret_name, value in sorted(args.secrets.items()):
            github.ActionsEnvironmentSecret(
                f"{name}-secret-{secret_name}",
                repository=args.repository,
                environment=env.environment,
                secret_name=secret_name,
                value=pulumi.Output.secret(value),
                opts=child,
            )
        for variable_name, value in sorted(args.variables.items()):
            github.ActionsEnvironmentVariable(
                f"{name}-variable-{variable_name}",
                repository=args.repository,
                environment=env.environment,
                variable_name=variable_name,
                value=value,
                opts=child,
            )

        self.environment = env.environment
        self.reviewer_user_ids = pulumi.Output.all(*user_ids).apply(list)
        self.reviewer_team_ids = pulumi.Output.all(*team_ids).apply(list)
        self.register_outputs(
            {
                "environment": self.environment,
                "reviewer_user_ids": self.reviewer_user_ids,
                "reviewer_team_ids": self.reviewer_team_ids,
            }
        )


def pattern_key(pattern: str) -> str:
    """A stable, readable resource-name key for a branch or tag pattern.

    A pattern of only letters, digits, ``.``, ``_`` and ``-`` is its own key; any other pattern
    (``v*``, ``release/*``) is sanitised and suffixed with a short hash so that two patterns that
    sanitise alike (``release/*`` and ``release-*``) keep distinct keys.
    """
    if re.fullmatch(r"[A-Za-z0-9._-]+", pattern):
        return pattern
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", pattern.replace("*", "star")).strip("-")
    return f"{readable}-{hashlib.sha256(pattern.encode()).hexdigest()[:6]}"


def _validate(args: GithubEnvironmentArgs) -> tuple[list[str], list[str]]:
    """Check every argument; return the user logins and team slugs of the reviewers."""
    problems = name_problems("github-environment", args.environment)
    if problems:
        raise ComponentInputError(_COMPONENT, "environment", args.environment, "; ".join(problems))
    if not args.repository or "/" in args.repository:
        raise ComponentInputError(_COMPONENT, "repository", args.repository, "a repository name without the owner")
    if not 0 <= args.wait_timer_minutes <= MAX_WAIT_TIMER_MINUTES:
        raise ComponentInputError(
            _COMPONENT,
            "wait_timer_minutes",
            args.wait_timer_minutes,
            f"GitHub allows 0-{MAX_WAIT_TIMER_MINUTES} minutes (30 days)",
        )
    if len(args.reviewers) > MAX_REVIEWERS:
        raise ComponentInputError(
            _COMPONENT,
            "reviewers",
            list(args.reviewers),
            f"GitHub allows at most {MAX_REVIEWERS} reviewers (users and teams together), got {len(args.reviewers)}",
        )
    if args.prevent_self_review and not args.reviewers:
        # The API answers 422 "Required reviewers must have at least one reviewer to set prevent_self_review",
        # and the provider sends the field unconditionally: https://github.com/github/safe-settings/issues/628
        raise ComponentInputError(
            _COMPONENT, "prevent_self_review", True, "needs at least one reviewer (GitHub rejects it otherwise)"
        )
    if args.any_ref and (args.branch_patterns or args.tag_patterns):
        raise ComponentInputError(
            _COMPONENT, "any_ref", True, "leave branch_patterns and tag_patterns empty when every ref may deploy"
        )
    users: list[str] = []
    teams: list[str] = []
    for reviewer in args.reviewers:
        kind, _, ident = reviewer.partition(":")
        if kind == "user" and GITHUB_LOGIN.fullmatch(ident):
            target = users
        elif kind == "team" and GITHUB_TEAM_SLUG.fullmatch(ident):
            target = teams
        else:
            raise ComponentInputError(
                _COMPONENT,
                "reviewers",
                reviewer,
                "write each reviewer as 'user:<login>' or 'team:<slug>' (the lowercase team slug)",
            )
        if ident.lower() in (x.lower() for x in target):
            raise ComponentInputError(_COMPONENT, "reviewers", reviewer, "each reviewer may appear only once")
        target.append(ident)
    for argument, patterns in (
        ("branch_patterns", args.branch_patterns),
        ("tag_patterns", args.tag_patterns),
    ):
        if len(set(patterns)) != len(patterns):
            raise ComponentInputError(_COMPONENT, argument, list(patterns), "each pattern may appear only once")
        for pattern in patterns:
            if not pattern or _PATTERN_FORBIDDEN.search(pattern) or pattern.startswith("refs/"):
                raise ComponentInputError(
                    _COMPONENT,
                    argument,
                    pattern,
                    "a non-empty fnmatch pattern without whitespace and without the 'refs/' prefix",
                )
    check_actions_names(_COMPONENT, args.secrets, args.variables)
    return users, teams
