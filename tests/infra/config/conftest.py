"""Builders for stack config maps used by the config tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from infra.config import ConfigError, StageConfig, load_stage_config

BASE: dict[str, Any] = {
    "aws:region": "us-east-1",
    "github:owner": "amani-labs",
    "stagecraft:stage": {
        "profile": "staging",
        "app": "amani-backend",
        "repository": "amani-labs/amani-backend",
        "network": {"cidr": "10.20.0.0/16"},
        # a production stage needs a reviewer (a floor); harmless elsewhere
        "github": {"reviewers": ["team:platform"]},
    },
}


def values(**stage: Any) -> dict[str, Any]:
    """A valid config map with ``stage`` keys merged over ``stagecraft:stage`` (``None`` deletes a key)."""
    result = copy.deepcopy(BASE)
    for key, value in stage.items():
        if value is None:
            result["stagecraft:stage"].pop(key, None)
        else:
            result["stagecraft:stage"][key] = value
    return result


def problems(config: dict[str, Any], stack: str = "staging") -> list[str]:
    """Every problem line ``load_stage_config`` reports (fails the test if it accepts the config)."""
    with pytest.raises(ConfigError) as caught:
        load_stage_config(stack, config)
    return [str(p) for p in caught.value.problems]


def load(config: dict[str, Any], stack: str = "staging") -> StageConfig:
    """Load a config that must be valid."""
    return load_stage_config(stack, config)
