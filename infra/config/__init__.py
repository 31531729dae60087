"""Typed stage configuration: read once from ``Pulumi.<stage>.yaml``, validated, frozen.

``load_stage_config`` turns the stack's raw config map into a :class:`StageConfig`; every problem is
collected into one :class:`ConfigError` whose lines name the full key, the bad value and what is allowed.
"""

from infra.config.errors import ConfigError, ConfigProblem
from infra.config.loader import Acknowledgement, StageConfig, load_stage_config

__all__ = ["Acknowledgement", "ConfigError", "ConfigProblem", "StageConfig", "load_stage_config"]
