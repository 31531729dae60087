"""``network.zone_ids``: the stage's zones by AZ ID, validated against the region and the zone count."""

from __future__ import annotations

import pytest

from infra.config.network import NetworkSettings, region_code
from tests.infra.config.conftest import load, problems, values

N = "stagecraft:stage.network"
CIDR = "10.20.0.0/16"


def test_zone_ids_of_the_region_and_of_the_counted_number_are_accepted() -> None:
    config = load(values(network={"cidr": CIDR, "zone_ids": ["use1-az4", "use1-az1"]}))
    assert config.settings.network.zone_ids == ["use1-az4", "use1-az1"]
    assert config.settings.network.zone_count == 2


def test_zone_ids_must_have_the_shape_of_an_az_id() -> None:
    assert problems(values(network={"cidr": CIDR, "zone_ids": ["use1-az1", "us-east-1b", "use1-bos1-az1"]})) == [
        f"{N}.zone_ids: ['use1-az1', 'us-east-1b', 'use1-bos1-az1'] is not allowed: must be AZ IDs <region code>-az"
        "<number> such as use1-az4, not 'us-east-1b', 'use1-bos1-az1' (Local and Wavelength Zones are not allowed)"
    ]


def test_a_bad_zone_id_is_quoted_as_yaml() -> None:
    (problem,) = problems(values(network={"cidr": CIDR, "zone_ids": ["use1-az1", "a'b"]}))
    assert problem.endswith("such as use1-az4, not 'a''b' (Local and Wavelength Zones are not allowed)")


def test_zone_ids_must_be_unique_and_2_to_6() -> None:
    assert problems(values(network={"cidr": CIDR, "zone_ids": ["use1-az1", "use1-az1"]})) == [
        f"{N}.zone_ids: ['use1-az1', 'use1-az1'] is not allowed: zone IDs must be unique"
    ]
    assert problems(values(network={"cidr": CIDR, "zone_ids": ["use1-az1"]})) == [
        f"{N}.zone_ids: ['use1-az1'] is not allowed: must list 2-6 zone IDs"
    ]


def test_zone_ids_must_be_of_the_stage_region() -> None:
    config = values(network={"cidr": CIDR, "zone_ids": ["use1-az1", "euw1-az2"]})
    assert problems(config) == [
        f"{N}.zone_ids[1]: 'euw1-az2' is not a zone of us-east-1 (its zone IDs are use1-az1, use1-az2, ...)"
    ]


def test_zone_ids_must_list_as_many_zones_as_availability_zones_counts() -> None:
    # The staging profile's default count is 2.
    config = values(network={"cidr": CIDR, "zone_ids": ["use1-az1", "use1-az2", "use1-az4"]})
    assert problems(config) == [
        f"{N}.zone_ids: ['use1-az1', 'use1-az2', 'use1-az4'] is not allowed: lists 3 zones, but availability_zones "
        "is 2 (the profile's default when unset); list 2 zone IDs, or set availability_zones to 3"
    ]
    config["stagecraft:stage"]["network"]["availability_zones"] = 3
    assert load(config).settings.network.zone_count == 3


def test_zone_ids_and_zone_names_are_mutually_exclusive() -> None:
    config = values(
        network={"cidr": CIDR, "availability_zones": ["us-east-1a", "us-east-1b"], "zone_ids": ["use1-az1", "use1-az2"]}
    )
    assert problems(config) == [
        f"{N}.zone_ids: ['use1-az1', 'use1-az2'] is not allowed together with availability_zones ['us-east-1a', "
        "'us-east-1b']: both name the zones; keep zone_ids (the same physical zones in every account) and set "
        "availability_zones to their count (2), or remove zone_ids"
    ]


def test_the_production_floor_counts_the_zone_ids() -> None:
    config = values(
        profile="production", network={"cidr": CIDR, "availability_zones": 2, "zone_ids": ["use1-az1", "use1-az2"]}
    )
    assert problems(config, stack="production") == [
        f"{N}.availability_zones: 2 is below the production floor (at least 3); raise it, or add "
        "'acknowledge: {network.availability_zones: <reason>}' to accept the weaker setting"
    ]


@pytest.mark.parametrize(
    ("region", "code"),
    [
        ("us-east-1", "use1"),
        ("us-east-2", "use2"),
        ("us-west-1", "usw1"),
        ("us-west-2", "usw2"),
        ("eu-west-1", "euw1"),
        ("eu-central-1", "euc1"),
        ("eu-north-1", "eun1"),
        ("eu-south-2", "eus2"),
        ("ap-south-1", "aps1"),
        ("ap-southeast-2", "apse2"),
        ("ap-northeast-1", "apne1"),
        ("ap-east-1", "ape1"),
        ("ca-central-1", "cac1"),
        ("sa-east-1", "sae1"),
        ("me-central-1", "mec1"),
        ("af-south-1", "afs1"),
        ("il-central-1", "ilc1"),
        ("us-gov-west-1", "usgw1"),
        ("cn-northwest-1", "cnnw1"),
    ],
)
def test_region_codes_follow_aws_az_ids(region: str, code: str) -> None:
    assert region_code(region) == code


def test_an_unknown_region_shape_has_no_code_and_only_the_shape_is_checked() -> None:
    assert region_code("xx-middle-1") is None
    assert region_code("nope") is None
    # a real region (aws_lists) whose zone-ID code the table does not know; the loader refuses its partition
    # first (test_aws_lists), so the network settings are asked directly
    assert region_code("us-isof-south-1") is None
    network = NetworkSettings(
        cidr=CIDR,
        availability_zones=2,
        zone_ids=["xxm1-az1", "xxm1-az2"],
        nat_gateways="single",
        flow_logs_retention_days=30,
        flow_logs_traffic="ALL",
    )
    assert network.zone_problems("us-isof-south-1") == []
    assert network.zone_problems("us-east-1") != []
