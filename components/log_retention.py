"""CloudWatch Logs retention periods: the only values ``PutRetentionPolicy`` accepts.

Shared by the components that create log groups, so a bad value fails before anything is created.
"""

from __future__ import annotations

from components.errors import ComponentInputError

LOG_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
"""Allowed ``retentionInDays`` values (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html)."""


def check_log_retention(component: str, argument: str, days: int) -> None:
    """Raise :class:`ComponentInputError` unless ``days`` is a retention CloudWatch Logs accepts."""
    if days not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in LOG_RETENTION_DAYS)
        raise ComponentInputError(component, argument, days, f"one of {allowed} days")
