from __future__ import annotations

import json
import re

import pytest

from stagecraft.estimates.deploy_time import (
    DURATIONS_PATH,
    Duration,
    DurationTable,
    estimate_deploy,
    load_durations,
    render_deploy,
)
from tests.stagecraft.factory import inventory, res, urn

A, B, C, D = "test:index/a:A", "test:index/b:B", "test:index/c:C", "test:index/d:D"
TABLE = DurationTable(
    types={
        A: {"p50": 1.0, "p90": 2.0, "source": "test"},
        B: {"p50": 2.0, "p90": 3.0, "source": "test"},
        C: {"p50": 3.0, "p90": 4.0, "source": "test"},
        D: {"p50": 4.5, "p90": 20.0, "source": "test"},
    },
    default=Duration(0.5, 1.0, "default", default=True),
    zero_prefixes=("pulumi:providers:",),
)


def test_a_path_of_three_resources_adds_up() -> None:
    a = res(A, "a")
    b = res(B, "b", deps=(a.urn,))
    c = res(C, "c", deps=(b.urn,))
    side = res(A, "side")
    est = estimate_deploy(inventory(side, c, a, b), TABLE)
    assert est.to_json() == {"p50_minutes": 6.0, "p90_minutes": 9.0, "critical_path": [a.urn, b.urn, c.urn]}


def test_p50_and_p90_paths_are_computed_separately() -> None:
    fast_usually = res(C, "x")  # p50 3, p90 4
    slow_tail = res(B, "y")  # p50 2, p90 3
    risky = res(D, "risky")  # p50 4.5, p90 20 (independent)
    last = res(A, "z", deps=(fast_usually.urn, slow_tail.urn))
    est = estimate_deploy(inventory(fast_usually, slow_tail, risky, last), TABLE)
    # p50: x -> z = 4.0 < risky 4.5; p90: risky 20 > x -> z 6
    assert est.p50_minutes == 4.5 and est.critical_path == (risky.urn,)
    assert est.p90_minutes == 20.0
    est2 = estimate_deploy(inventory(fast_usually, slow_tail, last), TABLE)
    assert est2.critical_path == (fast_usually.urn, last.urn) and est2.p90_minutes == 6.0


def test_components_take_no_time_and_depending_on_one_waits_for_its_children() -> None:
    comp = res("stagecraft:network:Network", "net", custom=False)
    inner = res(C, "inner", parent=comp.urn)
    provider = res("pulumi:providers:aws", "default")
    after = res(A, "after", deps=(comp.urn, provider.urn))
    est = estimate_deploy(inventory(comp, inner, provider, after), TABLE)
    assert est.critical_path == (inner.urn, after.urn)
    assert est.p50_minutes == 4.0


def test_ties_break_on_the_smallest_urn_whatever_the_order() -> None:
    left, right = res(A, "left"), res(A, "right")
    tail = res(B, "tail", deps=(right.urn, left.urn))
    one = estimate_deploy(inventory(left, right, tail), TABLE)
    two = estimate_deploy(inventory(tail, right, left), TABLE)
    assert one.critical_path == two.critical_path == (left.urn, tail.urn)
    solo = estimate_deploy(inventory(res(A, "q"), res(A, "p")), TABLE)
    assert solo.critical_path == (urn(A, "p"),)


def test_unlisted_types_take_the_default_and_cycles_are_refused() -> None:
    est = estimate_deploy(inventory(res("test:index/other:Other", "o")), TABLE)
    assert est.p50_minutes == 0.5 and est.durations[urn("test:index/other:Other", "o")].default
    x = res(A, "x", deps=(urn(A, "y"),))
    y = res(A, "y", deps=(x.urn,))
    with pytest.raises(ValueError, match="cycle"):
        estimate_deploy(inventory(x, y), TABLE)


def test_shipped_table_uses_multi_az_and_addon_variants() -> None:
    table = load_durations()
    single = res("aws:rds/instance:Instance", "db", {"multiAz": False})
    multi = res("aws:rds/instance:Instance", "db", {"multiAz": True})
    pitr = res("aws:rds/instance:Instance", "db", {"restoreToPointInTime": {"useLatestRestorableTime": True}})
    assert (table.lookup(single).p50, table.lookup(multi).p50, table.lookup(pitr).p50) == (7.0, 17.5, 22.5)
    coredns = res("aws:eks/addon:Addon", "coredns", {"addonName": "coredns"})
    cni = res("aws:eks/addon:Addon", "vpc-cni", {"addonName": "vpc-cni"})
    assert (table.lookup(coredns).p50, table.lookup(cni).p50) == (2.0, 0.33)
    assert all(e["source"] for e in table.types.values())


def test_eks_path_with_shipped_durations() -> None:
    subnet = res("aws:ec2/subnet:Subnet", "private-a")
    cluster = res("aws:eks/cluster:Cluster", "eks", deps=(subnet.urn,))
    nodes = res("aws:eks/nodeGroup:NodeGroup", "nodes", deps=(cluster.urn,))
    coredns = res("aws:eks/addon:Addon", "coredns", {"addonName": "coredns"}, deps=(nodes.urn,))
    est = estimate_deploy(inventory(subnet, cluster, nodes, coredns))
    assert est.p50_minutes == round(0.15 + 9.5 + 2.0 + 2.0, 1)
    assert est.p90_minutes == round(0.17 + 14.0 + 5.0 + 3.0, 1)
    lines = render_deploy(est, inventory(subnet, cluster, nodes, coredns))
    assert lines == [
        "Fresh deploy: 13.7 min p50, 22.2 min p90; critical path (p50):",
        "    0.1 min  aws:ec2/subnet:Subnet private-a",
        "    9.5 min  aws:eks/cluster:Cluster eks",
        "    2.0 min  aws:eks/nodeGroup:NodeGroup nodes",
        "    2.0 min  aws:eks/addon:Addon coredns",
    ]


def test_render_mentions_default_durations() -> None:
    inv = inventory(res("test:index/other:Other", "o"))
    assert render_deploy(estimate_deploy(inv, TABLE), inv)[-1].startswith("  (1 types without a measured")


def _sources(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == "source" and isinstance(v, str)] + [
            s for k, v in node.items() if k != "source" for s in _sources(v)
        ]
    if isinstance(node, list):
        return [s for item in node for s in _sources(item)]
    return []


def test_every_duration_cites_its_original_source_or_says_it_is_an_estimate() -> None:
    """Sources are linked in the repository (never a reference file outside it); unmeasured numbers say so."""
    doc = json.loads(DURATIONS_PATH.read_text())
    sources = _sources(doc)
    assert len(sources) >= len(doc["types"]) + 1
    for source in sources:
        assert "perf.md" not in source, source
        assert source.startswith("estimate:") or re.search(r"https://\S+", source), source
