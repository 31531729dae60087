"""Hand-made inventories for rule tests: resources as the engine would receive them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from stagecraft.plan.inventory import Inventory, RecordedResource


def urn(type_: str, name: str) -> str:
    """The URN the recorder gives a top-level resource."""
    return f"urn:pulumi:test::stagecraft::{type_}::{name}"


def res(
    type_: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    *,
    deps: tuple[RecordedResource, ...] = (),
    protect: bool = False,
) -> RecordedResource:
    """A custom resource with ``inputs`` that depends on ``deps``."""
    return RecordedResource(
        urn=urn(type_, name),
        type=type_,
        name=name,
        parent=None,
        custom=True,
        provider=None,
        inputs=dict(inputs or {}),
        dependencies=tuple(sorted(d.urn for d in deps)),
        protect=protect,
        retain_on_delete=False,
        ignore_changes=(),
    )


def inventory(*resources: RecordedResource) -> Inventory:
    """An inventory of ``resources`` in URN order."""
    return Inventory(project="stagecraft", stack="test", resources=sorted(resources, key=lambda r: r.urn))


def policy(*statements: dict[str, Any]) -> str:
    """An IAM-style JSON policy document, as programs send it."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@dataclass(frozen=True)
class Case:
    """One inventory and the exact messages ``rule`` must report for it (none: compliant)."""

    rule: str
    name: str
    resources: tuple[RecordedResource, ...]
    messages: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The pytest id."""
        return f"{self.rule}:{self.name}"

    def inventory(self) -> Inventory:
        """The case's resources as an inventory."""
        return inventory(*self.resources)


def one(rule: str, name: str, resource: RecordedResource, *messages: str) -> Case:
    """A single-resource case whose messages are prefixed with ``<type> <name>: ``."""
    prefix = f"{resource.type} {resource.name}: "
    return Case(rule, name, (resource,), tuple(prefix + m for m in messages))
