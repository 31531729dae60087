"""Fresh-deploy time: the longest path through the recorded wait graph, with per-type create durations.

Only custom resources take time; components, and provider resources, take none. The p50 and p90 totals are
the longest paths under p50 and p90 durations, computed separately; ties go to the lexicographically
smallest URN, so the same inventory always gives the same path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from stagecraft.plan.inventory import Inventory, RecordedResource

DURATIONS_PATH = Path(__file__).resolve().parent.parent / "data" / "durations.json"


@dataclass(frozen=True)
class Duration:
    """Create time of one resource in minutes, and where the figure comes from."""

    p50: float
    p90: float
    source: str
    default: bool = False


@dataclass(frozen=True)
class DurationTable:
    """Per-type durations (``types``), input-dependent variants, and the default for unlisted types."""

    types: dict[str, dict[str, Any]]
    default: Duration
    zero_prefixes: tuple[str, ...]

    def lookup(self, resource: RecordedResource) -> Duration:
        """How long ``resource`` takes to create."""
        if not resource.custom or resource.type.startswith(self.zero_prefixes):
            return Duration(0.0, 0.0, "takes no time")
        entry = self.types.get(resource.type)
        if entry is None:
            return self.default
        for variant in entry.get("variants", []):
            if _matches(variant, resource.inputs):
                entry = variant
                break
        return Duration(float(entry["p50"]), float(entry["p90"]), str(entry["source"]))


def _matches(variant: dict[str, Any], inputs: dict[str, Any]) -> bool:
    key = variant["key"]
    if "present" in variant:
        return (inputs.get(key) is not None) is bool(variant["present"])
    if "in" in variant:
        return bool(inputs.get(key) in variant["in"])
    return bool(inputs.get(key) == variant["equals"])


@cache
def load_durations(path: Path = DURATIONS_PATH) -> DurationTable:
    """The shipped duration table (cached)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    d = doc["default"]
    default = Duration(float(d["p50"]), float(d["p90"]), str(d["source"]), default=True)
    return DurationTable(doc["types"], default, tuple(doc.get("zero_prefixes", [])))


@dataclass(frozen=True)
class DeployEstimate:
    """Estimated fresh-deploy time in minutes and the p50 critical path (URNs, first to last)."""

    p50_minutes: float
    p90_minutes: float
    critical_path: tuple[str, ...]
    durations: dict[str, Duration]

    def to_json(self) -> dict[str, Any]:
        """The plan's ``deploy`` object."""
        return {
            "p50_minutes": self.p50_minutes,
            "p90_minutes": self.p90_minutes,
            "critical_path": list(self.critical_path),
        }


def _longest_path(graph: dict[str, set[str]], weight: dict[str, float]) -> tuple[float, list[str]]:
    """Longest weighted path in a DAG given as node -> predecessors; returns (length, nodes in order)."""
    finish: dict[str, float] = {}
    best_pred: dict[str, str | None] = {}
    visiting: set[str] = set()

    def visit(node: str) -> float:
        if node in finish:
            return finish[node]
        if node in visiting:
            raise ValueError(f"the wait graph has a cycle through {node}")
        visiting.add(node)
        pred: str | None = None
        start = 0.0
        for p in sorted(graph.get(node, ())):
            f = visit(p)
            if pred is None or round(f, 9) > round(start, 9):
                pred, start = p, f
        visiting.discard(node)
        best_pred[node] = pred
        finish[node] = start + weight[node]
        return finish[node]

    end: str | None = None
    for node in sorted(graph):
        length = visit(node)
        if end is None or round(length, 9) > round(finish[end], 9):
            end = node
    path: list[str] = []
    while end is not None:
        path.append(end)
        end = best_pred[end]
    path.reverse()
    return (finish[path[-1]] if path else 0.0), path


def estimate_deploy(inventory: Inventory, table: DurationTable | None = None) -> DeployEstimate:
    """The fresh-deploy estimate of ``inventory``: longest p50 and p90 paths through its wait graph."""
    table = table or load_durations()
    durations = {r.urn: table.lookup(r) for r in inventory.resources}
    custom = {r.urn for r in inventory.resources if r.custom}
    full = inventory.wait_graph()
    graph = {u: {d for d in full.get(u, set()) if d in custom} for u in sorted(custom)}
    p50, path = _longest_path(graph, {u: durations[u].p50 for u in graph})
    p90, _ = _longest_path(graph, {u: durations[u].p90 for u in graph})
    return DeployEstimate(round(p50, 1), round(p90, 1), tuple(path), durations)


def render_deploy(est: DeployEstimate, inventory: Inventory) -> list[str]:
    """The estimate, the critical path as ``type name`` lines, and how many types use the default."""
    by_urn = inventory.by_urn()
    lines = [f"Fresh deploy: {est.p50_minutes:.1f} min p50, {est.p90_minutes:.1f} min p90; critical path (p50):"]
    for urn in est.critical_path:
        r = by_urn[urn]
        lines.append(f"  {est.durations[urn].p50:>5.1f} min  {r.type} {r.name}")
    defaulted = sorted({r.type for r in inventory.resources if est.durations[r.urn].default})
    if defaulted:
        lines.append(f"  ({len(defaulted)} types without a measured duration use the default of a few seconds)")
    return lines
