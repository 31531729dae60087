"""Protection of one long-lived branch: a repository ruleset (the default) or classic branch protection.

A ruleset can bind each required status check to the GitHub App that must report it (``integration_id``),
so a job of the same name from another app, or a commit status posted with a token, cannot satisfy it.
Classic protection's ``contexts`` cannot name an app: any reporter of a matching name passes it
(https://docs.github.com/en/rest/repos/rules#create-a-repository-ruleset, ``required_status_checks``;
https://github.com/integrations/terraform-provider-github/blob/main/docs/resources/repository_ruleset.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_github as github

from components.errors import ComponentInputError
from components.naming import GIT_BRANCH, name_problems

_COMPONENT = "BranchProtection"
MAX_REQUIRED_REVIEWS = 6
"""GitHub accepts 0-6 required approving reviews."""
ADMIN_REPOSITORY_ROLE_ID = 5
"""The ``RepositoryRole`` actor id of the built-in admin role in ruleset bypass lists."""
GITHUB_ACTIONS_APP_ID = 15368
"""The GitHub App id of GitHub Actions: checks bound to it can only be reported by workflow jobs."""


Mode = Literal["classic", "ruleset"]


@dataclass(frozen=True, kw_only=True)
class BranchProtectionArgs:
    """Inputs of :class:`BranchProtection`."""

    repository: str
    """Repository name (without owner)."""
    branch: str
    """The long-lived branch (``develop``, ``main``); a concrete name, not a pattern."""
    mode: Mode = "ruleset"
    """``ruleset`` (default): a repository ruleset. ``classic``: GraphQL branch protection, which cannot bind
    status checks to an app."""
    repository_node_id: pulumi.Input[str] | None = None
    """Repository node id for classic protection (GitHub also accepts the name); defaults to the name."""
    status_checks: Sequence[str] = ()
    """Status check contexts that must pass before merging (job names such as ``test``)."""
    status_check_app_id: int | None = GITHUB_ACTIONS_APP_ID
    """Ruleset mode: the GitHub App every required check must come from (default GitHub Actions); ``None``
    accepts any reporter. Classic protection cannot bind an app and ignores it."""
    strict_status_checks: bool = True
    """Whether the branch must be up to date with the base before merging."""
    required_approving_reviews: int = 1
    """Approving reviews required on a pull request (0-6)."""
    dismiss_stale_reviews: bool = True
    """Whether new commits dismiss existing approvals."""
    require_code_owner_reviews: bool = True
    """Whether a code owner must approve changes to files they own."""
    require_last_push_approval: bool = True
    """Whether the most recent push must be approved by someone other than its author."""
    require_conversation_resolution: bool = True
    """Whether every review thread must be resolved before merging."""
    enforce_admins: bool = True
    """Whether the rules apply to administrators too (ruleset mode: no admin bypass actor)."""
    require_linear_history: bool = True
    """Whether merge commits are refused."""
    require_signed_commits: bool = False
    """Whether commits must carry verified signatures."""
    required_deployments: Sequence[str] = ()
    """Environments that must have deployed successfully before merging (``ruleset`` mode only)."""


class BranchProtection(pulumi.ComponentResource):
    """Protects one branch: pull requests with reviews, status checks, no force pushes or deletions.

    Force pushes and deletions are always refused. Pass the GitHub provider on the component.
    """

    def __init__(self, name: str, args: BranchProtectionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:delivery:BranchProtection", name, None, opts)
        _validate(args)
        child = pulumi.ResourceOptions(parent=self)
        self.resource: github.BranchProtection | github.RepositoryRuleset
        if args.mode == "classic":
            self.resource = _classic(name, args, child)
        else:
            self.resource = _ruleset(name, args, child)
        self.register_outputs({"mode": args.mode, "branch": args.branch})


def _classic(name: str, args: BranchProtectionArgs, opts: pulumi.ResourceOptions) -> github.BranchProtection:
    checks = (
        [
            github.BranchProtectionRequiredStatusCheckArgs(
                strict=args.strict_status_checks, contexts=list(args.status_checks)
            )
        ]
        if args.status_checks
        else None
    )
    return github.BranchProtection(
        f"{name}-branch-protection",
        repository_id=args.repository_node_id if args.repository_node_id is not None else args.repository,
        pattern=args.branch,
        required_status_checks=checks,
        required_pull_request_reviews=[
            github.BranchProtectionRequiredPullRequestReviewArgs(
                required_approving_review_count=args.required_approving_reviews,
                dismiss_stale_reviews=args.dismiss_stale_reviews,
                require_code_owner_reviews=args.require_code_owner_reviews,
                require_last_push_approval=args.require_last_push_approval,
            )
        ],
        require_conversation_resolution=args.require_conversation_resolution,
        enforce_admins=args.enforce_admins,
        required_linear_history=args.require_linear_history,
        require_signed_commits=args.require_signed_commits,
        allows_force_pushes=False,
        allows_deletions=False,
        opts=opts,
    )


def _ruleset(name: str, args: BranchProtectionArgs, opts: pulumi.ResourceOptions) -> github.RepositoryRuleset:
    checks = (
        github.RepositoryRulesetRulesRequiredStatusChecksArgs(
            required_checks=[
                github.RepositoryRulesetRulesRequiredStatusChecksRequiredCheckArgs(
                    context=c, integration_id=args.status_check_app_id
                )
                for c in args.status_checks
            ],
            strict_required_status_checks_policy=args.strict_status_checks,
        )
        if args.status_checks
        else None
    )
    deployments = (
        github.RepositoryRulesetRulesRequiredDeploymentsArgs(
            required_deployment_environments=list(args.required_deployments)
        )
        if args.required_deployments
        else None
    )
    # A ruleset binds everyone but its bypass actors: "enforce admins" means no bypass actor at all,
    # and not enforcing it lets the admin repository role bypass, like classic protection does.
    bypass = (
        None
        if args.enforce_admins
        else [
            github.RepositoryRulesetBypassActorArgs(
                actor_type="RepositoryRole", actor_id=ADMIN_REPOSITORY_ROLE_ID, bypass_mode="always"
            )
        ]
    )
    return github.RepositoryRuleset(
        f"{name}-ruleset",
        name=name,
        repository=args.repository,
        target="branch",
        enforcement="active",
        conditions=github.RepositoryRulesetConditionsArgs(
            ref_name=github.RepositoryRulesetConditionsRefNameArgs(includes=[f"refs/heads/{args.branch}"], excludes=[])
        ),
        bypass_actors=bypass,
        rules=github.RepositoryRulesetRulesArgs(
            deletion=True,
            non_fast_forward=True,
            required_linear_history=args.require_linear_history,
            required_signatures=args.require_signed_commits,
            pull_request=github.RepositoryRulesetRulesPullRequestArgs(
                required_approving_review_count=args.required_approving_reviews,
                dismiss_stale_reviews_on_push=args.dismiss_stale_reviews,
                require_code_owner_review=args.require_code_owner_reviews,
                require_last_push_approval=args.require_last_push_approval,
                required_review_thread_resolution=args.require_conversation_resolution,
            ),
            required_status_checks=checks,
            required_deployments=deployments,
        ),
        opts=opts,
    )


def _validate(args: BranchProtectionArgs) -> None:
    if args.mode not in ("classic", "ruleset"):
        raise ComponentInputError(_COMPONENT, "mode", args.mode, "'classic' or 'ruleset'")
    if not args.repository or "/" in args.repository:
        raise ComponentInputError(_COMPONENT, "repository", args.repository, "a repository name without the owner")
    if args.branch.startswith("refs/") or not GIT_BRANCH.fullmatch(args.branch):
        raise ComponentInputError(
            _COMPONENT,
            "branch",
            args.branch,
            "a concrete git branch name without 'refs/heads/', spaces or glob characters ('*', '?', '[')",
        )
    if args.status_check_app_id is not None and args.status_check_app_id <= 0:
        raise ComponentInputError(
            _COMPONENT, "status_check_app_id", args.status_check_app_id, "a positive GitHub App id, or None"
        )
    if not 0 <= args.required_approving_reviews <= MAX_REQUIRED_REVIEWS:
        raise ComponentInputError(
            _COMPONENT,
            "required_approving_reviews",
            args.required_approving_reviews,
            f"GitHub allows 0-{MAX_REQUIRED_REVIEWS} approving reviews",
        )
    if len(set(args.status_checks)) != len(args.status_checks) or not all(c.strip() for c in args.status_checks):
        raise ComponentInputError(
            _COMPONENT, "status_checks", list(args.status_checks), "non-empty, distinct check names"
        )
    if args.required_deployments and args.mode != "ruleset":
        raise ComponentInputError(
            _COMPONENT,
            "required_deployments",
            list(args.required_deployments),
            "classic branch protection cannot require deployments; use mode 'ruleset'",
        )
    for environment in args.required_deployments:
        problems = name_problems("github-environment", environment)
        if problems:
            raise ComponentInputError(_COMPONENT, "required_deployments", environment, "; ".join(problems))
    if len(set(args.required_deployments)) != len(args.required_deployments):
        raise ComponentInputError(
            _COMPONENT, "required_deployments", list(args.required_deployments), "each environment only once"
        )
