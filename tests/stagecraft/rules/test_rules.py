"""Every rule against hand-made inventories: the exact messages, compliant cases report nothing."""

from __future__ import annotations

import pytest

from stagecraft.rules import RULES, evaluate
from tests.stagecraft.rules.builders import Case
from tests.stagecraft.rules.cases import CASES


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_reports_exact_messages(case: Case) -> None:
    findings = [f for f in evaluate(case.inventory(), "production") if f.rule == case.rule]
    assert sorted(f.message for f in findings) == sorted(case.messages)
    notice = next(r for r in RULES if r.id == case.rule).notice
    assert all(f.level == ("advisory" if notice else "mandatory") for f in findings)


@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_every_rule_has_a_compliant_and_a_violating_case(rule_id: str) -> None:
    cases = [c for c in CASES if c.rule == rule_id]
    assert any(not c.messages for c in cases), f"{rule_id}: no compliant case"
    assert any(c.messages for c in cases), f"{rule_id}: no violating case"
