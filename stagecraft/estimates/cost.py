"""Monthly list-cost estimate of a recorded stage, and its text form for the plan tree.

An unpriced resource never counts as $0: when a resource with a fixed charge has no list price (its class, storage
type or region is not in the price book), ``monthly_usd`` sums the priced ones only, ``total_is_lower_bound`` says
so and ``unpriced`` names each such resource. A stage in a region the book does not hold gets no total at all.
Usage-based charges (build minutes, data processed, log ingestion) are listed per unit, never in the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stagecraft.estimates.cost_rules import price_resource, root_volumes
from stagecraft.estimates.prices import PriceBook, UnitPrice, load_prices
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
    region: str = ""
    """The region the resource is priced in (its own ``region`` input, else the stage's)."""

    @property
    def unpriced(self) -> bool:
        """A fixed charge whose list price is not known: the total is a lower bound."""
        return self.monthly_usd is None and not self.usage

    def to_json(self) -> dict[str, Any]:
        """The item as it appears in the plan's ``cost.items``."""
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "monthly_usd": self.monthly_usd,
            "unit_prices": [p.to_json() for p in self.unit_prices],
            "basis": self.basis,
            "usage_based": self.usage,
            "unpriced": self.unpriced,
            "region": self.region,
        }


@dataclass(frozen=True)
class CostEstimate:
    """The stage's fixed monthly list cost (None when the region is not priced) and its items."""

    monthly_usd: float | None
    currency: str
    region: str
    items: tuple[CostItem, ...]
    assumptions: tuple[str, ...]
    priced_regions: tuple[str, ...] = ("us-east-1",)
    """The regions the price book holds."""

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
            "unpriced_count": len(self.unknown),
            "region": self.region,
            "region_priced": self.region in self.priced_regions,
            "priced_regions": list(self.priced_regions),
        }

    @property
    def unknown(self) -> tuple[CostItem, ...]:
        """Items with a fixed charge whose price is not known."""
        return tuple(i for i in self.items if i.unpriced)

    @property
    def lower_bound(self) -> bool:
        """Whether the total leaves out fixed charges whose price is unknown (so the stage costs more)."""
        return self.monthly_usd is not None and bool(self.unknown)


def estimate_cost(inventory: Inventory, region: str, book: PriceBook | None = None) -> CostEstimate:
    """Price every resource of ``inventory`` deployed in ``region`` (items in URN order).

    A resource with its own ``region`` input (a backup replica) is priced with that region's table; a region the
    book does not hold prices nothing (its resources are unpriced), and a stage in such a region gets no total.
    """
    book = book or load_prices()
    items: list[CostItem] = []
    notes: list[str] = []
    volumes = root_volumes(inventory.resources)
    for r in sorted(inventory.resources, key=lambda r: r.urn):
        if not r.custom:
            continue
        where = str(r.inputs.get("region") or region)
        table = book.table(where)
        priced = price_resource(r, table or book.empty(where), volumes)
        if priced is None:
            continue
        if table is None:
            basis = f"no prices for {where} (priced regions: {', '.join(book.regions)})"
            items.append(CostItem(r.urn, r.type, r.name, None, (), basis, priced.usage, where))
            continue
        monthly = None if priced.monthly_usd is None else round(priced.monthly_usd, 2)
        items.append(CostItem(r.urn, r.type, r.name, monthly, priced.unit_prices, priced.basis, priced.usage, where))
        notes.extend(priced.notes)
    assumptions = [
        f"On-demand list prices in {book.currency}, {book.hours_per_month} hours per month; no free tier, taxes, "
        "credits, savings plans or reserved capacity; each price cites its source and the day it was read "
        "(stagecraft/data/prices.json, docs/cost.md)",
        "Usage-based charges (build minutes, data processed, log ingestion, storage, requests, Fargate tasks) are "
        "listed per unit and not included in monthly_usd",
    ]
    total: float | None = round(sum(i.monthly_usd or 0.0 for i in items), 2)
    if book.table(region) is None:
        total = None
        assumptions.append(
            f"Prices for {region} are unknown: the price book holds {', '.join(book.regions)} list prices only, "
            "so no estimate is given rather than another region's prices"
        )
    unknown = [f"{i.type} {i.name}" for i in items if i.unpriced]
    if unknown and total is not None:
        assumptions.append(
            f"monthly_usd is a lower bound: {len(unknown)} resources have no list price and are not in it: "
            f"{', '.join(unknown)}"
        )
    assumptions.extend(notes)
    return CostEstimate(total, book.currency, region, tuple(items), tuple(assumptions), book.regions)


def render_cost(est: CostEstimate) -> list[str]:
    """A few readable lines: the total, the most expensive items, usage and unknown counts."""
    if est.monthly_usd is None:
        lines = [f"Cost: unknown for {est.region} (prices are known for {', '.join(est.priced_regions)} only)"]
        if est.unknown:
            lines.append(f"  {_resources(len(est.unknown))} with fixed charges unpriced (cost.unpriced in --json)")
        return lines
    total = f"at least ${est.monthly_usd:,.2f}" if est.lower_bound else f"${est.monthly_usd:,.2f}"
    lines = [f"Cost: {total}/month list price ({est.currency}, {est.region}, fixed charges)"]
    if est.lower_bound:
        lines[0] += f", {_resources(len(est.unknown))} unpriced (listed with ?)"
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


def _resources(count: int) -> str:
    return f"{count} resource" if count == 1 else f"{count} resources"
