"""Hand-made recorded resources for estimate tests."""

from __future__ import annotations

from typing import Any

from stagecraft.plan.inventory import Inventory, RecordedResource

PREFIX = "urn:pulumi:staging::stagecraft::"


def res(
    type_: str,
    name: str,
    inputs: dict[str, Any] | None = None,
    deps: tuple[str, ...] = (),
    parent: str | None = None,
    custom: bool = True,
) -> RecordedResource:
    """A recorded resource with a URN built from its type and name (parent types are not nested)."""
    return RecordedResource(
        urn=urn(type_, name),
        type=type_,
        name=name,
        parent=parent,
        custom=custom,
        provider=None,
        inputs=inputs or {},
        dependencies=deps,
        protect=False,
        retain_on_delete=False,
        ignore_changes=(),
    )


def urn(type_: str, name: str) -> str:
    """The URN `res` gives a resource."""
    return f"{PREFIX}{type_}::{name}"


def inventory(*resources: RecordedResource) -> Inventory:
    """An inventory of the staging stack holding ``resources``."""
    return Inventory(project="stagecraft", stack="staging", resources=list(resources))
