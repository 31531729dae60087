from __future__ import annotations

import ipaddress
import itertools

import pytest

from components.network_layout import plan_subnets, smallest_prefix_problem

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"]


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "172.16.0.0/18", "192.168.0.0/20", "10.9.4.0/22"])
@pytest.mark.parametrize("count", [2, 3, 6])
def test_subnets_fit_the_vpc_and_never_overlap(cidr: str, count: int) -> None:
    plans = plan_subnets(cidr, ZONES[:count])
    vpc = ipaddress.IPv4Network(cidr)
    nets = [ipaddress.IPv4Network(p.cidr) for p in plans]
    assert len(plans) == 3 * count
    assert all(n.subnet_of(vpc) for n in nets)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(nets, 2))
    assert all(n.prefixlen <= 28 for n in nets)


def test_layout_of_a_slash_16() -> None:
    plans = plan_subnets("10.20.0.0/16", ["us-east-1a", "us-east-1b"])
    assert [(p.tier, p.availability_zone, p.cidr) for p in plans] == [
        ("public", "us-east-1a", "10.20.192.0/22"),
        ("private", "us-east-1a", "10.20.0.0/19"),
        ("isolated", "us-east-1a", "10.20.224.0/22"),
        ("public", "us-east-1b", "10.20.196.0/22"),
        ("private", "us-east-1b", "10.20.32.0/19"),
        ("isolated", "us-east-1b", "10.20.228.0/22"),
    ]


def test_adding_a_zone_keeps_existing_subnets() -> None:
    two = plan_subnets("10.20.0.0/16", ZONES[:2])
    three = plan_subnets("10.20.0.0/16", ZONES[:3])
    assert set(two) <= set(three)


def test_prefix_limits() -> None:
    assert smallest_prefix_problem(16) is None
    assert smallest_prefix_problem(22) is None
    assert "larger than AWS allows" in str(smallest_prefix_problem(15))
    assert "too small" in str(smallest_prefix_problem(23))


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match=r"vpc_cidr '10.0.0.0/24': prefix /24 is too small"):
        plan_subnets("10.0.0.0/24", ZONES[:2])
    with pytest.raises(ValueError, match=r"zones: 1 given; 2-6 allowed"):
        plan_subnets("10.0.0.0/16", ZONES[:1])
