"""The plans of the repository's own stacks, each planned once per test process and handed out as copies.

The ``shipped_plan`` fixture (tests/conftest.py) is the way in for tests; a module that needs a plan while it is
collected (to parametrize) calls :func:`shipped_plan_of` directly and shares the same cache.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

from stagecraft.plan.build import PlanResult, plan_stack

ROOT = Path(__file__).resolve().parent.parent
"""The repository root: its stacks, and those of bootstrap/, repository/ and cluster/, are the shipped ones."""

RESOURCE_KEYS = (
    "urn",
    "type",
    "name",
    "parent",
    "custom",
    "provider",
    "inputs",
    "references",
    "dependencies",
    "protect",
    "retainOnDelete",
    "ignoreChanges",
    "deleteBeforeReplace",
)
"""A resource's keys in the plan contract, in the order ``plan --json`` writes them (keys are only ever added)."""


def shipped_plan_of(cwd: Path, stack: str) -> PlanResult:
    """``plan_stack(cwd, stack)`` for a project folder of the repository, as a deep copy of the one cached plan.

    The copy keeps a test that changes its plan from changing what every later test reads. A test that edits
    stack files plans its own copy of them with ``plan_stack``.
    """
    folder = cwd.resolve()
    if folder != ROOT and folder.parent != ROOT:
        raise ValueError(f"{cwd} is not a project folder of the repository; plan an edited copy with plan_stack")
    return copy.deepcopy(_planned(folder, stack))


@cache
def _planned(folder: Path, stack: str) -> PlanResult:
    return plan_stack(folder, stack)


def merged(base: Any, changes: Any) -> Any:
    """``changes`` merged into ``base`` key by key (mappings merge, anything else replaces): a stack-file variant."""
    if isinstance(base, dict) and isinstance(changes, dict):
        out = dict(base)
        for key, value in changes.items():
            out[key] = merged(base.get(key), value)
        return out
    return copy.deepcopy(changes)
