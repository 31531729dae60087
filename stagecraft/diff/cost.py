"""What the change does to the monthly list cost and to the deploy time.

A resource without a known price is never $0 here either: an unpriced resource created makes the total delta a
lower bound, one deleted an upper bound, one changed (or both) an unknown. An unchanged resource costs what it
cost, priced or not, so it moves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stagecraft.diff.load import Plan
from stagecraft.diff.model import Change
from stagecraft.estimates.deploy_time import Duration, DurationTable, estimate_deploy, load_durations
from stagecraft.plan.inventory import RecordedResource

__all__ = ["CostDelta", "DeployDelta", "ResourceCost", "cost_delta", "deploy_delta"]

_BOUNDS = {(False, False): "exact", (True, False): "lower_bound", (False, True): "upper_bound"}


@dataclass(frozen=True)
class ResourceCost:
    """One changed resource's monthly list price before and after (``None``: no known price)."""

    change: Change
    before_usd: float | None
    after_usd: float | None
    delta_usd: float | None
    delta_is: str
    """``exact``, ``lower_bound`` (an unpriced resource created), ``upper_bound`` (deleted), ``unknown``."""

    def to_json(self) -> dict[str, Any]:
        r = self.change.resource
        return {
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "kind": self.change.kind,
            "before_usd": self.before_usd,
            "after_usd": self.after_usd,
            "delta_usd": self.delta_usd,
            "delta_is": self.delta_is,
        }


@dataclass(frozen=True)
class CostDelta:
    """The monthly list cost of both plans, their difference, and the resources that make it."""

    base_usd: float | None
    head_usd: float | None
    base_is_lower_bound: bool
    head_is_lower_bound: bool
    delta_usd: float | None
    """The sum of the known differences: the delta, or the bound ``delta_is`` names (``None`` when a plan has no
    prices for its region)."""
    delta_is: str
    items: tuple[ResourceCost, ...] = field(default=())
    known_usd: float | None = None
    """The sum with every unpriced side counted as $0: ``delta_usd`` when that is exact or a bound."""

    def to_json(self) -> dict[str, Any]:
        return {
            "base_monthly_usd": self.base_usd,
            "head_monthly_usd": self.head_usd,
            "base_is_lower_bound": self.base_is_lower_bound,
            "head_is_lower_bound": self.head_is_lower_bound,
            "delta_usd": self.delta_usd,
            "delta_is": self.delta_is,
            "known_delta_usd": self.known_usd,
            "items": [i.to_json() for i in self.items],
        }


_ABSENT = "absent"


def _prices(plan: Plan) -> dict[str, float | str | None]:
    """Per URN: its monthly price, ``None`` when unpriced; resources with no fixed charge are left out."""
    cost = plan.document["cost"]
    unpriced = {u["urn"] for u in cost.get("unpriced", [])}
    prices: dict[str, float | str | None] = {}
    for item in cost.get("items", []):
        usd = item.get("monthly_usd")
        if usd is not None:
            prices[item["urn"]] = float(usd)
        elif item["urn"] in unpriced:
            prices[item["urn"]] = None
    return prices


def cost_delta(base: Plan, head: Plan, changes: list[Change]) -> CostDelta:
    """The cost difference of ``changes`` between ``base`` and ``head``."""
    base_total, head_total = base.document["cost"].get("monthly_usd"), head.document["cost"].get("monthly_usd")
    old, new = _prices(base), _prices(head)
    items: list[ResourceCost] = []
    total = 0.0
    up = down = False
    for change in changes:
        if change.kind == "unchanged":
            continue
        before = old.get(change.urn, 0.0) if change.before else _ABSENT
        after = new.get(change.urn, 0.0) if change.after else _ABSENT
        if before in (0.0, _ABSENT) and after in (0.0, _ABSENT):
            continue
        b = None if before is None else 0.0 if before == _ABSENT else float(before)
        a = None if after is None else 0.0 if after == _ABSENT else float(after)
        kind = _BOUNDS.get((a is None, b is None), "unknown")
        up, down = up or a is None, down or b is None
        # An unpriced side counts as 0 in the sum, which is then the bound ``delta_is`` names.
        delta = None if kind == "unknown" else round((a or 0.0) - (b or 0.0), 2)
        total += (a or 0.0) - (b or 0.0)
        if kind == "exact" and delta == 0:
            continue  # a replacement at the same price, an update that changes no price
        items.append(ResourceCost(change, _usd(before), _usd(after), delta, kind))
    if base_total is None or head_total is None:
        return CostDelta(base_total, head_total, False, False, None, "unknown", tuple(items), None)
    delta_is = _BOUNDS.get((up, down), "unknown")
    known = round(total, 2)
    return CostDelta(
        float(base_total),
        float(head_total),
        bool(base.document["cost"].get("total_is_lower_bound")),
        bool(head.document["cost"].get("total_is_lower_bound")),
        None if delta_is == "unknown" else known,
        delta_is,
        tuple(items),
        known,
    )


def _usd(value: float | str | None) -> float | None:
    return value if isinstance(value, float) else 0.0 if value == _ABSENT else None


@dataclass(frozen=True)
class _Only(DurationTable):
    """The shipped durations for the URNs in ``timed``; every other resource takes no time."""

    timed: frozenset[str]

    def lookup(self, resource: RecordedResource) -> Duration:
        if resource.urn not in self.timed:
            return Duration(0.0, 0.0, "not created by this change")
        return super().lookup(resource)


@dataclass(frozen=True)
class DeployDelta:
    """Fresh-deploy times of both plans (from the plans) and the time of this change's creates."""

    base_p50: float
    base_p90: float
    head_p50: float
    head_p90: float
    change_p50: float
    """The longest p50 path through the head's wait graph, counting only what this change creates or replaces."""
    change_p90: float
    change_path: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "fresh_deploy": {
                "base": {"p50_minutes": self.base_p50, "p90_minutes": self.base_p90},
                "head": {"p50_minutes": self.head_p50, "p90_minutes": self.head_p90},
                "delta_p50_minutes": round(self.head_p50 - self.base_p50, 1),
                "delta_p90_minutes": round(self.head_p90 - self.base_p90, 1),
            },
            "creates_and_replacements": {
                "p50_minutes": self.change_p50,
                "p90_minutes": self.change_p90,
                "critical_path": list(self.change_path),
                "note": "create times (stagecraft/data/durations.json) of what this change creates or replaces, "
                "along the head's wait graph; updates and deletes are not timed",
            },
        }


def deploy_delta(base: Plan, head: Plan, changes: list[Change]) -> DeployDelta:
    """Both plans' fresh-deploy estimates, and an estimate of the creates and replacements of ``changes``."""
    shipped = load_durations()
    timed = frozenset(c.urn for c in changes if c.kind in ("create", "replace"))
    table = _Only(shipped.types, shipped.default, shipped.zero_prefixes, timed)
    estimate = estimate_deploy(head.inventory, table)
    path = tuple(u for u in estimate.critical_path if u in timed)
    b, h = base.document["deploy"], head.document["deploy"]
    return DeployDelta(
        float(b["p50_minutes"]),
        float(b["p90_minutes"]),
        float(h["p50_minutes"]),
        float(h["p90_minutes"]),
        estimate.p50_minutes,
        estimate.p90_minutes,
        path,
    )
