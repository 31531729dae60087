"""Config errors: every problem names the full key path, the value and what is allowed."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from pulumi.errors import RunError


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


@dataclass(frozen=True, order=True)
class ConfigProblem:
    """One thing wrong with a stack's config."""

    key: str
    """Full key path, e.g. ``stagecraft:stage.network.availability_zones``."""
    message: str
    """What is wrong: the value and what is allowed."""

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class ConfigError(RunError):
    """The stack's config is invalid. Raised before any resource is created.

    Subclasses ``pulumi.RunError`` so that a real ``pulumi up`` prints the message without a traceback.
    """

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = sorted(set(problems))
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"invalid stack configuration ({len(self.problems)} problem(s)):\n{lines}")
