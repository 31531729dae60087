"""The one exception type components raise for inputs a provider would reject, and how messages show a value."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date


class ComponentInputError(ValueError):
    """An argument a component was given would be rejected by the provider.

    The message names the argument, the bad value (as YAML writes it) and what is allowed. The ``infra`` layer validates
    stack config first, so a user normally sees these only when using a component directly.
    """

    def __init__(self, component: str, argument: str, value: object, allowed: str) -> None:
        self.component = component
        self.argument = argument
        self.value = value
        self.allowed = allowed
        super().__init__(f"{component}: {argument}={yaml_value(value)} is invalid: {allowed}")


def yaml_value(value: object) -> str:
    """``value`` written as it would be in a stack file (YAML flow style), for messages.

    ``None`` is ``null``, booleans ``true``/``false``, lists ``[a, b]``, mappings ``{k: v}``. Strings are always
    quoted (``'3'`` is a string, ``3`` a number: values are not coerced), single-quoted with YAML's escaping
    (``''``), or double-quoted with escapes when they hold characters a single-quoted scalar cannot.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        return repr(value) if math.isfinite(value) else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, str):
        # A JSON string is a YAML double-quoted scalar.
        return "'" + value.replace("'", "''") + "'" if value.isprintable() else json.dumps(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{yaml_value(k)}: {yaml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    return yaml_value(str(value))
