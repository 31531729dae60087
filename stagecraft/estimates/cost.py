"""Monthly list-cost estimate of a recorded stage, and its text form for the plan tree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stagecraft.estimates.cost_rules import price_resource, root_volumes
from stagecraft.estimates.prices import PriceTable, UnitPrice, load_prices
from stagecraft.plan.inventory import Inventory

TOP_ITEMS = 6
"""How many of the most expensive items the tree output shows."""


@dataclass(frozen=True)
class CostItem:
    """One priced resource. ``monthly_usd`` is None for usage-based or unknown prices."""

    urn: str
    type: str
    name: str
    monthly_usd: float | None
    unit_prices: tuple[UnitPrice, ...]
    basis: str
    usage: bool

    def to_json(self) -> dict[str, Any]:
        """The item as it appears in the plan's ``cost.items``."""
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "monthly_usd": self.monthly_usd,
            "unit_prices": [p.to_json() for p in self.unit_prices],
            "basis": self.basis,
        }


@dataclass(frozen=True)
class CostEstimate:
    """The stage's fixed monthly list cost (None when the region is not priced) and its items."""

    monthly_usd: float | None
    currency: str
    region: str
    items: tuple[CostItem, ...]
    assumptions: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The plan's ``cost`` object. ``monthly_usd`` leaves out what has no known price, so with
        ``total_is_lower_bound`` it is the least the stage costs, never the cost; ``unpriced`` says what is missing."""
        return {
            "monthly_usd": self.monthly_usd,
            "currency": self.currency,
            "items": [i.to_json() for i in self.items],
            "assumptions": list(self.assumptions),
            "total_is_lower_bound": self.lower_bound,
            "unpriced": [{"urn": i.urn, "type": i.type, "name": i.name, "basis": i.basis} for i in self.unknown],
        }

    @property
    def unknown(self) -> tuple[CostItem, ...]:
        """Items with a fixed charge whose price is not known."""
        return tuple(i for i in self.items if i.monthly_usd is None and not i.usage)

    @property
    def lower_bound(self) -> bool:
        """Whether the total leaves out fixed charges whose price is unknown (so the stage costs more)."""
        return self.monthly_usd is not None and bool(self.unknown)


def estimate_cost(inventory: Inventory, region: str, table: PriceTable | None = None) -> CostEstimate:
    """Price every resource of ``inventory`` deployed in ``region`` (items in URN order)."""
    table = table or load_prices()
    items: list[CostItem] = []
    notes: list[str] = []
    volumes = root_volumes(inventory.resources)
    for r in sorted(inventory.resources, key=lambda r: r.urn):
        if not r.custom:
            continue
        priced = price_resource(r, table, volumes)
        if priced is None:
            continue
        where = r.inputs.get("region") or region
        if where != table.region:
            items.append(CostItem(r.urn, r.type, r.name, None, (), f"no prices for {where}", False))
            continue
        monthly = None if priced.monthly_usd is None else round(priced.monthly_usd, 2)
        items.append(CostItem(r.urn, r.type, r.name, monthly, priced.unit_prices, priced.basis, priced.usage))
        notes.extend(priced.notes)
    assumptions = [
        f"On-demand list prices for {table.region} in {table.currency}, {table.hours_per_month} hours per "
        "month; no free tier, taxes, credits, savings plans or reserved capacity",
        "Usage-based charges (data processed, log ingestion, storage, requests, Fargate tasks) are listed "
        "per unit and not included in monthly_usd",
    ]
    total: float | None = round(sum(i.monthly_usd or 0.0 for i in items), 2)
    if region != table.region:
        total = None
        assumptions.append(
            f"Prices for {region} are unknown: the table holds {table.region} list prices only, "
            "so no estimate is given rather than a guess"
        )
    unknown = [f"{i.type} {i.name}" for i in items if i.monthly_usd is None and not i.usage]
    if unknown and total is not None:
        assumptions.append(
            f"monthly_usd is a lower bound: {len(unknown)} resources have no list price and are not in it: "
            f"{', '.join(unknown)}"
        )
    assumptions.extend(notes)
    return CostEstimate(total, table.currency, region, tuple(items), tuple(assumptions))


def render_cost(est: CostEstimate) -> list[str]:
    """A few readable lines: the total, the most expensive items, usage and unknown counts."""
    if est.monthly_usd is None:
        return [f"Cost: unknown for {est.region} (prices are known for us-east-1 only)"]
    total = f"at least ${est.monthly_usd:,.2f}" if est.lower_bound else f"${est.monthly_usd:,.2f}"
    lines = [f"Cost: {total}/month list price ({est.currency}, {est.region}, fixed charges)"]
    if est.lower_bound:
        lines[0] += f", {len(est.unknown)} resources unpriced (listed with ?)"
    fixed = sorted((i for i in est.items if i.monthly_usd), key=lambda i: (-(i.monthly_usd or 0.0), i.type, i.name))
    width = max((len(f"{i.monthly_usd:,.2f}") for i in fixed[:TOP_ITEMS]), default=0)
    lines += [f"  ${i.monthly_usd:>{width},.2f}  {i.type} {i.name}" for i in fixed[:TOP_ITEMS]]
    if len(fixed) > TOP_ITEMS:
        rest = sum(i.monthly_usd or 0.0 for i in fixed[TOP_ITEMS:])
        lines.append(f"  ${rest:>{width},.2f}  {len(fixed) - TOP_ITEMS} more items")
    usage = [i for i in est.items if i.usage]
    if usage:
        lines.append(f"  + usage-based charges of {len(usage)} resources, priced per unit (see --json)")
    for i in est.unknown:
        lines.append(f"  ? {i.type} {i.name}: {i.basis}")
    return lines
