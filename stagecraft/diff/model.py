"""What happens to each resource between two plans of one stack, matched by URN.

A URN holds the resource's type, name and parent types, so a resource whose type or parent chain changes is a
delete and a create here (as in the engine, unless an alias links them; plans record no aliases).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from stagecraft.diff.paths import ABSENT, PathChange, changed_paths, is_ignored, unindexed
from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.replace import forced_replace, known_types

__all__ = ["KINDS", "Change", "OptionChange", "changes_between"]

KINDS = ("create", "replace", "update", "delete", "unchanged")
"""What a change does to its resource, in the order reports list them."""
_OPTIONS = (
    ("protect", "protect"),
    ("retainOnDelete", "retain_on_delete"),
    ("deleteBeforeReplace", "delete_before_replace"),
    ("ignoreChanges", "ignore_changes"),
    ("provider", "provider"),
)


@dataclass(frozen=True)
class OptionChange:
    """A resource option whose value differs (``protect``, ``retainOnDelete``, ...)."""

    option: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Change:
    """One resource's fate: its kind, the input paths that differ, the ones that force a replacement."""

    kind: str
    before: RecordedResource | None
    """The resource in the base plan (``None`` for a create)."""
    after: RecordedResource | None
    """The resource in the head plan (``None`` for a delete)."""
    paths: tuple[PathChange, ...] = ()
    """Input paths whose values differ, those ``ignoreChanges`` covers left out."""
    replace_paths: tuple[str, ...] = ()
    """The replace-forcing paths (``stagecraft/data/replace_paths.json`` notation) among them."""
    options: tuple[OptionChange, ...] = ()
    after_replacement_of: tuple[str, ...] = ()
    """Replaced resources this one depends on: its inputs from them get new ids and ARNs, which the offline
    plan cannot show (the mocks derive ids from names), so it may be updated or replaced too."""
    note: str | None = None

    @property
    def resource(self) -> RecordedResource:
        """The head's resource, or the base's for a delete."""
        resource = self.after or self.before
        assert resource is not None
        return resource

    @property
    def urn(self) -> str:
        return self.resource.urn

    def to_json(self) -> dict[str, Any]:
        """The change as ``diff --json`` prints it (an absent value has no ``before``/``after`` key)."""
        r = self.resource
        return {
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "parent": r.parent,
            "custom": r.custom,
            "kind": self.kind,
            "paths": [_path_json(p, p.path in self._forcing()) for p in self.paths],
            "replace_paths": list(self.replace_paths),
            "options": [{"option": o.option, "before": o.before, "after": o.after} for o in self.options],
            "after_replacement_of": list(self.after_replacement_of),
            "note": self.note,
        }

    def forces(self, path: PathChange) -> bool:
        """Whether a changed path is (inside, or holds) one of the replace-forcing paths."""
        return path.path in self._forcing()

    def _forcing(self) -> set[str]:
        found = set()
        for p in self.paths:
            plain = unindexed(p.path)
            for forcing in self.replace_paths:
                if plain == forcing or plain.startswith(f"{forcing}.") or forcing.startswith(f"{plain}."):
                    found.add(p.path)
        return found


def _path_json(path: PathChange, forces: bool) -> dict[str, Any]:
    document: dict[str, Any] = {"path": path.path, "forces_replace": forces}
    if path.json_path:
        document["json_path"] = path.json_path
    if path.before is not ABSENT:
        document["before"] = path.before
    if path.after is not ABSENT:
        document["after"] = path.after
    return document


def _compare(old: RecordedResource, new: RecordedResource) -> Change:
    paths = tuple(p for p in changed_paths(old.inputs, new.inputs) if not is_ignored(p.path, new.ignore_changes))
    options = tuple(
        OptionChange(key, _plain(getattr(old, attr)), _plain(getattr(new, attr)))
        for key, attr in _OPTIONS
        if getattr(old, attr) != getattr(new, attr)
    )
    note = None
    forcing: list[str] = []
    if new.custom and paths:
        if new.type in known_types():
            forcing = [
                p for p in forced_replace(new.type, old.inputs, new.inputs) if not is_ignored(p, new.ignore_changes)
            ]
        else:
            note = f"{new.type} is not in stagecraft/data/replace_paths.json: whether this replaces is unknown"
    kind = "replace" if forcing else "update" if paths or options else "unchanged"
    return Change(kind, old, new, paths, tuple(forcing), options, note=note)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def changes_between(base: Inventory, head: Inventory) -> list[Change]:
    """Every resource of either plan with what happens to it: the head's in its order, then the deletes."""
    before = base.by_urn()
    after = head.by_urn()
    changes = [_compare(before[r.urn], r) if r.urn in before else Change("create", None, r) for r in head.resources]
    changes += [Change("delete", r, None) for r in base.resources if r.urn not in after]
    replaced = {c.urn for c in changes if c.kind == "replace"}
    if not replaced:
        return changes
    out = []
    for change in changes:
        if change.kind in ("update", "unchanged") and change.after is not None:
            upstream = tuple(d for d in change.after.dependencies if d in replaced)
            if upstream:
                change = replace(change, after_replacement_of=upstream)
        out.append(change)
    return out
