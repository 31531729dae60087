"""Read a ``stagecraft plan --json`` document and check that two of them can be compared."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stagecraft.plan.inventory import Inventory, RecordedResource

__all__ = ["SUPPORTED_PLAN_VERSIONS", "DiffInputError", "Plan", "check_comparable", "load_plan", "plan_from_json"]

SUPPORTED_PLAN_VERSIONS = frozenset({1})
"""The plan contract versions (``schema_version`` of ``plan --json``) this diff reads."""
_IDENTITY = ("layer", "project", "stack")


class DiffInputError(Exception):
    """A file that is not a readable plan document, or two plans of different stacks."""


@dataclass(frozen=True)
class Plan:
    """One plan document, its resources as recorded, and where it came from (for messages)."""

    document: dict[str, Any]
    inventory: Inventory
    source: str

    @property
    def identity(self) -> tuple[str, str, str]:
        """``(layer, project, stack)``: what two compared plans must share."""
        layer, project, stack = (str(self.document[k]) for k in _IDENTITY)
        return layer, project, stack


def load_plan(path: Path) -> Plan:
    """Read the plan document at ``path``; ``DiffInputError`` saying what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DiffInputError(f"cannot read {path}: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DiffInputError(f"{path} is not JSON ({exc}); pass the output of `stagecraft plan STACK --json`") from None
    return plan_from_json(document, str(path))


def plan_from_json(document: Any, source: str) -> Plan:
    """The :class:`Plan` of an already parsed plan document (``source`` names it in messages)."""
    hint = "pass the output of `stagecraft plan STACK --json`"
    if isinstance(document, dict) and isinstance(document.get("error"), dict):
        raise DiffInputError(f"{source} is the error document of a failed plan: {document['error'].get('message')}")
    if not isinstance(document, dict) or "resources" not in document or "schema_version" not in document:
        raise DiffInputError(f"{source} is not a plan document (no schema_version and resources); {hint}")
    version = document["schema_version"]
    if version not in SUPPORTED_PLAN_VERSIONS:
        raise DiffInputError(
            f"{source} has plan schema_version {version!r}; this stagecraft reads "
            f"{', '.join(map(str, sorted(SUPPORTED_PLAN_VERSIONS)))}"
        )
    missing = [k for k in (*_IDENTITY, "cost", "deploy") if k not in document]
    if missing or not isinstance(document["resources"], list):
        raise DiffInputError(f"{source} is not a plan document (missing {', '.join(missing) or 'a resource list'})")
    try:
        resources = [_resource(r) for r in document["resources"]]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DiffInputError(f"{source} has a resource that is not a plan resource (missing {exc})") from None
    inventory = Inventory(str(document["project"]), str(document["stack"]), resources)
    return Plan(document, inventory, source)


def _resource(raw: dict[str, Any]) -> RecordedResource:
    return RecordedResource(
        urn=str(raw["urn"]),
        type=str(raw["type"]),
        name=str(raw["name"]),
        parent=raw["parent"],
        custom=bool(raw["custom"]),
        provider=raw.get("provider"),
        inputs=dict(raw["inputs"]),
        dependencies=tuple(raw.get("dependencies", ())),
        protect=bool(raw.get("protect", False)),
        retain_on_delete=bool(raw.get("retainOnDelete", False)),
        ignore_changes=tuple(raw.get("ignoreChanges", ())),
        delete_before_replace=bool(raw.get("deleteBeforeReplace", False)),
    )


def check_comparable(base: Plan, head: Plan) -> None:
    """``DiffInputError`` unless ``base`` and ``head`` plan the same layer, project and stack."""
    for key, old, new in zip(_IDENTITY, base.identity, head.identity, strict=True):
        if old != new:
            raise DiffInputError(
                f"the plans are of different {key}s: {base.source} has {old!r}, {head.source} has {new!r}; "
                "diff compares two plans of one stack"
            )
