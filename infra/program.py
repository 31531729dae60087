"""The Pulumi program: validate the stack's config once, then compose the stage."""

from __future__ import annotations

import json
from typing import Any

import pulumi
from pulumi.runtime.config import CONFIG, get_config_env

from infra.config import StageConfig, load_stage_config
from infra.context import lookup_context
from infra.network import build_network


def main() -> None:
    """Entry point used by ``infra/__main__.py`` (``pulumi up``) and by ``stagecraft plan``."""
    config = load_stage_config(pulumi.get_stack(), engine_config())
    build_stage(config)


def build_stage(config: StageConfig) -> None:
    """Create every component of the stage and export what pipelines and people need."""
    ctx = lookup_context(config)
    network = build_network(ctx)

    pulumi.export("stage", config.stage)
    pulumi.export("profile", config.profile)
    pulumi.export("region", config.region)
    pulumi.export("vpc_id", network.vpc_id)
    pulumi.export("availability_zones", network.availability_zones)
    pulumi.export("public_subnet_ids", network.public_subnet_ids)
    pulumi.export("private_subnet_ids", network.private_subnet_ids)
    pulumi.export("isolated_subnet_ids", network.isolated_subnet_ids)


def engine_config() -> dict[str, Any]:
    """The stack's whole config map as the engine passed it, structured values parsed from JSON."""
    keys = set(CONFIG.get()) | set(get_config_env())
    return {key: _parse(pulumi.runtime.get_config(key)) for key in sorted(keys)}


def _parse(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
