"""The level of every rule per profile, written out here so a change to the table is deliberate."""

from __future__ import annotations

import pytest

from stagecraft.rules import PROFILES, RULES, evaluate
from tests.stagecraft.rules.cases import CASES

ADVISORY_IN_DEVELOPMENT = {
    "branch-protection-tier-2",
    "branch-protection-tier-3",
    "ecs-container-insights",
    "eks-control-plane-logs",
    "eks-nodegroup-multi-az",
    "rds-backups",
    "rds-deletion-protection",
    "rds-enhanced-monitoring",
    "s3-object-lock",
}
ADVISORY_OUTSIDE_PRODUCTION = {
    "branch-protection-tier-4",
    "branch-protection-tier-5",
    "eks-endpoint-private",
    "eks-nodegroup-instance-types",
    "eks-public-cidrs",
    "log-retention",
    "nat-gateway-per-az",
    "rds-multi-az",
    "stateful-protected",
    "vpc-interface-endpoints",
}


NOTICES = {"eks-standard-support-ending"}


def expected(rule_id: str, profile: str) -> str:
    if rule_id in NOTICES:
        return "advisory"
    if profile == "production":
        return "mandatory"
    if rule_id in ADVISORY_OUTSIDE_PRODUCTION:
        return "advisory"
    if rule_id in ADVISORY_IN_DEVELOPMENT and profile == "development":
        return "advisory"
    return "mandatory"


def test_the_relaxed_sets_name_real_rules() -> None:
    ids = {r.id for r in RULES}
    assert ids >= ADVISORY_IN_DEVELOPMENT and ids >= ADVISORY_OUTSIDE_PRODUCTION and ids >= NOTICES
    assert {r.id for r in RULES if r.notice} == NOTICES


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_findings_carry_the_profile_level(rule_id: str, profile: str) -> None:
    violating = next(c for c in CASES if c.rule == rule_id and c.messages)
    findings = [f for f in evaluate(violating.inventory(), profile) if f.rule == rule_id]
    assert findings
    assert {f.level for f in findings} == {expected(rule_id, profile)}
