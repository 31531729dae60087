"""Config errors: every problem names the full key path, the value and what is allowed."""

from __future__ import annotations

from dataclasses import dataclass

from pulumi.errors import RunError

from components.errors import yaml_value

__all__ = ["ConfigError", "ConfigProblem", "yaml_value"]


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
