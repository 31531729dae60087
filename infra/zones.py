"""Which availability zones a stage uses: chosen by zone ID among the zones that offer what it runs.

Zone names (``us-east-1a``) map to different physical zones per account; zone IDs (``use1-az1``) do not
(https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html). Not every zone offers every
instance type: a Graviton node group or a database class may be missing from one. So the program looks up,
before it registers anything:

- the region's available zones, names and IDs (``aws.get_availability_zones``: ``names`` and ``zone_ids`` are
  parallel lists sorted by name,
  https://github.com/hashicorp/terraform-provider-aws/blob/51f0f87f4081c657357189b0a2da513579370e6a/internal/service/ec2/availability_zones_data_source.go);
- which zone IDs offer the EKS node groups' EC2 instance types (``DescribeInstanceTypeOfferings`` with
  ``location_type=availability-zone-id``);
- which zones offer the database's instance class (``DescribeOrderableDBInstanceOptions``; it answers zone
  names, mapped to IDs through the first lookup).

Fargate (ECS services and the migration task, X86_64 or ARM64) has no offering API: the ECS guide lists the
zone IDs Linux Fargate is limited to in some regions, and :data:`FARGATE_ZONE_IDS` carries that list
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate-Regions.html). Whether ARM64 Fargate
capacity exists in a zone cannot be asked at all; AWS documents no per-zone ARM64 limit.

The choice is deterministic: with a count, the first zones in zone-ID order that offer everything; with an
explicit list (``zone_ids``, or names), exactly those, each of which must offer everything. Too few is a
:class:`ConfigError` raised before any resource exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi_aws as aws

from infra.config import ConfigError, ConfigProblem, StageConfig
from infra.config.errors import yaml_value
from infra.config.loader import STAGE_KEY

FARGATE = "Fargate (Linux)"
"""The pseudo instance type a zone must offer when the stage runs ECS on Fargate."""
FARGATE_ZONE_IDS: dict[str, tuple[str, ...]] = {
    "us-west-1": ("usw1-az1", "usw1-az3"),
    "ap-northeast-1": ("apne1-az1", "apne1-az2", "apne1-az4"),
}
"""Regions where Linux Fargate runs only in some zones (ECS developer guide, "Supported Regions for Amazon ECS
on AWS Fargate"); elsewhere every zone of a Fargate region offers it."""
NETWORK_KEY = f"{STAGE_KEY}.network"


@dataclass(frozen=True)
class Zone:
    """One availability zone: its account-specific name and its physical ID."""

    name: str
    id: str


@dataclass(frozen=True)
class ZoneChoice:
    """The zones a stage uses and why."""

    zones: tuple[Zone, ...]
    """The chosen zones, in the order subnets are laid out."""
    source: str
    """``zone_ids``, ``availability_zones`` (explicit names) or ``count`` (chosen here)."""
    required: tuple[str, ...] = ()
    """Every instance type each zone had to offer (EC2 types, ``db.`` classes, :data:`FARGATE`)."""
    skipped: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Zone IDs passed over (count form), with the types they lack."""

    @property
    def names(self) -> list[str]:
        """The zone names, for subnets (``availability_zone``)."""
        return [z.name for z in self.zones]

    @property
    def ids(self) -> list[str]:
        """The zone IDs, parallel to :attr:`names`."""
        return [z.id for z in self.zones]

    def to_json(self) -> dict[str, Any]:
        """As exported in the ``zones`` stack output (and so in the plan's ``outputs``)."""
        return {
            "zones": [{"name": z.name, "id": z.id} for z in self.zones],
            "source": self.source,
            "checked_instance_types": list(self.required),
            "skipped": {zone: list(missing) for zone, missing in sorted(self.skipped.items())},
        }


def required_types(config: StageConfig) -> tuple[list[str], list[str], bool]:
    """``(EC2 instance types, database classes, uses Fargate)`` of the stage, each sorted and unique."""
    settings = config.settings
    ec2: set[str] = set()
    if settings.compute.eks.enabled:
        for group in settings.compute.eks.node_groups:
            ec2.update(group.instance_types)
    databases = [settings.database.instance_class] if settings.database.enabled else []
    return sorted(ec2), databases, settings.compute.ecs.enabled


def zone_sort_key(zone_id: str) -> tuple[str, int]:
    """``use1-az10`` after ``use1-az9``: by region code, then zone number."""
    code, _, number = zone_id.rpartition("-az")
    return code, int(number) if number.isdigit() else 0


def choose_zones(
    config: StageConfig, available: Sequence[Zone], offered: Mapping[str, frozenset[str]], required: Sequence[str]
) -> ZoneChoice:
    """Pick the stage's zones from ``available`` given what each zone ID offers; :class:`ConfigError` if it cannot.

    Pure: the lookups are :func:`lookup_zones`'s.
    """
    network = config.settings.network
    needed = tuple(required)
    by_id = {z.id: z for z in available}
    by_name = {z.name: z for z in available}

    def missing(zone: Zone) -> tuple[str, ...]:
        return tuple(t for t in needed if t not in offered.get(zone.id, frozenset()))

    if network.zone_ids is not None or isinstance(network.availability_zones, list):
        source = "zone_ids" if network.zone_ids is not None else "availability_zones"
        wanted = network.zone_ids if network.zone_ids is not None else network.zone_names([])
        index = by_id if network.zone_ids is not None else by_name
        problems: list[ConfigProblem] = []
        chosen: list[Zone] = []
        for i, key in enumerate(wanted):
            zone = index.get(key)
            if zone is None:
                shown = sorted(index, key=zone_sort_key) if source == "zone_ids" else sorted(index)
                problems.append(
                    ConfigProblem(
                        f"{NETWORK_KEY}.{source}[{i}]",
                        f"{yaml_value(key)} is not an available zone of {config.region} in this account; available: "
                        f"{', '.join(shown)}",
                    )
                )
                continue
            lacks = missing(zone)
            if lacks:
                problems.append(
                    ConfigProblem(
                        f"{NETWORK_KEY}.{source}[{i}]",
                        f"{yaml_value(key)} ({zone.name}, {zone.id}) does not offer {', '.join(lacks)}, which the "
                        f"stage uses (checked: {', '.join(needed)}); pick a zone that offers them: "
                        f"{_qualifying(available, missing)}",
                    )
                )
            chosen.append(zone)
        if problems:
            raise ConfigError(problems)
        return ZoneChoice(zones=tuple(chosen), source=source, required=needed)

    count = network.zone_count
    chosen, skipped = [], {}
    for zone in sorted(available, key=lambda z: zone_sort_key(z.id)):
        lacks = missing(zone)
        if lacks:
            skipped[zone.id] = lacks
        elif len(chosen) < count:
            chosen.append(zone)
    if len(chosen) < count:
        lacking = "; ".join(f"{zone} lacks {', '.join(types)}" for zone, types in skipped.items())
        raise ConfigError(
            [
                ConfigProblem(
                    f"{NETWORK_KEY}.availability_zones",
                    f"{count} is not allowed: only {len(chosen)} of {config.region}'s available zones offer every "
                    f"instance type the stage uses ({', '.join(needed)}): {lacking}; lower availability_zones "
                    "(within the profile's floor), or choose instance types every zone offers",
                )
            ]
        )
    return ZoneChoice(zones=tuple(chosen), source="count", required=needed, skipped=skipped)


def _qualifying(available: Sequence[Zone], missing: Any) -> str:
    good = [f"{z.id} ({z.name})" for z in sorted(available, key=lambda z: zone_sort_key(z.id)) if not missing(z)]
    return ", ".join(good) or "none in this region"


def lookup_zones(config: StageConfig) -> ZoneChoice:
    """Look up the region's zones and what they offer, then :func:`choose_zones` (invokes only)."""
    found = aws.get_availability_zones(
        state="available",
        # Only real AZs: an opted-in Local or Wavelength Zone is "available" too, and holds no RDS or NAT gateway.
        filters=[aws.GetAvailabilityZonesFilterArgs(name="zone-type", values=["availability-zone"])],
    )
    available = [Zone(name=n, id=i) for n, i in zip(found.names, found.zone_ids, strict=True)]
    ec2_types, db_classes, fargate = required_types(config)
    offered: dict[str, set[str]] = {z.id: set() for z in available}
    if ec2_types:
        offerings = aws.ec2.get_instance_type_offerings(
            location_type="availability-zone-id",
            filters=[aws.ec2.GetInstanceTypeOfferingsFilterArgs(name="instance-type", values=ec2_types)],
        )
        for type_, location in zip(offerings.instance_types, offerings.locations, strict=True):
            offered.setdefault(location, set()).add(type_)
    ids_by_name = {z.name: z.id for z in available}
    for db_class in db_classes:
        # engine_latest_version needs preferred_instance_classes (SDK docstring); the zones are the class's.
        try:
            option = aws.rds.get_orderable_db_instance(
                engine="postgres",
                engine_latest_version=True,
                preferred_instance_classes=[db_class],
                storage_type="gp3",
                vpc=True,
            )
        except Exception as exc:  # the SDK raises a bare Exception("invoke of <token> failed: ...")
            if not str(exc).startswith("invoke of "):
                raise
            raise ConfigError(
                [
                    ConfigProblem(
                        f"{STAGE_KEY}.database.instance_class",
                        f"{yaml_value(db_class)} is not allowed: RDS offers no PostgreSQL gp3 instance of that class "
                        f"in {config.region} ({exc}); choose a class the region offers "
                        "(aws rds describe-orderable-db-instance-options --engine postgres)",
                    )
                ]
            ) from None
        for name in option.availability_zones:
            if name in ids_by_name:
                offered[ids_by_name[name]].add(db_class)
    required = [*ec2_types, *db_classes]
    if fargate:
        limited = FARGATE_ZONE_IDS.get(config.region)
        for zone in available:
            if limited is None or zone.id in limited:
                offered[zone.id].add(FARGATE)
        required.append(FARGATE)
    return choose_zones(config, available, {k: frozenset(v) for k, v in offered.items()}, required)
