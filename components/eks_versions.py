"""The Amazon EKS Kubernetes release calendar, as dated data: which minor versions a stage may run.

Checked on :data:`CHECKED` against the EKS user guide's release calendar (:data:`SOURCE`) and
https://endoflife.date/amazon-eks. Standard support lasts 14 months from the EKS release, extended support
12 more months at six times the control-plane price. Update the table when a version enters or leaves
standard support; the config refuses versions whose standard support ended before :data:`CHECKED`, and the
``eks-standard-support-ending`` rule warns, by today's date, when a cluster nears the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SOURCE = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar"
CHECKED = date(2026, 12, 3)
"""The day the calendar below was read."""


@dataclass(frozen=True)
class EksRelease:
    """One Kubernetes minor version on EKS."""

    version: str
    """Minor version, ``"1.35"``."""
    released: date | None
    """EKS release date (``None``: released after the sources were read; dates not yet recorded)."""
    standard_support_end: date | None
    """Last day of standard support; with ``upgrade_policy STANDARD`` EKS upgrades the cluster after it."""
    extended_support_end: date | None
    """Last day of extended support."""


CALENDAR: tuple[EksRelease, ...] = (
    EksRelease("1.33", date(2025, 5, 29), date(2026, 7, 29), date(2027, 7, 29)),
    EksRelease("1.34", date(2025, 10, 2), date(2026, 12, 2), date(2027, 12, 2)),
    EksRelease("1.35", date(2026, 1, 27), date(2027, 3, 27), date(2028, 3, 27)),
    # 1.36 is on EKS (the user guide names it as the newest minor) but its dates were not in the sources read.
    EksRelease("1.36", None, None, None),
)


def release(version: str) -> EksRelease | None:
    """The calendar entry of ``version``, or ``None`` if it is not listed."""
    return next((r for r in CALENDAR if r.version == version), None)


def in_standard_support(on: date) -> tuple[str, ...]:
    """Versions still in standard support on ``on`` (an unrecorded end date counts as still supported)."""
    return tuple(r.version for r in CALENDAR if r.standard_support_end is None or r.standard_support_end >= on)


SUPPORTED_KUBERNETES_VERSIONS: tuple[str, ...] = in_standard_support(CHECKED)
"""The versions a stage may choose: in EKS standard support on :data:`CHECKED`."""
