"""Deterministic subnet layout of a stage VPC (pure functions, no resources).

The VPC range is cut into eighths. The first six eighths hold one private subnet per AZ (the large
ones: EKS pods take VPC addresses). The seventh eighth is cut into eight public subnets, the eighth
into eight isolated (database) subnets. So a /16 gives /19 private, /22 public and /22 isolated
subnets, and the same VPC CIDR and AZ list always give the same subnets.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

MIN_AZS = 2
MAX_AZS = 6
MIN_VPC_PREFIX = 16
"""AWS allows VPCs from /16 to /28."""
PRIVATE_STEP = 3
"""Private subnets are 2**3 = 8 times smaller than the VPC."""
EDGE_STEP = 6
"""Public and isolated subnets are 2**6 = 64 times smaller than the VPC."""
MAX_SUBNET_PREFIX = 28
"""AWS's smallest subnet is a /28."""
MAX_VPC_PREFIX = MAX_SUBNET_PREFIX - EDGE_STEP

Tier = Literal["public", "private", "isolated"]
TIERS: tuple[Tier, ...] = ("public", "private", "isolated")


@dataclass(frozen=True)
class SubnetPlan:
    """One subnet: its tier, AZ and CIDR."""

    tier: Tier
    availability_zone: str
    cidr: str


def smallest_prefix_problem(prefix: int) -> str | None:
    """Why a VPC of this prefix length cannot hold the layout, or ``None`` if it can."""
    if prefix < MIN_VPC_PREFIX:
        return f"prefix /{prefix} is larger than AWS allows for a VPC (/16 to /28)"
    if prefix > MAX_VPC_PREFIX:
        return (
            f"prefix /{prefix} is too small for 3 subnet tiers in up to {MAX_AZS} zones: public and isolated "
            f"subnets would be /{prefix + EDGE_STEP}, AWS allows at most /{MAX_SUBNET_PREFIX}; "
            f"use /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX}"
        )
    return None


def plan_subnets(vpc_cidr: str, zones: list[str]) -> list[SubnetPlan]:
    """The subnets of every tier for ``zones`` (in that order), carved from ``vpc_cidr``."""
    vpc = ipaddress.IPv4Network(vpc_cidr)
    problem = smallest_prefix_problem(vpc.prefixlen)
    if problem:
        raise ValueError(f"vpc_cidr {vpc_cidr!r}: {problem}")
    if not MIN_AZS <= len(zones) <= MAX_AZS:
        raise ValueError(f"zones: {len(zones)} given; {MIN_AZS}-{MAX_AZS} allowed")
    private = list(vpc.subnets(prefixlen_diff=PRIVATE_STEP))
    edge = list(vpc.subnets(prefixlen_diff=EDGE_STEP))
    per_eighth = 2 ** (EDGE_STEP - PRIVATE_STEP)
    public = edge[6 * per_eighth : 7 * per_eighth]
    isolated = edge[7 * per_eighth : 8 * per_eighth]
    plans: list[SubnetPlan] = []
    for i, zone in enumerate(zones):
        plans.append(SubnetPlan("public", zone, str(public[i])))
        plans.append(SubnetPlan("private", zone, str(private[i])))
        plans.append(SubnetPlan("isolated", zone, str(isolated[i])))
    return plans
