from __future__ import annotations

from typing import Any

from infra.config import Acknowledgement
from infra.config.profiles import DEFAULTS, FLOORS, PROFILES, AtLeast, AtLeastRank, Required, floors_for
from tests.infra.config.conftest import load, problems, values

S = "stagecraft:stage"
NO_DEFAULT_MEETS_THE_FLOOR = {"github.reviewers"}
"""Floors each stage must meet with its own values: no default can name a production stage's reviewers."""


def _production(acknowledge: dict[str, str] | None = None, **network: Any) -> dict[str, Any]:
    config = values(
        profile="production", network={"cidr": "10.30.0.0/16", **network}, github={"reviewers": ["team:platform"]}
    )
    if acknowledge is not None:
        config[S]["acknowledge"] = acknowledge
    return config


def test_production_defaults_meet_every_production_floor() -> None:
    config = load(_production(), stack="production")
    assert config.acknowledged == ()


def test_every_profile_default_meets_its_own_floors() -> None:
    defaults = {d.key: d for d in DEFAULTS}
    for profile in PROFILES:
        for key, rule in floors_for(profile).items():
            if key in NO_DEFAULT_MEETS_THE_FLOOR:
                continue
            value = defaults[key].value(profile)
            assert rule.allows(len(value) if isinstance(value, list) else value), (profile, key)


def test_going_below_a_floor_is_an_error_that_says_how_to_acknowledge() -> None:
    assert problems(_production(nat_gateways="single"), stack="production") == [
        f"{S}.network.nat_gateways: 'single' is below the production floor ('per_az' (scale: none, single, "
        "per_az)); raise it, or add 'acknowledge: {network.nat_gateways: <reason>}' to accept the weaker setting"
    ]


def test_numeric_floor() -> None:
    assert problems(_production(flow_logs_retention_days=90), stack="production") == [
        f"{S}.network.flow_logs_retention_days: 90 is below the production floor (at least 365); raise it, or add "
        "'acknowledge: {network.flow_logs_retention_days: <reason>}' to accept the weaker setting"
    ]


def test_zone_list_floor_counts_the_zones() -> None:
    [problem] = problems(_production(availability_zones=["us-east-1a", "us-east-1b"]), stack="production")
    assert problem.startswith(
        f"{S}.network.availability_zones: 2 (['us-east-1a', 'us-east-1b']) is below the production floor (at least 3)"
    )


def test_required_value_floor() -> None:
    [problem] = problems(_production(flow_logs_traffic="REJECT"), stack="production")
    assert problem.startswith(f"{S}.network.flow_logs_traffic: 'REJECT' is below the production floor ('ALL')")


def test_acknowledged_weakening_is_accepted_and_recorded() -> None:
    config = load(
        _production(nat_gateways="single", acknowledge={"network.nat_gateways": "Cost review 2026-11: single NAT"}),
        stack="production",
    )
    assert config.settings.network.nat_gateways == "single"
    assert config.acknowledged == (Acknowledgement("network.nat_gateways", "Cost review 2026-11: single NAT"),)
    assert config.acknowledged[0].to_json() == {
        "key": "network.nat_gateways",
        "reason": "Cost review 2026-11: single NAT",
    }


def test_acknowledging_a_floor_that_is_met_is_an_error() -> None:
    assert problems(
        _production(acknowledge={"network.nat_gateways": "no longer needed at all"}), stack="production"
    ) == [
        f"{S}.acknowledge.network.nat_gateways: nothing to acknowledge: 'per_az' meets the production floor "
        "('per_az' (scale: none, single, per_az)); remove the entry"
    ]


def test_acknowledging_an_unknown_floor_suggests_one() -> None:
    assert problems(_production(acknowledge={"network.nat_gateway": "typo in the key here"}), stack="production") == [
        f"{S}.acknowledge.network.nat_gateway: 'network.nat_gateway' is not a floor "
        "of this profile; did you mean 'network.nat_gateways'?"
    ]


def test_acknowledging_in_a_profile_without_floors() -> None:
    config = values(profile="development", acknowledge={"network.nat_gateways": "nothing to weaken here"})
    assert problems(config, stack="dev") == [
        f"{S}.acknowledge.network.nat_gateways: 'network.nat_gateways' is not a floor "
        "of this profile; the development profile has no floors"
    ]


def test_acknowledge_needs_a_reason() -> None:
    assert problems(
        _production(nat_gateways="single", acknowledge={"network.nat_gateways": "cost"}), stack="production"
    ) == [
        f"{S}.acknowledge: {{'network.nat_gateways': 'cost'}} is not allowed: the reason for 'network.nat_gateways' "
        "must say why in at least 10 characters"
    ]


def test_floor_descriptions() -> None:
    assert AtLeast(14).describe() == "at least 14"
    assert Required(True).describe() == "true"
    assert Required(False).describe() == "false"
    assert AtLeastRank(("none", "single"), "single").describe() == "'single' (scale: none, single)"
    assert not Required(True).allows(False)


def test_every_floor_key_has_a_default() -> None:
    defaults = {d.key for d in DEFAULTS}
    assert {f.key for f in FLOORS} <= defaults
