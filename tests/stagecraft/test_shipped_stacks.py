"""The shipped example stacks: no mandatory finding, and every production floor, acknowledged, is recorded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.config.network import LOG_RETENTION_DAYS
from infra.config.profiles import FLOORS, AtLeast, AtLeastRank, Required
from stagecraft.plan.build import plan_stack
from tests.conftest import ShippedPlan

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_shipped_stacks_have_no_mandatory_finding(shipped_plan: ShippedPlan, stack: str) -> None:
    result = shipped_plan(ROOT, stack)
    assert [f for f in result.findings if f["level"] == "mandatory"] == []
    assert result.stage_config.acknowledged == ()


def test_database_and_cluster_can_be_created_in_parallel(shipped_plan: ShippedPlan) -> None:
    inv = shipped_plan(ROOT, "production").inventory
    db = inv.one("aws:rds/instance:Instance")
    cluster = inv.one("aws:eks/cluster:Cluster")
    assert not inv.depends_on(db.urn, cluster.urn)
    assert not inv.depends_on(cluster.urn, db.urn)
    coredns = next(a for a in inv.of_type("aws:eks/addon:Addon") if a.inputs["addonName"] == "coredns")
    for group in inv.of_type("aws:eks/nodeGroup:NodeGroup"):
        assert inv.depends_on(coredns.urn, group.urn)


def _below(key: str, rule: AtLeast | Required | AtLeastRank, current: Any) -> Any:
    """A valid value that breaks ``rule``."""
    if isinstance(rule, Required):
        return not rule.expected if isinstance(rule.expected, bool) else "ACCEPT"
    if isinstance(rule, AtLeastRank):
        return rule.scale[list(rule.scale).index(rule.minimum) - 1]
    if isinstance(current, list):
        return current[: int(rule.minimum) - 1]
    if "log" in key or key.startswith("network.flow_logs"):
        return max(days for days in LOG_RETENTION_DAYS if days < rule.minimum)
    return int(rule.minimum) - 1


# Settings that, once weakened, need a companion value to stay valid.
COMPANIONS: dict[str, dict[str, Any]] = {
    "compute.eks.endpoint_public_access": {"compute.eks.public_access_cidrs": ["203.0.113.0/24"]},
    # Without reviewers GitHub refuses prevent_self_review (422), so that floor is given up with it.
    "github.reviewers": {"github.prevent_self_review": False},
}
COMPANION_FLOORS = {"github.reviewers": ["github.prevent_self_review"]}


def _set(stage: dict[str, Any], key: str, value: Any) -> None:
    node = stage
    *parents, last = key.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


PRODUCTION_FLOORS = [f for f in FLOORS if f.production is not None]


@pytest.mark.parametrize("floor", PRODUCTION_FLOORS, ids=[f.key for f in PRODUCTION_FLOORS])
def test_each_acknowledged_production_floor_is_recorded(shipped_plan: ShippedPlan, tmp_path: Path, floor: Any) -> None:
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.production.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    path = tmp_path / "Pulumi.production.yaml"
    doc = yaml.safe_load(path.read_text())
    stage = doc["config"]["stagecraft:stage"]
    current = shipped_plan(ROOT, "production").stage_config.settings
    value: Any = current
    for part in floor.key.split("."):
        value = getattr(value, part)
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    _set(stage, floor.key, _below(floor.key, floor.production, value))
    for key, companion in COMPANIONS.get(floor.key, {}).items():
        _set(stage, key, companion)
    keys = sorted([floor.key, *COMPANION_FLOORS.get(floor.key, [])])
    stage["acknowledge"] = dict.fromkeys(keys, "Deliberate weakening for this test stage")
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = plan_stack(tmp_path, "production")
    assert [a.key for a in result.stage_config.acknowledged] == keys
    recorded = [f for f in result.findings if f["rule"] == "floor-acknowledged"]
    assert len(recorded) == len(keys) and {r["level"] for r in recorded} == {"advisory"}
    reason = "Deliberate weakening for this test stage"
    assert any(floor.key in r["message"] and reason in r["message"] for r in recorded)


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_every_service_role_trusts_its_service_for_this_account_only(stack: str) -> None:
    """Service principals assume a role only for this account's resources (aws:SourceAccount), as IAM's
    confused-deputy guidance asks: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"""
    inv = plan_stack(ROOT, stack).inventory
    checked = []
    for role in inv.of_type("aws:iam/role:Role"):
        for statement in json.loads(role.inputs["assumeRolePolicy"])["Statement"]:
            if "Service" in statement.get("Principal", {}):
                checked.append(role.name)
                account = statement.get("Condition", {}).get("StringEquals", {}).get("aws:SourceAccount")
                assert account is not None and account.isdigit(), (role.name, statement)
    assert checked  # the stacks do have service roles
