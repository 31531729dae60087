"""Real AWS lists the config is checked against, shipped as dated data (``aws_lists.json``).

A typo'd region or instance class would otherwise pass validation and fail only when AWS is called. The data
comes from the pinned cfn-lint's bundled AWS data (``tools/gen_aws_lists.py`` writes it; a test keeps it in
step with the installed cfn-lint): its ``source`` says which release.
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from pathlib import Path
from typing import Any

from infra.config.errors import yaml_value

_PATH = Path(__file__).with_name("aws_lists.json")


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_PATH.read_text(encoding="utf-8"))
    return data


def source() -> str:
    """Where the lists come from (release and links)."""
    return str(_data()["source"])


def release() -> str:
    """The data's release, as messages cite it (``cfn-lint 1.58.0 data``)."""
    return source().split(" bundled")[0] + " data"


def regions() -> tuple[str, ...]:
    """Every AWS region."""
    return tuple(_data()["regions"])


def postgres_instance_classes(region: str) -> tuple[str, ...] | None:
    """The RDS for PostgreSQL instance classes of ``region``; ``None`` when the data has none for it."""
    classes = _data()["postgres_instance_classes"].get(region)
    return tuple(classes) if classes else None


def postgres_engine_versions() -> tuple[str, ...]:
    """Every RDS for PostgreSQL engine version (``17``, ``17.2``, ...)."""
    return tuple(_data()["postgres_engine_versions"])


def closest(value: str, allowed: tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for the closest allowed value, or nothing."""
    match = difflib.get_close_matches(value, allowed, n=1)
    return f" (did you mean {yaml_value(match[0])}?)" if match else ""
