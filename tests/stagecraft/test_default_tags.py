"""Every taggable AWS resource of the shipped stacks carries the stage's default tags."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

from tests.conftest import ShippedPlan

ROOT = Path(__file__).resolve().parents[2]


def _taggable(type_token: str) -> bool:
    """Whether the pulumi-aws resource class of ``aws:<module>/<x>:<Class>`` accepts ``tags``."""
    module, cls = type_token.split(":")[1].split("/")[0], type_token.rsplit(":", 1)[1]
    resource = getattr(importlib.import_module(f"pulumi_aws.{module}"), cls)
    return "tags" in inspect.signature(resource._internal_init).parameters


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_every_taggable_aws_resource_has_the_default_tags(shipped_plan: ShippedPlan, stack: str) -> None:
    result = shipped_plan(ROOT, stack)
    expected = result.stage_config.default_tags
    aws = [r for r in result.inventory.resources if r.type.startswith("aws:")]
    taggable = [r for r in aws if _taggable(r.type)]
    assert len(taggable) > 40
    missing = [
        f"{r.type} {r.name}" for r in taggable if not expected.items() <= dict(r.inputs.get("tags") or {}).items()
    ]
    assert missing == []
