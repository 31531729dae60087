"""The decisions of the diff on small made-up plans: paths, ignoreChanges, replacements, cost bounds, rendering."""

from __future__ import annotations

from typing import Any

import pytest

from stagecraft.diff import diff_plans, plan_from_json
from stagecraft.diff.paths import ABSENT, PathChange, changed_paths, is_ignored, unindexed
from stagecraft.diff.render import render_markdown, render_text

BUCKET = "aws:s3/bucket:Bucket"
ROLE = "aws:iam/role:Role"


def _resource(name: str, type_: str = ROLE, **fields: Any) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:staging::stagecraft::{type_}::{name}",
        "type": type_,
        "name": name,
        "parent": None,
        "custom": True,
        "provider": None,
        "inputs": {},
        "dependencies": [],
        "protect": False,
        "retainOnDelete": False,
        "ignoreChanges": [],
        "deleteBeforeReplace": False,
        **fields,
    }


def _plan(
    resources: list[dict[str, Any]],
    items: tuple[tuple[str, float | None], ...] | list[tuple[str, float | None]] = (),
    *,
    total: float | None = 0.0,
    unpriced: tuple[str, ...] = (),
) -> dict[str, Any]:
    urn = {r["name"]: r["urn"] for r in resources}
    return {
        "schema_version": 1,
        "layer": "stage",
        "project": "stagecraft",
        "stack": "staging",
        "resources": resources,
        "cost": {
            "monthly_usd": total,
            "total_is_lower_bound": bool(unpriced),
            "items": [{"urn": urn[n], "name": n, "monthly_usd": usd} for n, usd in items],
            "unpriced": [{"urn": urn[n]} for n in unpriced],
        },
        "deploy": {"p50_minutes": 1.0, "p90_minutes": 2.0, "critical_path": []},
    }


def _diff(base: dict[str, Any], head: dict[str, Any]) -> Any:
    return diff_plans(plan_from_json(base, "base.json"), plan_from_json(head, "head.json"))


def test_paths_are_innermost_with_indexes_and_quoted_keys() -> None:
    before = {"vpcConfig": {"subnetIds": ["a", "b"]}, "tags": {"app.kubernetes.io/name": "x"}, "same": 1}
    after = {"vpcConfig": {"subnetIds": ["a", "c", "d"]}, "tags": {"app.kubernetes.io/name": "y"}, "same": 1}
    assert changed_paths(before, after) == [
        PathChange('tags["app.kubernetes.io/name"]', "x", "y"),
        PathChange("vpcConfig.subnetIds[1]", "b", "c"),
        PathChange("vpcConfig.subnetIds[2]", ABSENT, "d"),
    ]
    assert unindexed("encryptionConfigurations[0].kmsKey") == "encryptionConfigurations.kmsKey"
    assert unindexed('metadata.labels["a.b"]') == "metadata.labels.a.b"
    assert is_ignored("scalingConfig.desiredSize", ("scalingConfig.desiredSize",))
    assert is_ignored("tags.team", ("tags",)) and is_ignored("subnetIds[0]", ("subnetIds",))
    assert not is_ignored("tagsAll", ("tags",))


def test_a_json_string_is_compared_inside_and_a_plain_string_is_not() -> None:
    assert changed_paths({"policy": '{"a": [1]}'}, {"policy": '{"a": [2]}'}) == [PathChange("policy", 1, 2, ".a[0]")]
    assert changed_paths({"s": "[x"}, {"s": "[y"}) == [PathChange("s", "[x", "[y")]
    assert changed_paths({"s": ""}, {"s": "{}"}) == [PathChange("s", "", "{}")]


def test_a_replace_forcing_path_replaces_unless_ignored() -> None:
    old = _resource("b", BUCKET, inputs={"bucket": "one", "tags": {"a": "1"}})
    new = _resource("b", BUCKET, inputs={"bucket": "two", "tags": {"a": "2"}})
    [change] = _diff(_plan([old]), _plan([new])).changes
    assert (change.kind, change.replace_paths) == ("replace", ("bucket",))
    assert [change.forces(p) for p in change.paths] == [True, False]
    ignored = {**new, "ignoreChanges": ["bucket"]}
    [change] = _diff(_plan([old]), _plan([ignored])).changes
    assert (change.kind, [p.path for p in change.paths]) == ("update", ["tags.a"])


def test_options_alone_make_an_update_and_unknown_types_say_so() -> None:
    old, new = _resource("r"), _resource("r", protect=True)
    [change] = _diff(_plan([old]), _plan([new])).changes
    assert change.kind == "update" and [(o.option, o.before, o.after) for o in change.options] == [
        ("protect", False, True)
    ]
    odd = "aws:made/up:Thing"
    [change] = _diff(
        _plan([_resource("t", odd, inputs={"a": 1})]), _plan([_resource("t", odd, inputs={"a": 2})])
    ).changes
    assert change.kind == "update" and change.note and "replace_paths.json" in change.note


def test_secrets_stay_redacted_markers() -> None:
    old = _resource("r", inputs={"value": "[secret]", "name": "x"})
    new = _resource("r", inputs={"value": "[secret]", "name": "y"})
    diff = _diff(_plan([old]), _plan([new]))
    assert [p.path for p in diff.changes[0].paths] == ["name"]
    plain = _resource("r", inputs={"value": "[secret]"})
    text = render_text(_diff(_plan([_resource("r", inputs={"value": "[secret]"})]), _plan([plain])))
    assert "[secret]" not in text  # an unchanged secret is not even listed


@pytest.mark.parametrize(
    ("base_price", "head_price", "delta", "delta_is"),
    [
        (10.0, 25.0, 15.0, "exact"),
        (10.0, None, -10.0, "lower_bound"),  # now unpriced: the delta is at least -10
        (None, 10.0, 10.0, "upper_bound"),  # was unpriced: at most +10
        (None, None, None, "unknown"),
    ],
)
def test_an_unpriced_side_makes_the_cost_delta_a_bound_or_unknown(
    base_price: float | None, head_price: float | None, delta: float | None, delta_is: str
) -> None:
    old = _resource("db", inputs={"size": 1})
    new = _resource("db", inputs={"size": 2})
    base = _plan([old], [("db", base_price)], unpriced=("db",) if base_price is None else ())
    head = _plan([new], [("db", head_price)], unpriced=("db",) if head_price is None else ())
    cost = _diff(base, head).cost
    assert (cost.delta_usd, cost.delta_is) == (delta, delta_is)
    assert [(i.delta_usd, i.delta_is) for i in cost.items] == [(delta, delta_is)]


def test_created_unpriced_is_a_lower_bound_and_no_prices_is_unknown() -> None:
    created = _resource("new")
    cost = _diff(_plan([]), _plan([created], [("new", None)], unpriced=("new",))).cost
    assert (cost.delta_usd, cost.delta_is) == (0.0, "lower_bound")
    cost = _diff(_plan([], total=None), _plan([created], total=None)).cost
    assert (cost.delta_usd, cost.delta_is) == (None, "unknown")
    assert "delta unknown" in render_text(_diff(_plan([], total=None), _plan([created], total=None)))


def test_an_unchanged_unpriced_resource_moves_nothing() -> None:
    same = _resource("db")
    plan = _plan([same], [("db", None)], unpriced=("db",))
    cost = _diff(plan, plan).cost
    assert (cost.delta_usd, cost.delta_is, cost.items) == (0.0, "exact", ())


def test_markdown_groups_by_component_and_fits_a_comment() -> None:
    parent = _resource("net", "stagecraft:network:Network", custom=False)
    children = [_resource(f"role-{i}", parent=parent["urn"], inputs={"x": "a" * 50}) for i in range(40)]
    changed = [{**c, "inputs": {"x": "b" * 50}} for c in children]
    diff = _diff(_plan([parent, *children]), _plan([parent, *changed]))
    markdown = render_markdown(diff)
    assert "<details><summary>Network net: 40 update</summary>" in markdown
    assert '`x: "aaaa' in markdown
    short = render_markdown(diff, limit=4000)
    assert len(short) <= 4000 and '"aaaa' not in short and "left out" not in short
    tiny = render_markdown(diff, limit=1500)
    assert len(tiny) <= 1500 and "left out to fit" in tiny and "Cost:" in tiny


def test_hazards_follow_the_options_and_the_type() -> None:
    old = _resource("b", BUCKET, inputs={"bucket": "one", "objectLockEnabled": False})
    new = _resource("b", BUCKET, inputs={"bucket": "one", "objectLockEnabled": True})
    diff = _diff(_plan([old]), _plan([new]))
    assert diff.changes[0].replace_paths == ("objectLockEnabled",)
    assert [h.rule for h in diff.hazards] == ["name-collision", "stateful"]
    deleting_first = {**new, "deleteBeforeReplace": True}
    assert [h.rule for h in _diff(_plan([old]), _plan([deleting_first])).hazards] == ["stateful"]
    renamed = {**new, "inputs": {"bucket": "two", "objectLockEnabled": True}}
    assert [h.rule for h in _diff(_plan([old]), _plan([renamed])).hazards] == ["stateful"]
    role = _resource("r", retainOnDelete=True)
    assert [h.rule for h in _diff(_plan([role]), _plan([])).hazards] == ["retained"]
    assert _diff(_plan([_resource("r")]), _plan([])).hazards == ()
