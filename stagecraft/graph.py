"""``stagecraft graph``: a Mermaid flowchart of a stage's components and the dependencies between them.

Every custom resource is folded into its nearest component ancestor; a component is drawn when it owns
custom resources directly (wrapper-only components would have no edges). Top-level custom resources are drawn
on their own, except provider resources, which are configuration rather than infrastructure. An edge
``a --> b`` means something in ``b`` waits for something in ``a``; edges implied by a longer path are left out
(transitive reduction) when the component graph has no cycle.
"""

from __future__ import annotations

import re

from stagecraft.plan.inventory import Inventory, RecordedResource

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_SKIPPED_PREFIXES = ("pulumi:providers:",)


def _owner(r: RecordedResource, by_urn: dict[str, RecordedResource]) -> str | None:
    """The URN of the node ``r`` is drawn in: its nearest component ancestor, or itself at top level."""
    if r.type.startswith(_SKIPPED_PREFIXES):
        return None
    parent = r.parent
    while parent is not None:
        res = by_urn.get(parent)
        if res is None:
            break
        if not res.custom:
            return res.urn
        parent = res.parent
    return r.urn


def _label(r: RecordedResource) -> str:
    text = f"{r.type.rsplit(':', 1)[-1]} {r.name}"
    for raw, entity in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(raw, entity)
    return text


def _node_ids(urns: list[str], by_urn: dict[str, RecordedResource]) -> dict[str, str]:
    ids: dict[str, str] = {}
    used: set[str] = set()
    for urn in urns:
        base = "n_" + _UNSAFE.sub("_", by_urn[urn].name)
        node, n = base, 2
        while node in used:
            node, n = f"{base}_{n}", n + 1
        used.add(node)
        ids[urn] = node
    return ids


def _reachable(edges: dict[str, set[str]], start: str, skip_direct: str) -> bool:
    """Whether ``skip_direct`` is reachable from ``start`` without the direct edge between them."""
    stack = [n for n in edges[start] if n != skip_direct]
    seen: set[str] = set()
    while stack:
        node = stack.pop()
        if node == skip_direct:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(edges[node])
    return False


def _has_cycle(edges: dict[str, set[str]]) -> bool:
    return any(_reachable(edges, a, a) or a in edges[a] for a in edges)


def component_edges(inventory: Inventory) -> tuple[list[str], dict[str, set[str]]]:
    """Drawn node URNs (sorted) and, for each, the nodes that wait for it."""
    by_urn = inventory.by_urn()
    owner = {r.urn: _owner(r, by_urn) for r in inventory.resources if r.custom}
    nodes = sorted({o for o in owner.values() if o is not None})
    edges: dict[str, set[str]] = {n: set() for n in nodes}
    for urn, deps in inventory.wait_graph().items():
        dependent = owner.get(urn)
        for dep in deps:
            source = owner.get(dep)
            if dependent is not None and source is not None and source != dependent:
                edges[source].add(dependent)
    if not _has_cycle(edges):
        edges = {a: {b for b in targets if not _reachable(edges, a, b)} for a, targets in edges.items()}
    return nodes, edges


def mermaid(inventory: Inventory) -> str:
    """The stage as a Mermaid ``flowchart LR`` (deterministic: nodes and edges in URN order)."""
    by_urn = inventory.by_urn()
    nodes, edges = component_edges(inventory)
    ids = _node_ids(nodes, by_urn)
    lines = ["flowchart LR"]
    lines += [f'    {ids[n]}["{_label(by_urn[n])}"]' for n in nodes]
    lines += [f"    {ids[a]} --> {ids[b]}" for a in nodes for b in sorted(edges[a])]
    return "\n".join(lines) + "\n"
