"""The rule model refuses inconsistent rules, and the registry is well formed."""

from __future__ import annotations

from typing import Any

import pytest

from stagecraft.rules import NOT_APPLICABLE, RULES, Options, Rule, rule
from stagecraft.rules.model import MANDATORY, PRODUCTION_ONLY


def _check(_type: str, _inputs: Any, _options: Options) -> list[str]:
    return []


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"levels": {**MANDATORY, "production": "advisory"}}, "rule x: production must be mandatory"),
        ({"levels": {"production": "mandatory"}}, "rule x: levels must name"),
        ({"check": None}, "rule x: exactly one of check and stack_check is required"),
        ({"types": ()}, "rule x: a resource rule needs types"),
        ({"pack": False}, "rule x: a plan-only rule needs pack_note"),
    ],
)
def test_inconsistent_rules_are_refused(kwargs: dict[str, Any], error: str) -> None:
    fields: dict[str, Any] = {
        "levels": PRODUCTION_ONLY,
        "types": ("aws:kms/key:Key",),
        "check": _check,
        **kwargs,
    }
    with pytest.raises(ValueError, match=error):
        Rule("x", "d", "stagecraft", "https://example.com", **fields)


def test_registry_ids_are_unique_sorted_and_valid_policy_names() -> None:
    ids = [r.id for r in RULES]
    assert ids == sorted(set(ids))
    assert all(r.url.startswith("https://") for r in RULES)
    assert all(len(i) <= 100 and i.replace("-", "").isalnum() for i in ids)
    assert rule("rds-encrypted").control == "FSBP RDS.3"
    with pytest.raises(KeyError):
        rule("no-such-rule")


def test_not_applicable_controls_give_reasons() -> None:
    assert all(item.reason for item in NOT_APPLICABLE)
    assert any("S3.9" in item.control for item in NOT_APPLICABLE)
