"""Plans of the shipped stacks and of edited copies of them, written as ``plan --json`` documents."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from stagecraft.plan.build import plan_stack
from tests.shipped import ROOT, merged, shipped_plan_of

PlanFile = Callable[..., Path]


@cache
def _variant_document(stack: str, changes: str) -> str:
    """The plan document of ``stack`` with ``changes`` (JSON) merged into its ``stagecraft:stage`` settings."""
    if not json.loads(changes):
        return json.dumps(shipped_plan_of(ROOT, stack).to_json(), indent=2, sort_keys=True)
    project = Path(tempfile.mkdtemp(prefix="stagecraft-diff-"))
    try:
        for name in ("Pulumi.yaml", "__main__.py", f"Pulumi.{stack}.yaml"):
            shutil.copy(ROOT / name, project / name)
        stack_file = project / f"Pulumi.{stack}.yaml"
        document = yaml.safe_load(stack_file.read_text())
        document["config"]["stagecraft:stage"] = merged(document["config"]["stagecraft:stage"], json.loads(changes))
        stack_file.write_text(yaml.safe_dump(document, sort_keys=False))
        return json.dumps(plan_stack(project, stack).to_json(), indent=2, sort_keys=True)
    finally:
        shutil.rmtree(project)


@pytest.fixture
def plan_file(tmp_path: Path) -> PlanFile:
    """``plan_file(stack, name, **changes)``: the ``plan --json`` document of a shipped stack (with ``changes``
    merged into its stage settings) written to ``tmp_path/<name>.json``; each variant is planned once."""

    def write(stack: str, name: str, changes: dict[str, Any] | None = None) -> Path:
        path = tmp_path / f"{name}.json"
        path.write_text(_variant_document(stack, json.dumps(changes or {}, sort_keys=True)))
        return path

    return write
