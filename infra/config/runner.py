"""``stagecraft:stage.runner``: the stage's ephemeral in-VPC GitHub Actions runner (CodeBuild-hosted).

The repository it serves is the stage's ``repository``; its workflow jobs select it with
``runs-on: codebuild-<app>-<stage>-runner-${{ github.run_id }}-${{ github.run_attempt }}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import field_validator

from components.ci_runner import COMPUTE_TYPES, IMAGES, TIMEOUT_MINUTES
from components.log_retention import LOG_RETENTION_DAYS
from infra.config.base import Settings

if TYPE_CHECKING:
    from infra.config.stage import StageSettings


class RunnerSettings(Settings):
    """The in-VPC runner that applies what needs the private network (the Kubernetes objects)."""

    enabled: bool | None = None
    """``null`` (the default): on exactly when ``compute.eks.enabled`` is; ``true`` needs EKS; ``false``: none."""
    compute_type: str = "BUILD_GENERAL1_SMALL"
    """CodeBuild compute type (3, 7 or 15 GB of memory)."""
    image: str = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
    """CodeBuild curated image the runner starts from."""
    timeout_minutes: int = 30
    """A job still running after this many minutes is stopped."""
    log_retention_days: int | None = None
    """Retention of the runner's build logs; ``null``: the same as ``compute.eks.log_retention_days``."""

    @field_validator("compute_type")
    @classmethod
    def _compute_type(cls, value: str) -> str:
        if value not in COMPUTE_TYPES:
            raise ValueError(f"must be one of {', '.join(COMPUTE_TYPES)}")
        return value

    @field_validator("image")
    @classmethod
    def _image(cls, value: str) -> str:
        if value not in IMAGES:
            raise ValueError(f"must be one of {', '.join(IMAGES)}")
        return value

    @field_validator("timeout_minutes")
    @classmethod
    def _timeout(cls, value: int) -> int:
        low, high = TIMEOUT_MINUTES
        if not low <= value <= high:
            raise ValueError(f"must be {low}-{high} minutes (the runner is ephemeral)")
        return value

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, value: int | None) -> int | None:
        if value is not None and value not in LOG_RETENTION_DAYS:
            raise ValueError(f"must be a CloudWatch Logs retention: one of {', '.join(map(str, LOG_RETENTION_DAYS))}")
        return value


def runner_enabled(settings: StageSettings) -> bool:
    """Whether the stage gets a runner: ``runner.enabled``, or (``null``) whether EKS is enabled."""
    enabled = settings.runner.enabled
    return settings.compute.eks.enabled if enabled is None else enabled


def runner_retention(settings: StageSettings) -> int:
    """The runner log group's retention: ``runner.log_retention_days``, else the EKS control-plane logs'."""
    days = settings.runner.log_retention_days
    return settings.compute.eks.log_retention_days if days is None else days


def runner_problems(settings: StageSettings) -> list[tuple[str, str]]:
    """``(key suffix under runner, message)`` for checks across sections."""
    if settings.runner.enabled and not settings.compute.eks.enabled:
        return [
            (
                "enabled",
                "true is not allowed while compute.eks.enabled is false: the runner exists to reach the EKS "
                "cluster's API from inside the VPC; enable EKS, or set runner.enabled to null or false",
            )
        ]
    return []
