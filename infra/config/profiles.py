"""Every per-profile default and every floor, in one place.

A stage picks a ``profile`` (``development``, ``staging`` or ``production``). The profile supplies each
setting's default (a stack file only states what differs) and a set of floors: minimums a stage may go
below only with an ``acknowledge`` entry that gives the reason. Each row is one setting, by its key path
under ``stagecraft:stage``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from infra.config.errors import yaml_value

Profile = Literal["development", "staging", "production"]
PROFILES: tuple[Profile, ...] = get_args(Profile)


@dataclass(frozen=True)
class Default:
    """The default value of one setting in each profile."""

    key: str
    development: Any
    staging: Any
    production: Any

    def value(self, profile: Profile) -> Any:
        """The default for ``profile``."""
        return getattr(self, profile)


@dataclass(frozen=True)
class AtLeast:
    """A numeric minimum."""

    minimum: float

    def allows(self, value: Any) -> bool:
        """Whether ``value`` meets the floor."""
        return bool(value >= self.minimum)

    def describe(self) -> str:
        """The floor in words, for messages and docs."""
        return f"at least {self.minimum:g}"


@dataclass(frozen=True)
class Required:
    """A setting that must have exactly this value (a flag that must stay on, for example)."""

    expected: Any

    def allows(self, value: Any) -> bool:
        """Whether ``value`` meets the floor."""
        return bool(value == self.expected)

    def describe(self) -> str:
        """The floor in words, for messages and docs."""
        return f"{yaml_value(self.expected)}".replace("True", "true").replace("False", "false")


@dataclass(frozen=True)
class AtLeastRank:
    """A choice from an ordered scale (weakest first) that must be at least ``minimum``."""

    scale: Sequence[str]
    minimum: str

    def allows(self, value: Any) -> bool:
        """Whether ``value`` meets the floor."""
        return list(self.scale).index(value) >= list(self.scale).index(self.minimum)

    def describe(self) -> str:
        """The floor in words, for messages and docs."""
        return f"{yaml_value(self.minimum)} (scale: {', '.join(self.scale)})"


@dataclass(frozen=True)
class Floor:
    """The minimum of one setting per profile (``None``: no floor in that profile)."""

    key: str
    development: AtLeast | Required | AtLeastRank | None = None
    staging: AtLeast | Required | AtLeastRank | None = None
    production: AtLeast | Required | AtLeastRank | None = None

    def rule(self, profile: Profile) -> AtLeast | Required | AtLeastRank | None:
        """The floor in ``profile``, if any."""
        rule: AtLeast | Required | AtLeastRank | None = getattr(self, profile)
        return rule


NAT_SCALE = ("none", "single", "per_az")
OBJECT_LOCK_SCALE = ("none", "GOVERNANCE", "COMPLIANCE")
"""Object-lock modes of the backup bucket, weakest first."""
CONTAINER_INSIGHTS_SCALE = ("enabled", "enhanced")
POD_SECURITY_SCALE = ("privileged", "baseline", "restricted")

DEFAULTS: tuple[Default, ...] = (
    # --- network (Foundation) ---
    Default("network.availability_zones", development=2, staging=2, production=3),
    Default("network.nat_gateways", development="single", staging="single", production="per_az"),
    Default("network.flow_logs_retention_days", development=30, staging=90, production=365),
    Default("network.flow_logs_traffic", development="REJECT", staging="ALL", production="ALL"),
    Default(
        "network.interface_endpoints",
        development=[],
        staging=[],
        production=["ecr.api", "ecr.dkr", "logs", "secretsmanager", "sts", "kms"],
    ),
    # --- data (issue 3) ---
    Default("key.protect", development=False, staging=False, production=True),
    Default("registries.protect", development=False, staging=False, production=True),
    # db.t4g.micro keeps staging under its $200/month target (docs/configuration.md, "Cost").
    Default("database.instance_class", development="db.t4g.micro", staging="db.t4g.micro", production="db.t4g.medium"),
    Default("database.backup_retention_days", development=1, staging=7, production=14),
    Default("database.multi_az", development=False, staging=False, production=True),
    Default("database.deletion_protection", development=False, staging=True, production=True),
    Default("database.monitoring_interval", development=0, staging=60, production=60),
    Default("database.protect", development=False, staging=False, production=True),
    Default("backups.enabled", development=True, staging=True, production=True),
    Default("backups.retention_days", development=30, staging=90, production=365),
    Default("backups.transition_days", development=7, staging=30, production=30),
    Default("backups.noncurrent_days", development=7, staging=30, production=30),
    Default("backups.object_lock.mode", development="none", staging="GOVERNANCE", production="GOVERNANCE"),
    Default("backups.protect", development=False, staging=False, production=True),
    # --- compute (issue 4) ---
    Default("compute.ecs.enabled", development=True, staging=True, production=True),
    Default("compute.ecs.container_insights", development="enabled", staging="enabled", production="enhanced"),
    Default("compute.ecs.fargate_base", development=0, staging=1, production=2),
    Default("compute.ecs.spot_weight", development=3, staging=1, production=0),
    Default("compute.ecs.exec_log_retention_days", development=30, staging=90, production=365),
    Default("compute.ecs.allow_execute_command", development=True, staging=True, production=False),
    # EKS is opt-in: it needs stage-specific input (admins, who may reach the endpoint) and costs ~$73/month.
    Default("compute.eks.enabled", development=False, staging=False, production=False),
    Default("compute.eks.kubernetes_version", development="1.35", staging="1.35", production="1.35"),
    Default("compute.eks.endpoint_public_access", development=True, staging=True, production=False),
    Default("compute.eks.deletion_protection", development=False, staging=True, production=True),
    Default("compute.eks.metadata_hop_limit", development=1, staging=1, production=1),
    Default("compute.eks.log_retention_days", development=30, staging=90, production=365),
    Default("compute.eks.min_on_demand_nodes", development=0, staging=0, production=2),
    Default(
        "compute.eks.node_groups",
        # Graviton types with list prices in stagecraft/data/prices.json, on-demand so the estimate is known.
        development=[
            {"name": "general", "instance_types": ["t4g.medium"], "min_size": 1, "desired_size": 1, "max_size": 2}
        ],
        staging=[
            {"name": "general", "instance_types": ["t4g.medium"], "min_size": 1, "desired_size": 1, "max_size": 3}
        ],
        production=[
            # Two instance types so a capacity shortage of one does not stop scaling (FSBP AutoScaling.6).
            {
                "name": "general",
                "instance_types": ["m7g.large", "m6g.large"],
                "min_size": 2,
                "desired_size": 3,
                "max_size": 6,
            }
        ],
    ),
    Default("compute.pod_security", development="baseline", staging="restricted", production="restricted"),
    # --- delivery (issue 5) ---
    Default("github.deploy_branch", development="develop", staging="develop", production="main"),
    Default("github.tag_patterns", development=[], staging=[], production=["v*"]),
    Default("github.reviewers", development=[], staging=[], production=[]),
    Default("github.wait_timer_minutes", development=0, staging=0, production=5),
    # null: on whenever the environment has reviewers (GitHub refuses it without one)
    Default("github.prevent_self_review", development=None, staging=None, production=True),
    Default("github.can_admins_bypass", development=False, staging=False, production=False),
)

FLOORS: tuple[Floor, ...] = (
    # --- network (Foundation) ---
    Floor("network.nat_gateways", production=AtLeastRank(NAT_SCALE, "per_az")),
    Floor("network.availability_zones", staging=AtLeast(2), production=AtLeast(3)),
    Floor("network.flow_logs_retention_days", production=AtLeast(365)),
    Floor("network.flow_logs_traffic", production=Required("ALL")),
    # --- data (issue 3) ---
    Floor("key.protect", production=Required(True)),
    Floor("registries.protect", production=Required(True)),
    Floor("database.backup_retention_days", production=AtLeast(14)),
    Floor("database.multi_az", production=Required(True)),
    Floor("database.deletion_protection", staging=Required(True), production=Required(True)),
    Floor("database.monitoring_interval", production=AtLeast(1)),
    Floor("database.protect", production=Required(True)),
    Floor("backups.enabled", production=Required(True)),
    Floor("backups.retention_days", production=AtLeast(365)),
    Floor("backups.object_lock.mode", production=AtLeastRank(OBJECT_LOCK_SCALE, "GOVERNANCE")),
    Floor("backups.protect", production=Required(True)),
    # --- compute (issue 4) ---
    Floor("compute.ecs.container_insights", production=AtLeastRank(CONTAINER_INSIGHTS_SCALE, "enhanced")),
    Floor("compute.ecs.fargate_base", production=AtLeast(1)),
    Floor("compute.ecs.exec_log_retention_days", production=AtLeast(365)),
    Floor("compute.eks.endpoint_public_access", production=Required(False)),
    Floor("compute.eks.deletion_protection", production=Required(True)),
    Floor("compute.eks.log_retention_days", production=AtLeast(365)),
    Floor("compute.eks.min_on_demand_nodes", production=AtLeast(2)),
    Floor(
        "compute.pod_security",
        staging=AtLeastRank(POD_SECURITY_SCALE, "restricted"),
        production=AtLeastRank(POD_SECURITY_SCALE, "restricted"),
    ),
    # --- delivery (issue 5) ---
    Floor("github.reviewers", production=AtLeast(1)),
    Floor("github.wait_timer_minutes", production=AtLeast(5)),
    Floor("github.prevent_self_review", production=Required(True)),
    Floor("github.can_admins_bypass", production=Required(False)),
)


def defaults_for(profile: Profile) -> dict[str, Any]:
    """Every default of ``profile`` as ``{key path: value}``."""
    return {d.key: d.value(profile) for d in DEFAULTS}


def floors_for(profile: Profile) -> dict[str, AtLeast | Required | AtLeastRank]:
    """Every floor of ``profile`` as ``{key path: rule}``."""
    return {f.key: rule for f in FLOORS if (rule := f.rule(profile)) is not None}
