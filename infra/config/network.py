"""``stagecraft:stage.network``: the VPC of the stage."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from typing import Literal

from pydantic import Field, field_validator

from components.network_layout import MAX_AZS, MIN_AZS, smallest_prefix_problem
from infra.config.base import Settings
from infra.config.errors import yaml_value

LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
"""The retention periods CloudWatch Logs accepts (PutRetentionPolicy)."""

INTERFACE_ENDPOINT_SERVICES = (
    "ecr.api",
    "ecr.dkr",
    "logs",
    "secretsmanager",
    "sts",
    "kms",
    "ssm",
    "ssmmessages",
    "ec2",
    "eks",
    "eks-auth",
    "elasticloadbalancing",
    "monitoring",
)
"""Interface endpoint services a stage may ask for (the S3 gateway endpoint is always created: it is free)."""

_ZONE_ID = re.compile(r"([a-z]{3,6}\d+)-az(\d+)")
"""An AZ ID: the region's code, ``-az`` and a number (``use1-az4``); Local and Wavelength Zone IDs have more parts."""
_DIRECTIONS = {
    "gov": "g",
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}
"""How a region name's words shorten in its AZ IDs: ``us-east-1`` -> ``use1``, ``ap-southeast-2`` -> ``apse2``,
``us-gov-west-1`` -> ``usgw1`` (AWS, "AWS Availability Zones":
https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html)."""

_PRIVATE_RANGES = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
)


def _ipv4_network(value: str) -> ipaddress.IPv4Network:
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"not a valid IPv4 CIDR block ({exc}); example: 10.20.0.0/16") from None
    if not isinstance(net, ipaddress.IPv4Network):
        raise ValueError("must be an IPv4 CIDR block; example: 10.20.0.0/16")
    return net


class NetworkSettings(Settings):
    """The stage's VPC: address range, availability zones, NAT strategy, flow logs and endpoints."""

    cidr: str
    """VPC CIDR block: private (RFC 1918 or 100.64.0.0/10), prefix /16 to /22."""
    availability_zones: int | list[str]
    """How many AZs (2-6; chosen by zone ID among the zones that offer the stage's instance types) or their
    explicit names (names map to different physical zones per account: prefer ``zone_ids``)."""
    zone_ids: list[str] | None = None
    """The AZ IDs to use (``use1-az1``), the same physical zones in every account; as many as
    ``availability_zones`` counts; not together with a list of names."""
    nat_gateways: Literal["none", "single", "per_az"]
    """NAT strategy for private subnets: none (no internet egress), one shared, or one per AZ."""
    flow_logs_retention_days: int
    """Retention of the VPC flow-log group; one of CloudWatch's allowed values."""
    flow_logs_traffic: Literal["ALL", "REJECT", "ACCEPT"]
    """Which traffic the flow logs record."""
    interface_endpoints: list[str] = Field(default_factory=list)
    """Interface VPC endpoints in the private subnets (traffic to AWS APIs stays off the internet)."""
    reserved_cidrs: list[str] = Field(default_factory=list)
    """Ranges this VPC must not overlap: on-premises networks, peered VPCs, VPN pools."""

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        net = _ipv4_network(value)
        if not any(net.subnet_of(r) for r in _PRIVATE_RANGES):
            raise ValueError(
                "must be a private range inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10"
            )
        problem = smallest_prefix_problem(net.prefixlen)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("availability_zones", mode="before")
    @classmethod
    def _azs(cls, value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | list):
            raise ValueError(f"must be a count ({MIN_AZS}-{MAX_AZS}) or a list of zone names")
        count = value if isinstance(value, int) else len(value)
        if not MIN_AZS <= count <= MAX_AZS:
            raise ValueError(f"must be {MIN_AZS}-{MAX_AZS} zones (a count, or a list of zone names)")
        if isinstance(value, list) and len(set(value)) != len(value):
            raise ValueError("zone names must be unique")
        return value

    @field_validator("zone_ids")
    @classmethod
    def _zone_ids(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        if not MIN_AZS <= len(value) <= MAX_AZS:
            raise ValueError(f"must list {MIN_AZS}-{MAX_AZS} zone IDs")
        bad = [v for v in value if not _ZONE_ID.fullmatch(v)]
        if bad:
            raise ValueError(
                f"must be AZ IDs <region code>-az<number> such as use1-az4, not {', '.join(map(yaml_value, bad))} "
                "(Local and Wavelength Zones are not allowed)"
            )
        if len(set(value)) != len(value):
            raise ValueError("zone IDs must be unique")
        return value

    @field_validator("flow_logs_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if value not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"must be one of CloudWatch's retention periods: {', '.join(map(str, LOG_RETENTION_DAYS))}"
            )
        return value

    @field_validator("interface_endpoints")
    @classmethod
    def _endpoints(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in INTERFACE_ENDPOINT_SERVICES]
        if unknown:
            raise ValueError(
                f"unknown service(s) {', '.join(unknown)}; allowed: {', '.join(INTERFACE_ENDPOINT_SERVICES)}"
            )
        if len(set(value)) != len(value):
            raise ValueError("services must be unique")
        return value

    @field_validator("reserved_cidrs")
    @classmethod
    def _reserved(cls, value: list[str]) -> list[str]:
        for item in value:
            _ipv4_network(item)
        return value

    @property
    def zone_count(self) -> int:
        """How many zones the stage uses."""
        if isinstance(self.availability_zones, int):
            return self.availability_zones
        return len(self.availability_zones)

    def zone_names(self, available: Sequence[str]) -> list[str]:
        """The AZs to use, given the region's available zones (in order)."""
        if isinstance(self.availability_zones, list):
            return list(self.availability_zones)
        return list(available[: self.availability_zones])

    def zone_problems(self, region: str) -> list[tuple[str, str]]:
        """``(key suffix, message)`` for every explicit zone name or ID that is not a zone of ``region``, and for
        ``zone_ids`` that contradict ``availability_zones``."""
        if self.zone_ids is not None:
            return self._zone_id_problems(region)
        if isinstance(self.availability_zones, int):
            return []
        return [
            (
                f"availability_zones[{i}]",
                f"{yaml_value(zone)} is not a zone of {region} (expected {region}a, {region}b, ...)",
            )
            for i, zone in enumerate(self.availability_zones)
            if not (
                isinstance(zone, str)
                and zone.startswith(region)
                and len(zone) == len(region) + 1
                and zone[-1].isalpha()
            )
        ]

    def _zone_id_problems(self, region: str) -> list[tuple[str, str]]:
        ids = self.zone_ids or []
        if isinstance(self.availability_zones, list):
            return [
                (
                    "zone_ids",
                    f"{yaml_value(ids)} is not allowed together with availability_zones "
                    f"{yaml_value(self.availability_zones)}: both "
                    "name the zones; keep zone_ids (the same physical zones in every account) and set "
                    f"availability_zones to their count ({len(ids)}), or remove zone_ids",
                )
            ]
        found = []
        if len(ids) != self.availability_zones:
            found.append(
                (
                    "zone_ids",
                    f"{yaml_value(ids)} is not allowed: lists {len(ids)} zones, but availability_zones is "
                    f"{self.availability_zones} (the profile's default when unset); list "
                    f"{self.availability_zones} zone IDs, or set availability_zones to {len(ids)}",
                )
            )
        code = region_code(region)
        if code is not None:
            found += [
                (
                    f"zone_ids[{i}]",
                    f"{yaml_value(zone)} is not a zone of {region} (its zone IDs are {code}-az1, {code}-az2, ...)",
                )
                for i, zone in enumerate(ids)
                if not zone.startswith(f"{code}-az")
            ]
        return found

    def overlap_problems(self) -> list[tuple[str, str]]:
        """``(key suffix, message)`` for every reserved CIDR the VPC CIDR overlaps."""
        vpc = ipaddress.ip_network(self.cidr)
        found = []
        for i, item in enumerate(self.reserved_cidrs):
            if vpc.overlaps(ipaddress.ip_network(item)):
                found.append(
                    (
                        f"reserved_cidrs[{i}]",
                        f"{yaml_value(self.cidr)} overlaps the reserved range {yaml_value(item)}; pick a VPC CIDR "
                        "outside it",
                    )
                )
        return found


def region_code(region: str) -> str | None:
    """The prefix of ``region``'s AZ IDs (``us-east-1`` -> ``use1``), or ``None`` for a name it cannot derive."""
    *words, number = region.split("-")
    if len(words) < 2 or not number.isdigit() or any(w not in _DIRECTIONS for w in words[1:]):
        return None
    return words[0] + "".join(_DIRECTIONS[w] for w in words[1:]) + number
