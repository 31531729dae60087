"""The pack and the plan agree on the recorded inventories of the shipped stacks, at every profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagecraft.rules import PROFILES, evaluate
from tests.conftest import ShippedPlan
from tests.stagecraft.rules.test_crossguard import PACK_RULES, run_pack

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("stack", ["staging", "production"])
@pytest.mark.parametrize("profile", PROFILES)
def test_pack_and_plan_agree_on_recorded_stacks(shipped_plan: ShippedPlan, stack: str, profile: str) -> None:
    inv = shipped_plan(ROOT, stack).inventory
    plan = sorted(
        ((f.rule, f.urn, f.message) for f in evaluate(inv, profile) if f.rule in PACK_RULES),
        key=lambda v: (v[0], v[1] or "", v[2]),
    )
    pack = [v for v in run_pack(inv, profile) if v[2] != "not applicable"]
    assert pack == plan
    if stack == "staging" and profile == "production":
        # a staging stage judged as production breaks production rules: the comparison is not vacuous
        assert {"nat-gateway-per-az", "rds-multi-az", "vpc-interface-endpoints"} <= {rule for rule, _, _ in plan}
