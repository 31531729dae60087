"""Scorecard Branch-Protection tiers against BranchProtection and RepositoryRuleset inputs."""

from __future__ import annotations

from typing import Any

from stagecraft.rules.github import BRANCH_PROTECTION, RULESET
from tests.stagecraft.rules.builders import Case, one, res

REVIEWS = {
    "requiredApprovingReviewCount": 2,
    "dismissStaleReviews": True,
    "requireCodeOwnerReviews": True,
    "requireLastPushApproval": True,
}
CLASSIC: dict[str, Any] = {
    "repositoryId": "app",
    "pattern": "main",
    "allowsForcePushes": False,
    "allowsDeletions": False,
    "enforceAdmins": True,
    "requiredPullRequestReviews": [REVIEWS],
    "requiredStatusChecks": [{"strict": True, "contexts": ["ci"]}],
}
RULES: dict[str, Any] = {
    "deletion": True,
    "nonFastForward": True,
    "pullRequest": {
        "requiredApprovingReviewCount": 2,
        "dismissStaleReviewsOnPush": True,
        "requireCodeOwnerReview": True,
        "requireLastPushApproval": True,
    },
    "requiredStatusChecks": {"requiredChecks": [{"context": "ci"}], "strictRequiredStatusChecksPolicy": True},
}
RULESET_INPUTS: dict[str, Any] = {
    "repository": "app",
    "enforcement": "active",
    "target": "branch",
    "bypassActors": [],
    "conditions": {"refName": {"includes": ["~DEFAULT_BRANCH"], "excludes": []}},
    "rules": RULES,
}


def classic(tier: int, name: str, changes: dict[str, Any], *messages: str) -> Case:
    return one(
        f"branch-protection-tier-{tier}",
        name,
        res(BRANCH_PROTECTION, "stg-main", {**CLASSIC, **changes}),
        *messages,
    )


def ruleset(tier: int, name: str, changes: dict[str, Any], rules: dict[str, Any] | None = None, *messages: str) -> Case:
    inputs = {**RULESET_INPUTS, **changes, "rules": {**RULES, **(rules or {})}}
    return one(f"branch-protection-tier-{tier}", name, res(RULESET, "stg-main", inputs), *messages)


ONE_APPROVAL = {
    "pullRequest": {
        **RULES["pullRequest"],
        "requiredApprovingReviewCount": 1,
        "requireCodeOwnerReview": False,
    }
}

CASES = [
    *(classic(t, "classic-top", {}) for t in range(1, 6)),
    *(ruleset(t, "ruleset-top", {}) for t in range(1, 6)),
    classic(1, "classic-unset-defaults", {"allowsForcePushes": None, "allowsDeletions": None}),
    classic(1, "classic-force-push", {"allowsForcePushes": True}, "allowsForcePushes is true; false required"),
    ruleset(1, "ruleset-no-deletion-rule", {}, {"deletion": None}, "rules.deletion is unset; true required"),
    ruleset(1, "ruleset-disabled", {"enforcement": "disabled"}, None, "enforcement is disabled; active required"),
    ruleset(2, "ruleset-disabled-other-tiers-silent", {"enforcement": "disabled"}, None),
    ruleset(1, "tag-ruleset-ignored", {"target": "tag"}, {"deletion": None}),
    classic(
        2,
        "classic-no-reviews",
        {"requiredPullRequestReviews": [], "requiredStatusChecks": [{"contexts": ["ci"]}]},
        "requiredPullRequestReviews.requiredApprovingReviewCount is unset; at least 1 required",
        "requiredStatusChecks.strict is unset; true required",
        "requiredPullRequestReviews.requireLastPushApproval is unset; true required",
    ),
    ruleset(
        2,
        "ruleset-not-strict",
        {},
        {
            "requiredStatusChecks": {
                "requiredChecks": [{"context": "ci"}],
                "strictRequiredStatusChecksPolicy": False,
            }
        },
        "rules.requiredStatusChecks.strictRequiredStatusChecksPolicy is false; true required",
    ),
    classic(
        3,
        "classic-no-checks",
        {"requiredStatusChecks": [{"strict": True, "contexts": []}]},
        "requiredStatusChecks.contexts is []; at least one check required",
    ),
    ruleset(
        3,
        "ruleset-no-checks",
        {},
        {"requiredStatusChecks": None},
        "rules.requiredStatusChecks.requiredChecks is []; at least one check required",
    ),
    classic(
        4,
        "classic-one-approval",
        {"requiredPullRequestReviews": [{**REVIEWS, "requiredApprovingReviewCount": 1}]},
        "requiredPullRequestReviews.requiredApprovingReviewCount is 1; at least 2 required",
    ),
    ruleset(
        4,
        "ruleset-one-approval",
        {},
        ONE_APPROVAL,
        "rules.pullRequest.requiredApprovingReviewCount is 1; at least 2 required",
        "rules.pullRequest.requireCodeOwnerReview is false; true required",
    ),
    classic(5, "classic-admins-bypass", {"enforceAdmins": False}, "enforceAdmins is false; true required"),
    ruleset(
        5,
        "ruleset-bypass",
        {"bypassActors": [{"actorType": "RepositoryRole", "actorId": 5, "bypassMode": "always"}]},
        None,
        "bypassActors is 1 actor(s); none required",
    ),
]
