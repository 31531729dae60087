"""Input paths that differ between two resources, in Pulumi's property-path notation.

Paths read like ``vpcConfig.subnetIds[0]`` and ``tags["app.kubernetes.io/name"]`` (a key that is not an
identifier is quoted), as Pulumi writes ``ignoreChanges`` and ``replaceOnChanges``
(https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/). Without list indexes a path is in the
notation of ``stagecraft/data/replace_paths.json`` (``encryptionConfigurations.kmsKey``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["ABSENT", "PathChange", "changed_paths", "is_ignored", "unindexed"]

ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()
"""The value of a path one side does not have."""
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")
_INDEX = re.compile(r"\[\d+\]")
_QUOTED = re.compile(r'\["((?:[^"\\]|\\.)*)"\]')


@dataclass(frozen=True)
class PathChange:
    """One input path whose value differs: before and after (``ABSENT`` when a side lacks it)."""

    path: str
    before: Any
    after: Any
    json_path: str = ""
    """Inside a string input holding JSON (a policy document, container definitions): where in it, e.g.
    ``[0].environment[2].value``; empty for a plain value."""


def _key(prefix: str, key: str) -> str:
    if _IDENTIFIER.match(key):
        return f"{prefix}.{key}" if prefix else key
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{prefix}["{escaped}"]'


def changed_paths(before: Any, after: Any, prefix: str = "") -> list[PathChange]:
    """The innermost paths whose values differ, in sorted key and index order.

    Objects are compared key by key and lists item by item (an added or removed item is a path of its own),
    so a changed tag is ``tags.team``, not ``tags``. A value whose kind differs (a list for an object) is one
    change at its own path.
    """
    if before == after:
        return []
    documents = _json_documents(before, after)
    if documents is not None and prefix:
        inner = changed_paths(*documents)
        return [
            PathChange(prefix, c.before, c.after, c.path if c.path[:1] in ("", "[") else f".{c.path}") for c in inner
        ]
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[PathChange] = []
        for key in sorted(set(before) | set(after)):
            found += changed_paths(before.get(key, ABSENT), after.get(key, ABSENT), _key(prefix, str(key)))
        return found
    if isinstance(before, list) and isinstance(after, list):
        found = []
        for i in range(max(len(before), len(after))):
            old = before[i] if i < len(before) else ABSENT
            new = after[i] if i < len(after) else ABSENT
            found += changed_paths(old, new, f"{prefix}[{i}]")
        return found
    return [PathChange(prefix, before, after)]


def _json_documents(before: Any, after: Any) -> tuple[Any, Any] | None:
    """Both values parsed, when both are strings holding a JSON object or array."""
    if not (
        isinstance(before, str) and isinstance(after, str) and before[:1] in ("[", "{") and after[:1] in ("[", "{")
    ):
        return None
    try:
        parsed = json.loads(before), json.loads(after)
    except json.JSONDecodeError:
        return None
    return parsed if all(isinstance(p, dict | list) for p in parsed) else None


def unindexed(path: str) -> str:
    """``path`` without list indexes, quoted keys as plain ones (the replace data's notation)."""
    return _QUOTED.sub(lambda m: "." + m.group(1), _INDEX.sub("", path)).lstrip(".")


def is_ignored(path: str, ignore_changes: tuple[str, ...]) -> bool:
    """Whether an ``ignoreChanges`` entry covers ``path`` (the entry itself or anything inside it)."""
    for entry in ignore_changes:
        if entry == "*":
            return True
        for candidate in (path, unindexed(path)):
            if candidate == entry or candidate.startswith((f"{entry}.", f"{entry}[")):
                return True
    return False
