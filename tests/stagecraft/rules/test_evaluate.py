"""``evaluate``: ordering, acknowledged floors, profiles, the JSON shape, and what it skips."""

from __future__ import annotations

from dataclasses import replace

import pytest

from stagecraft.rules import FLOOR_ACKNOWLEDGED, Finding, evaluate
from tests.stagecraft.rules.builders import inventory, res

ACK = [{"key": "database.multiAz", "reason": "single-AZ until launch"}]


@pytest.mark.parametrize("profile", ["development", "staging", "production"])
def test_acknowledged_floor_is_an_advisory_finding_in_every_profile(profile: str) -> None:
    findings = evaluate(inventory(), profile, ACK)
    assert [f.to_json() for f in findings] == [
        {
            "rule": FLOOR_ACKNOWLEDGED,
            "level": "advisory",
            "urn": None,
            "message": "production floor database.multiAz weakened, acknowledged: single-AZ until launch",
        }
    ]


def test_findings_sort_mandatory_first_then_rule_urn_message() -> None:
    bad_db = res("aws:rds/instance:Instance", "b-db", {"multiAz": False, "storageEncrypted": True})
    findings = evaluate(
        inventory(bad_db, replace(bad_db, urn=bad_db.urn.replace("b-db", "a-db"), name="a-db")),
        "staging",
        ACK,
    )
    keys = [(f.level, f.rule, f.urn) for f in findings]
    assert keys == sorted(keys, key=lambda k: (k[0] != "mandatory", k[1], k[2] or ""))
    assert [f.level for f in findings if f.rule == FLOOR_ACKNOWLEDGED] == ["advisory"]
    multi = [f for f in findings if f.rule == "rds-multi-az"]
    assert [f.message for f in multi] == [
        "aws:rds/instance:Instance a-db: multiAz is false; true required",
        "aws:rds/instance:Instance b-db: multiAz is false; true required",
    ]
    assert {f.level for f in multi} == {"advisory"}


def test_components_and_providers_are_not_resource_checked() -> None:
    component = replace(res("aws:rds/instance:Instance", "wrapper", {}), custom=False)
    assert evaluate(inventory(component), "production") == []


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="profile 'prod' is not one of development, staging, production"):
        evaluate(inventory(), "prod")


def test_finding_json_shape() -> None:
    finding = Finding("rds-encrypted", "mandatory", "urn:x", "m")
    assert finding.to_json() == {
        "rule": "rds-encrypted",
        "level": "mandatory",
        "urn": "urn:x",
        "message": "m",
    }
