"""The recorded resource graph of one plan run, and its JSON form (the plan contract)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from stagecraft.plan.references import References

SECRET = "[secret]"
"""What every secret value is replaced with in recorded inputs, outputs and plan output."""


@dataclass(frozen=True)
class RecordedResource:
    """One ``RegisterResourceRequest`` as the engine would receive it (inputs in engine wire names)."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    provider: str | None
    inputs: dict[str, Any]
    dependencies: tuple[str, ...]
    protect: bool
    retain_on_delete: bool
    ignore_changes: tuple[str, ...]
    delete_before_replace: bool = False
    """The ``deleteBeforeReplace`` option: a replacement deletes the old resource before creating the new one."""
    references: References = field(default_factory=dict)
    """Input path -> the computed values (other resources' outputs, invoke results) at that path
    (:mod:`stagecraft.plan.references`): what a real preview would show as ``output<string>``."""

    def to_json(self) -> dict[str, Any]:
        """The resource as it appears in ``stagecraft plan --json``."""
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "custom": self.custom,
            "provider": self.provider,
            "inputs": self.inputs,
            "references": references_json(self.references),
            "dependencies": list(self.dependencies),
            "protect": self.protect,
            "retainOnDelete": self.retain_on_delete,
            "ignoreChanges": list(self.ignore_changes),
            "deleteBeforeReplace": self.delete_before_replace,
        }


def references_json(references: References) -> dict[str, list[dict[str, Any]]]:
    """``references`` in the plan contract: path -> list of ``{urn|invoke, output[, within]}`` or ``{candidates}``."""
    return {path: [r.to_json() for r in refs] for path, refs in sorted(references.items())}


@dataclass
class Inventory:
    """Everything one run of the program registered, plus its stack outputs."""

    project: str
    stack: str
    resources: list[RecordedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    output_references: References = field(default_factory=dict)
    """Output path -> the computed values in the stack's outputs, as :attr:`RecordedResource.references`."""

    def by_urn(self) -> dict[str, RecordedResource]:
        """Resources keyed by URN."""
        return {r.urn: r for r in self.resources}

    def of_type(self, type_: str) -> list[RecordedResource]:
        """Resources of one type token, in URN order."""
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: str | None = None) -> RecordedResource:
        """The single resource of ``type_`` (and ``name``, if given); raises if there is not exactly one."""
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.of_type(type_)]
            raise LookupError(f"expected one {type_} named {name!r}, found {len(found)} among {names}")
        return found[0]

    def children(self, parent_urn: str) -> list[RecordedResource]:
        """Direct children of a resource."""
        return [r for r in self.resources if r.parent == parent_urn]

    def type_counts(self) -> Counter[str]:
        """How many resources of each type."""
        return Counter(r.type for r in self.resources)

    def depends_on(self, urn: str, target: str) -> bool:
        """Whether ``urn`` waits for ``target`` through any chain of dependencies or parents.

        A resource waits for what it depends on; depending on a component means waiting for all of
        the component's custom descendants.
        """
        graph = self.wait_graph()
        seen: set[str] = set()
        stack = [urn]
        while stack:
            current = stack.pop()
            for nxt in graph.get(current, ()):
                if nxt == target:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return False

    def wait_graph(self) -> dict[str, set[str]]:
        """For each resource, the resources it must wait for before it can be created.

        Dependencies on a component expand to the component's custom descendants, as the engine does.
        """
        by_urn = self.by_urn()
        descendants: dict[str, list[str]] = {}
        for r in self.resources:
            parent = r.parent
            while parent is not None:
                descendants.setdefault(parent, []).append(r.urn)
                parent_res = by_urn.get(parent)
                parent = parent_res.parent if parent_res else None

        def expand(dep: str) -> set[str]:
            res = by_urn.get(dep)
            if res is None:
                return set()
            if res.custom:
                return {dep}
            return {d for d in descendants.get(dep, []) if by_urn[d].custom}

        graph: dict[str, set[str]] = {}
        for r in self.resources:
            deps: set[str] = set()
            for d in r.dependencies:
                deps |= expand(d)
            deps.discard(r.urn)
            graph[r.urn] = deps
        return graph
