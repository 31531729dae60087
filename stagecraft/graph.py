"""``stagecraft graph``: the stack's components and what waits for what, as a Mermaid flowchart or JSON.

Every custom resource is folded into its nearest component ancestor; top-level custom resources stand on their
own. Provider resources are configuration, not nodes, but what a provider waits for, the resources it serves
wait for too (the engine creates the provider first): the cluster layer's namespaces wait for the stage's
kubeconfig through their Kubernetes provider.

An edge ``a --> b`` means something in ``b`` waits for something in ``a``. Components that wait for each other
(a cycle: the EKS cluster and its node groups' component) are drawn as one node, so the rest of the graph
stays a DAG and edges implied by a longer path are left out (transitive reduction, over the condensation).
Nodes are grouped per area (the ``<area>`` of a component type ``stagecraft:<area>:<Name>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import networkx as nx

from stagecraft.plan.inventory import Inventory, RecordedResource

SCHEMA_VERSION = 1
"""Version of the ``graph --json`` document (``nodes``, ``edges``, ``groups``); bumped only when a key changes."""
TOP_LEVEL = "stack"
"""The group of resources that belong to no component."""
_UNSAFE = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PROVIDERS = "pulumi:providers:"


@dataclass(frozen=True)
class GraphNode:
    """One drawn node: a component, a top-level resource, or components that wait for each other."""

    id: str
    """A readable Mermaid id: ``<group>_<short name>``."""
    group: str
    label: str
    members: tuple[str, ...]
    """URNs of the components (or the resource) the node stands for."""


@dataclass(frozen=True)
class ComponentGraph:
    """Nodes in a stable order and the reduced edges between them (``(from id, to id)``, sorted)."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[tuple[str, str], ...]
    provider_edges: int
    """How many component dependencies exist only through a provider's own dependencies."""

    def to_json(self) -> dict[str, Any]:
        """The ``graph --json`` document."""
        groups: dict[str, list[str]] = {}
        for node in self.nodes:
            groups.setdefault(node.group, []).append(node.id)
        return {
            "schema_version": SCHEMA_VERSION,
            "nodes": [{"id": n.id, "group": n.group, "label": n.label, "members": list(n.members)} for n in self.nodes],
            "edges": [{"from": a, "to": b} for a, b in self.edges],
            "groups": groups,
            "provider_edges": self.provider_edges,
        }


def _owner(r: RecordedResource, by_urn: dict[str, RecordedResource]) -> str | None:
    """The URN of the node ``r`` is drawn in: its nearest component ancestor, or itself at top level."""
    if r.type.startswith(_PROVIDERS):
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


def _group(r: RecordedResource) -> str:
    parts = r.type.split(":")
    return parts[1] if not r.custom and parts[0] == "stagecraft" and len(parts) == 3 else TOP_LEVEL


def _with_reads(inventory: Inventory) -> Inventory:
    """``inventory`` plus a node for each dependency it does not hold: a resource the program reads rather than
    registers (a StackReference is read: the recording monitor sees only registrations)."""
    known = {r.urn for r in inventory.resources}
    missing = sorted({d for r in inventory.resources for d in r.dependencies if d not in known and "::" in d})
    reads = []
    for urn in missing:
        _, _, rest = urn.partition("::")  # urn:pulumi:<stack>::<project>::<type chain>::<name>
        _, chain, name = rest.split("::", 2)
        reads.append(
            RecordedResource(
                urn=urn,
                type=chain.rsplit("$", 1)[-1],
                name=name,
                parent=None,
                custom=True,
                provider=None,
                inputs={},
                dependencies=(),
                protect=False,
                retain_on_delete=False,
                ignore_changes=(),
            )
        )
    return Inventory(inventory.project, inventory.stack, [*inventory.resources, *reads], inventory.outputs)


def _dependency_graph(inventory: Inventory) -> tuple[nx.DiGraph[str], int]:
    """Owner nodes and ``source -> dependent`` edges, provider dependencies included; and how many edges
    came only through a provider."""
    by_urn = inventory.by_urn()
    waits = inventory.wait_graph()
    owner = {r.urn: _owner(r, by_urn) for r in inventory.resources if r.custom}
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(sorted({o for o in owner.values() if o is not None}))
    through_providers: set[tuple[str, str]] = set()
    for resource in inventory.resources:
        dependent = owner.get(resource.urn)
        if dependent is None:
            continue
        direct = waits.get(resource.urn, set())
        via_provider = waits.get(resource.provider, set()) if resource.provider else set()
        for dep in sorted(direct | via_provider):
            source = owner.get(dep)
            if source is None or source == dependent:
                continue
            if dep not in direct and not graph.has_edge(source, dependent):
                through_providers.add((source, dependent))
            graph.add_edge(source, dependent)
    return graph, len({e for e in through_providers if graph.has_edge(*e)})


def _stack_prefix(names: list[str]) -> str | None:
    """The longest dash-separated prefix at least half the names (two at least) start with: ``<app>-<stage>``."""
    counts: dict[str, int] = {}
    for name in set(names):
        parts = name.split("-")
        for k in range(1, len(parts) + 1):
            prefix = "-".join(parts[:k])
            counts[prefix] = counts.get(prefix, 0) + 1
    needed = max(2, (len(names) + 1) // 2)
    shared = [p for p, n in counts.items() if n >= needed]
    return max(shared, key=lambda p: (len(p), p)) if shared else None


def _short_names(nodes: list[RecordedResource]) -> dict[str, str]:
    """Names without the stack's ``<app>-<stage>`` prefix (a node named just that is called by its type)."""
    prefix = _stack_prefix([n.name for n in nodes])
    short: dict[str, str] = {}
    for node in nodes:
        if prefix is not None and node.name == prefix:
            short[node.urn] = _CAMEL.sub("_", node.type.rsplit(":", 1)[-1])
        elif prefix is not None and node.name.startswith(prefix + "-"):
            short[node.urn] = node.name[len(prefix) + 1 :]
        else:
            short[node.urn] = node.name
    return short


def _label(r: RecordedResource) -> str:
    return f"{r.type.rsplit(':', 1)[-1]} {r.name}"


def component_graph(inventory: Inventory) -> ComponentGraph:
    """The condensed, transitively reduced component graph of ``inventory`` (deterministic)."""
    inventory = _with_reads(inventory)
    by_urn = inventory.by_urn()
    graph, provider_edges = _dependency_graph(inventory)
    condensed = nx.condensation(graph)
    # The outermost component first: it names the node (a node group's cycle with its cluster is the cluster's).
    members: dict[int, tuple[str, ...]] = {
        scc: tuple(sorted(data["members"], key=lambda urn: (urn.count("$"), urn)))
        for scc, data in condensed.nodes(data=True)
    }
    short = _short_names([by_urn[u] for u in graph.nodes])
    used: set[str] = set()
    nodes: dict[int, GraphNode] = {}
    for scc in sorted(members, key=lambda s: members[s]):
        first = by_urn[members[scc][0]]
        group = _group(first)
        base = f"{group}_{_UNSAFE.sub('_', short[first.urn].lower()).strip('_') or 'node'}"
        ident, n = base, 2
        while ident in used:
            ident, n = f"{base}_{n}", n + 1
        used.add(ident)
        label = " + ".join(_label(by_urn[u]) for u in members[scc])
        if len(members[scc]) > 1:
            label += " (wait for each other)"
        nodes[scc] = GraphNode(ident, group, label, members[scc])
    reduced = nx.transitive_reduction(condensed)
    edges = tuple(sorted((nodes[a].id, nodes[b].id) for a, b in reduced.edges))
    ordered = tuple(sorted(nodes.values(), key=lambda node: (node.group, node.id)))
    return ComponentGraph(nodes=ordered, edges=edges, provider_edges=provider_edges)


def _escape(text: str) -> str:
    for raw, entity in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(raw, entity)
    return text


def mermaid(inventory: Inventory) -> str:
    """The stack as a Mermaid ``flowchart LR``: one subgraph per area, then the edges."""
    graph = component_graph(inventory)
    lines = ["flowchart LR"]
    for group in sorted({n.group for n in graph.nodes}):
        lines.append(f'    subgraph g_{group}["{group}"]')
        lines += [f'        {n.id}["{_escape(n.label)}"]' for n in graph.nodes if n.group == group]
        lines.append("    end")
    lines += [f"    {a} --> {b}" for a, b in graph.edges]
    return "\n".join(lines) + "\n"
