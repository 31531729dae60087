"""OpenSSF Scorecard Branch-Protection tiers, decided from BranchProtection or RepositoryRuleset inputs.

Scorecard merges classic protection and rulesets (the most restrictive value wins) and needs every
tier fully met before the next one counts; each tier here is its own rule, so a finding names the
tier it costs. Tier 4 also needs a ``CODEOWNERS`` file, which no inventory can see.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stagecraft.rules._util import as_list, as_map, is_true, number, show, strings
from stagecraft.rules.model import MANDATORY, PRODUCTION_ONLY, RELAXED, Level, Options, Profile, Rule

SCORECARD = "https://github.com/ossf/scorecard/blob/main/docs/checks.md#branch-protection"
BRANCH_PROTECTION = "github:index/branchProtection:BranchProtection"
RULESET = "github:index/repositoryRuleset:RepositoryRuleset"


@dataclass(frozen=True)
class _Setting:
    """One Scorecard requirement as read from one resource type: the input path and what it needs."""

    path: str
    need: str
    ok: Callable[[Any], bool]


def _read(type_: str, inputs: Mapping[str, Any], path: str) -> Any:
    if path == "requiredStatusChecks.requiredChecks":
        checks = as_map(as_map(inputs.get("rules")).get("requiredStatusChecks")).get("requiredChecks")
        return [as_map(c).get("context") for c in as_list(checks)]
    value: Any = as_map(inputs.get("rules")) if type_ == RULESET and path != "bypassActors" else inputs
    for part in path.split("."):
        value = as_map(value).get(part) if part != "bypassActors" else as_list(as_map(value).get(part))
    return value


def _at_least(n: int) -> Callable[[Any], bool]:
    return lambda v: (number(v) or 0) >= n


def _not_true(value: Any) -> bool:
    return not is_true(value)  # unset is the provider default, false


_REVIEWS = "requiredPullRequestReviews"
CLASSIC: dict[int, tuple[_Setting, ...]] = {
    1: (_Setting("allowsForcePushes", "false", _not_true), _Setting("allowsDeletions", "false", _not_true)),
    2: (
        _Setting(f"{_REVIEWS}.requiredApprovingReviewCount", "at least 1", _at_least(1)),
        _Setting("requiredStatusChecks.strict", "true", is_true),
        _Setting(f"{_REVIEWS}.requireLastPushApproval", "true", is_true),
    ),
    3: (_Setting("requiredStatusChecks.contexts", "at least one check", lambda v: bool(strings(v))),),
    4: (
        _Setting(f"{_REVIEWS}.requiredApprovingReviewCount", "at least 2", _at_least(2)),
        _Setting(f"{_REVIEWS}.requireCodeOwnerReviews", "true", is_true),
    ),
    5: (
        _Setting(f"{_REVIEWS}.dismissStaleReviews", "true", is_true),
        _Setting("enforceAdmins", "true", is_true),
    ),
}
RULESET_TIERS: dict[int, tuple[_Setting, ...]] = {
    1: (_Setting("nonFastForward", "true", is_true), _Setting("deletion", "true", is_true)),
    2: (
        _Setting("pullRequest.requiredApprovingReviewCount", "at least 1", _at_least(1)),
        _Setting("requiredStatusChecks.strictRequiredStatusChecksPolicy", "true", is_true),
        _Setting("pullRequest.requireLastPushApproval", "true", is_true),
    ),
    3: (_Setting("requiredStatusChecks.requiredChecks", "at least one check", lambda v: bool(strings(v))),),
    4: (
        _Setting("pullRequest.requiredApprovingReviewCount", "at least 2", _at_least(2)),
        _Setting("pullRequest.requireCodeOwnerReview", "true", is_true),
    ),
    5: (
        _Setting("pullRequest.dismissStaleReviewsOnPush", "true", is_true),
        _Setting("bypassActors", "none", lambda v: not v),
    ),
}


def _tier_check(tier: int) -> Callable[[str, Mapping[str, Any], Options], list[str]]:
    def check(type_: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
        settings = CLASSIC[tier]
        if type_ == RULESET:
            if inputs.get("target") != "branch":
                return []
            if inputs.get("enforcement") != "active":
                return [f"enforcement is {show(inputs.get('enforcement'))}; active required"] if tier == 1 else []
            settings = RULESET_TIERS[tier]
        messages = []
        for setting in settings:
            value = _read(type_, inputs, setting.path)
            if not setting.ok(value):
                shown = f"{len(value)} actor(s)" if setting.path == "bypassActors" else show(value)
                prefix = "rules." if type_ == RULESET and setting.path != "bypassActors" else ""
                messages.append(f"{prefix}{setting.path} is {shown}; {setting.need} required")
        return messages

    return check


_LEVELS: dict[int, Mapping[Profile, Level]] = {
    1: MANDATORY,
    2: RELAXED,
    3: RELAXED,
    4: PRODUCTION_ONLY,
    5: PRODUCTION_ONLY,
}
_SUMMARY = {
    1: "force pushes and deletion blocked",
    2: "1+ approval, up-to-date branches, last-push approval",
    3: "at least one required status check",
    4: "2+ approvals and code-owner review (CODEOWNERS presence is checked outside the inventory)",
    5: "stale reviews dismissed, administrators included (rulesets: no bypass actors)",
}

RULES = tuple(
    Rule(
        f"branch-protection-tier-{tier}",
        f"Protected branches meet Scorecard Branch-Protection tier {tier}: {_SUMMARY[tier]}.",
        f"Scorecard Branch-Protection T{tier}",
        SCORECARD,
        _LEVELS[tier],
        types=(BRANCH_PROTECTION, RULESET),
        check=_tier_check(tier),
    )
    for tier in CLASSIC
)
