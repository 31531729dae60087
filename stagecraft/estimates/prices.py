"""The unit price table (``stagecraft/data/prices.json``): list prices with their source and date."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PRICES_PATH = Path(__file__).resolve().parent.parent / "data" / "prices.json"


@dataclass(frozen=True)
class UnitPrice:
    """One unit price; ``usd`` is None when the price is unknown (never guessed)."""

    key: str
    usd: float | None
    unit: str
    description: str
    source: str | None
    date: str | None
    quality: str

    def to_json(self) -> dict[str, Any]:
        """The price as it appears in a cost item's ``unit_prices``."""
        return {"key": self.key, "usd": self.usd, "unit": self.unit, "description": self.description}

    def label(self) -> str:
        """``$0.045/GB NAT gateway data processed`` (or ``unknown/...``)."""
        price = "unknown" if self.usd is None else f"${self.usd:g}"
        return f"{price}/{self.unit} {self.description}"


@dataclass(frozen=True)
class PriceTable:
    """All unit prices of one region."""

    region: str
    currency: str
    hours_per_month: int
    prices: dict[str, UnitPrice]

    def get(self, key: str) -> UnitPrice | None:
        """The price under ``key``, or None if the table has no such entry."""
        return self.prices.get(key)


def _entry(key: str, raw: dict[str, Any]) -> UnitPrice:
    usd = raw["usd"]
    if usd is not None and not isinstance(usd, int | float):
        raise ValueError(f"price {key!r}: usd must be a number or null, got {usd!r}")
    if usd is not None and not (raw.get("source") and raw.get("date")):
        raise ValueError(f"price {key!r}: a known price needs a source and a date")
    return UnitPrice(
        key=key,
        usd=None if usd is None else float(usd),
        unit=str(raw["unit"]),
        description=str(raw["description"]),
        source=raw.get("source"),
        date=raw.get("date"),
        quality=str(raw["quality"]),
    )


def parse_prices(doc: dict[str, Any]) -> PriceTable:
    """Validate and build a price table from its JSON document."""
    return PriceTable(
        region=str(doc["region"]),
        currency=str(doc["currency"]),
        hours_per_month=int(doc["hours_per_month"]),
        prices={key: _entry(key, raw) for key, raw in doc["prices"].items()},
    )


@cache
def load_prices(path: Path = PRICES_PATH) -> PriceTable:
    """The shipped price table (cached)."""
    return parse_prices(json.loads(path.read_text(encoding="utf-8")))
