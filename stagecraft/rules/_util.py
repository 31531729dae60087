"""Small readers shared by the rules: values as engines send them, policy documents, references."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.rules.model import Options

UNSET = "unset"


def label(resource: RecordedResource) -> str:
    """How a message names a resource: ``<type> <name>``."""
    return f"{resource.type} {resource.name}"


def show(value: Any) -> str:
    """A value as a message shows it (``14.0`` from the engine reads ``14``; missing reads ``unset``)."""
    if value is None:
        return UNSET
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value if value else '""'
    if isinstance(value, Sequence):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def is_true(value: Any) -> bool:
    """A boolean input, which some providers type as the strings ``"true"``/``"false"``."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value: Any) -> bool:
    """An explicit false (a string ``"false"`` counts)."""
    return value is False or (isinstance(value, str) and value.lower() == "false")


def as_list(value: Any) -> list[Any]:
    """A list input, or ``[]`` when it is missing (strings are not lists)."""
    if value is None or isinstance(value, str | bytes) or not isinstance(value, Sequence):
        return []
    return list(value)


def as_map(value: Any) -> Mapping[str, Any]:
    """A nested object input, or ``{}``; a one-element list (GraphQL-style blocks) yields its element."""
    if isinstance(value, Mapping):
        return value
    items = as_list(value)
    if len(items) == 1 and isinstance(items[0], Mapping):
        return items[0]
    return {}


def number(value: Any) -> float | None:
    """A numeric input (ints arrive as floats from the engine), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def policy_statements(document: Any) -> list[Mapping[str, Any]]:
    """The statements of an IAM-style JSON policy (a string or an object); ``[]`` if unparsable."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    if not isinstance(document, Mapping):
        return []
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        return [statements]
    return [s for s in as_list(statements) if isinstance(s, Mapping)]


def strings(value: Any) -> list[str]:
    """A policy element that may be one string or a list of strings."""
    if isinstance(value, str):
        return [value]
    return [v for v in as_list(value) if isinstance(v, str)]


def principals(statement: Mapping[str, Any]) -> list[str]:
    """Every principal a statement names (``"*"`` stays ``"*"``)."""
    principal = statement.get("Principal")
    if isinstance(principal, str):
        return [principal]
    if isinstance(principal, Mapping):
        return [p for v in principal.values() for p in strings(v)]
    return []


def is_public_allow(statement: Mapping[str, Any]) -> bool:
    """An Allow to everyone (``*`` or ``{"AWS": "*"}``) with no Condition narrowing it."""
    return statement.get("Effect") == "Allow" and "*" in principals(statement) and not statement.get("Condition")


def references(resource: RecordedResource, target: RecordedResource, field: str, name_key: str) -> bool:
    """Whether ``resource`` points at ``target``: through a dependency, or by ``field`` equal to its name.

    Dependencies decide it in both the plan and the analyzer (values are unknown during a real preview);
    the name comparison catches a component passing the target's literal name.
    """
    if target.urn in resource.dependencies:
        return True
    name = target.inputs.get(name_key)
    return isinstance(name, str) and bool(name) and resource.inputs.get(field) == name


def attached(
    inventory: Inventory, target: RecordedResource, type_: str, field: str, name_key: str = "name"
) -> Iterator[RecordedResource]:
    """The resources of ``type_`` that point at ``target`` through ``field``."""
    for candidate in inventory.of_type(type_):
        if references(candidate, target, field, name_key):
            yield candidate


def expect(key: str, want: str, ok: Callable[[Any], bool]) -> Callable[[str, Mapping[str, Any], Any], list[str]]:
    """A check that one input satisfies ``ok``; the message says what it is and what is required."""

    def check(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
        value = inputs.get(key)
        return [] if ok(value) else [f"{key} is {show(value)}; {want} required"]

    return check


def attached_to(inventory: Inventory, source: RecordedResource, type_: str, field: str) -> list[RecordedResource]:
    """The resources of ``type_`` that ``source`` points at through ``field`` (dependency or name)."""
    found = []
    for target in inventory.of_type(type_):
        name = target.inputs.get("name")
        if target.urn in source.dependencies or (isinstance(name, str) and source.inputs.get(field) == name):
            found.append(target)
    return found
