"""``stagecraft:stage.compute``: where the stage runs its services (ECS Fargate, EKS, or both)."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, field_validator

from components.eks_cluster import ADDON_VERSION, ADDONS, DISTINCT_ADMINS, PRINCIPAL_ARN, colliding_admins
from components.eks_node_group import NodeGroupSpec, NodeTaint, is_arm_instance_type
from components.eks_versions import CHECKED, SOURCE, SUPPORTED_KUBERNETES_VERSIONS, release
from components.namespaces import ContainerDefaults, NamespaceQuota, NamespaceSpec
from infra.config.base import Settings
from infra.config.errors import yaml_value
from infra.config.namespaces import NamespaceSettings, PodSecurity, quantity_problems
from infra.config.network import LOG_RETENTION_DAYS
from infra.config.profiles import POD_SECURITY_SCALE

_GROUP_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?")
# Kubernetes label/taint key: optional DNS-subdomain prefix and '/', then a name of up to 63 characters.
_LABEL_KEY = re.compile(r"(?:[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?")
_LABEL_VALUE = re.compile(r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")
_QUANTITY_HINT = "must be a Kubernetes quantity such as '4', '500m', '1.5', '256Mi' or '8Gi'"


def _retention(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        raise ValueError(f"must be one of CloudWatch's retention periods: {', '.join(map(str, LOG_RETENTION_DAYS))}")
    return value


class EcsSettings(Settings):
    """The stage's ECS cluster (Fargate only)."""

    enabled: bool
    """Create the ECS cluster (free while no task runs)."""
    container_insights: Literal["enabled", "enhanced"]
    """Container Insights level; ``enhanced`` adds per-task and per-container metrics."""
    fargate_base: int
    """Tasks of each service always on on-demand FARGATE before any Spot is used."""
    spot_weight: int
    """FARGATE_SPOT weight against FARGATE's weight 1 after the base; 0 = no Spot."""
    exec_log_retention_days: int
    """Retention of the ECS Exec session log group."""
    allow_execute_command: bool
    """Let the task role open ECS Exec sessions (services still opt in per service)."""

    @field_validator("fargate_base")
    @classmethod
    def _base(cls, value: int) -> int:
        if not 0 <= value <= 100_000:
            raise ValueError("must be 0-100000 tasks")
        return value

    @field_validator("spot_weight")
    @classmethod
    def _spot(cls, value: int) -> int:
        if not 0 <= value <= 1000:
            raise ValueError("must be 0-1000 (0 = no Fargate Spot)")
        return value

    _exec_retention = field_validator("exec_log_retention_days")(_retention)


class TaintSettings(Settings):
    """A taint on every node of a group."""

    key: str
    """Taint key (a Kubernetes label key)."""
    value: str = ""
    """Taint value (may be empty)."""
    effect: Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"] = "NO_SCHEDULE"
    """What happens to pods that do not tolerate it."""

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not _LABEL_KEY.fullmatch(value):
            raise ValueError("must be a Kubernetes label key such as 'workload' or 'example.com/spot'")
        return value

    @field_validator("value")
    @classmethod
    def _value(cls, value: str) -> str:
        if not _LABEL_VALUE.fullmatch(value):
            raise ValueError("must be a Kubernetes label value: up to 63 letters, digits, '-', '_' and '.'")
        return value


class NodeGroupSettings(Settings):
    """One EKS managed node group."""

    name: str
    """Stable key of the group (lowercase letters, digits, '-', up to 32)."""
    instance_types: list[str]
    """EC2 instance types, all of one architecture (Graviton or x86); the first one is priced."""
    capacity: Literal["on_demand", "spot"] = "on_demand"
    """On-demand or Spot instances."""
    min_size: int = 1
    """Fewest nodes."""
    desired_size: int = 1
    """Nodes at creation (an autoscaler owns it afterwards)."""
    max_size: int = 3
    """Most nodes."""
    disk_size_gib: int = 20
    """Root volume (encrypted gp3) size."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Kubernetes labels on every node."""
    taints: list[TaintSettings] = Field(default_factory=list)
    """Kubernetes taints on every node."""

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _GROUP_NAME.fullmatch(value):
            raise ValueError(
                "must be 1-32 lowercase letters, digits and '-', starting and ending with a letter or digit"
            )
        return value

    @field_validator("instance_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("must list at least one instance type")
        try:
            architectures = {is_arm_instance_type(t) for t in value}
        except ValueError:
            raise ValueError("must be EC2 instance types 'family.size', such as 'm7g.large' or 't3.medium'") from None
        if len(architectures) > 1:
            raise ValueError(
                "mixes Graviton (arm64) and x86 types; a group runs one AMI, so use one architecture per group"
            )
        if len(set(value)) != len(value):
            raise ValueError("instance types must be unique")
        return value

    @field_validator("min_size", "desired_size", "max_size")
    @classmethod
    def _size(cls, value: int) -> int:
        if not 0 <= value <= 1000:
            raise ValueError("must be 0-1000 nodes")
        return value

    @field_validator("disk_size_gib")
    @classmethod
    def _disk(cls, value: int) -> int:
        if not 20 <= value <= 16384:
            raise ValueError("must be 20-16384 GiB")
        return value

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: dict[str, str]) -> dict[str, str]:
        for key, label in value.items():
            if not _LABEL_KEY.fullmatch(key) or not _LABEL_VALUE.fullmatch(label):
                raise ValueError(
                    f"label {key}={yaml_value(label)} is invalid: keys like 'workload' or 'example.com/tier', "
                    "values up to "
                    "63 letters, digits, '-', '_' and '.'"
                )
        return value

    def spec(self) -> NodeGroupSpec:
        """The component's node group spec."""
        return NodeGroupSpec(
            name=self.name,
            instance_types=tuple(self.instance_types),
            capacity_type=self.capacity.upper(),
            min_size=self.min_size,
            desired_size=self.desired_size,
            max_size=self.max_size,
            disk_size_gib=self.disk_size_gib,
            labels=dict(self.labels),
            taints=tuple(NodeTaint(key=t.key, value=t.value, effect=t.effect) for t in self.taints),
        )


class EksSettings(Settings):
    """The stage's EKS cluster and its managed node groups."""

    enabled: bool
    """Create the EKS cluster (about $73/month for the control plane, plus nodes)."""
    kubernetes_version: str
    """Kubernetes minor version in EKS standard support, quoted (``"1.35"``)."""
    endpoint_public_access: bool
    """Also expose the API endpoint publicly (restricted to ``public_access_cidrs``); private is always on."""
    public_access_cidrs: list[str] = Field(default_factory=list)
    """IPv4 CIDRs allowed to the public endpoint; required when it is on (no implicit ``0.0.0.0/0``)."""
    admin_principal_arns: list[str] = Field(default_factory=list)
    """IAM role or user ARNs with cluster admin; the principal that runs Pulumi must be one of them."""
    deletion_protection: bool
    """EKS refuses to delete the cluster while on."""
    metadata_hop_limit: int
    """IMDSv2 hop limit on the nodes: 1 keeps pods away from the node role; 2 only for pods that need IMDS."""
    log_retention_days: int
    """Retention of the control-plane log group (api, audit, authenticator)."""
    min_on_demand_nodes: int
    """At least one ``on_demand`` node group must have ``min_size`` of at least this many (0 = no rule)."""
    deploy_group: str = "stagecraft:deployers"
    """Kubernetes group of the deploy role; each namespace binds it to its ``deployer`` Role."""
    node_groups: list[NodeGroupSettings]
    """Managed node groups (unique names)."""
    addon_versions: dict[str, str] = Field(default_factory=dict)
    """Add-on versions to pin (``vpc-cni: v1.20.4-eksbuild.2``); an add-on not listed gets the most recent
    version EKS offers for ``kubernetes_version``, looked up at each run and shown in the plan."""

    @field_validator("addon_versions")
    @classmethod
    def _addon_versions(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(ADDONS))
        if unknown:
            raise ValueError(f"{', '.join(unknown)} is not an add-on Stagecraft installs; allowed: {', '.join(ADDONS)}")
        bad = sorted(f"{k}: {v}" for k, v in value.items() if not ADDON_VERSION.fullmatch(v))
        if bad:
            raise ValueError(f"{'; '.join(bad)} is not an EKS add-on version; expected like v1.20.4-eksbuild.2")
        return value

    @field_validator("kubernetes_version", mode="before")
    @classmethod
    def _version(cls, value: object) -> object:
        if isinstance(value, float):
            raise ValueError('must be quoted, such as "1.35" (YAML reads 1.30 as the number 1.3)')
        if isinstance(value, str) and value not in SUPPORTED_KUBERNETES_VERSIONS:
            entry = release(value)
            ended = (
                f"; {value} left standard support on {entry.standard_support_end.isoformat()}"
                if entry is not None and entry.standard_support_end is not None
                else ""
            )
            raise ValueError(
                f"must be a version in EKS standard support: {', '.join(SUPPORTED_KUBERNETES_VERSIONS)}{ended} "
                f"(EKS release calendar read {CHECKED.isoformat()}: {SOURCE})"
            )
        return value

    @field_validator("public_access_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.IPv4Network(item, strict=True)
            except ValueError:
                raise ValueError(
                    f"{yaml_value(item)} is not an IPv4 CIDR without host bits; example: 203.0.113.0/24"
                ) from None
        if len(set(value)) != len(value):
            raise ValueError("must list each CIDR once")
        return value

    @field_validator("admin_principal_arns")
    @classmethod
    def _admins(cls, value: list[str]) -> list[str]:
        for arn in value:
            if PRINCIPAL_ARN.fullmatch(arn) is None:
                raise ValueError(
                    f"{yaml_value(arn)} is not an IAM role or user ARN such as "
                    "'arn:aws:iam::123456789012:role/platform-admin' "
                    "(assumed-role and SSO session ARNs are not principals)"
                )
        colliding = colliding_admins(value)
        if colliding:
            raise ValueError(f"must be {DISTINCT_ADMINS}; these collide: {yaml_value(colliding)}")
        return value

    @field_validator("metadata_hop_limit")
    @classmethod
    def _hops(cls, value: int) -> int:
        if value not in (1, 2):
            raise ValueError("must be 1 or 2")
        return value

    _log_retention = field_validator("log_retention_days")(_retention)

    @field_validator("min_on_demand_nodes")
    @classmethod
    def _min_on_demand(cls, value: int) -> int:
        if not 0 <= value <= 1000:
            raise ValueError("must be 0-1000 nodes")
        return value

    @field_validator("deploy_group")
    @classmethod
    def _group(cls, value: str) -> str:
        if not value or value.startswith("system:"):
            raise ValueError("must be a non-empty Kubernetes group not starting with 'system:'")
        return value


class ComputeSettings(Settings):
    """ECS, EKS and the Kubernetes namespaces of the stage."""

    ecs: EcsSettings
    """The ECS cluster."""
    eks: EksSettings
    """The EKS cluster."""
    pod_security: PodSecurity
    """The weakest Pod Security level any namespace of the stage enforces, and the default for all of them."""
    namespaces: list[NamespaceSettings] | None = None
    """Namespaces on the EKS cluster; unset: one namespace ``<app>-<stage>`` when EKS is enabled."""

    def namespace_specs(self, prefix: str) -> list[NamespaceSpec]:
        """The namespaces to create (``prefix`` = ``<app>-<stage>``, the default name); none without EKS."""
        if not self.eks.enabled:
            return []
        configured = self.namespaces if self.namespaces is not None else [NamespaceSettings()]
        return [
            NamespaceSpec(
                name=ns.name or prefix,
                quota=NamespaceQuota(**ns.quota.model_dump()),
                container_defaults=ContainerDefaults(**ns.container_defaults.model_dump()),
                allow_ingress_from=tuple(ns.allow_ingress_from),
                pod_security=ns.pod_security or self.pod_security,
            )
            for ns in configured
        ]

    def problems(self, prefix: str) -> list[tuple[str, str]]:
        """``(key suffix under compute, message)`` for every rule that spans more than one field."""
        found: list[tuple[str, str]] = []
        if not self.ecs.enabled and not self.eks.enabled:
            found.append(
                (
                    "ecs.enabled",
                    "false while compute.eks.enabled is false too: a stage runs its services on ECS, EKS or both; "
                    "enable at least one",
                )
            )
        if self.eks.enabled:
            found += self._eks_problems()
        elif self.namespaces is not None:
            found.append(
                (
                    "namespaces",
                    f"{yaml_value([n.model_dump(exclude_unset=True) for n in self.namespaces])} is not allowed: "
                    "namespaces need EKS: set compute.eks.enabled to true, or remove compute.namespaces",
                )
            )
        if self.eks.enabled and self.namespaces is not None:
            found += self._namespace_problems(prefix)
        return found

    def _eks_problems(self) -> list[tuple[str, str]]:
        eks = self.eks
        found: list[tuple[str, str]] = []
        if eks.endpoint_public_access and not eks.public_access_cidrs:
            found.append(
                (
                    "eks.public_access_cidrs",
                    "[] is not allowed: required when endpoint_public_access is true: list the CIDRs that may "
                    "reach the public API endpoint (there is no implicit 0.0.0.0/0), or set "
                    "endpoint_public_access to false",
                )
            )
        if not eks.endpoint_public_access and eks.public_access_cidrs:
            found.append(
                (
                    "eks.public_access_cidrs",
                    f"{yaml_value(eks.public_access_cidrs)} is not allowed: must be empty when "
                    "endpoint_public_access is false (the endpoint is private only)",
                )
            )
        if not eks.admin_principal_arns:
            found.append(
                (
                    "eks.admin_principal_arns",
                    "[] is not allowed: required when EKS is enabled: list at least one IAM role or user ARN; "
                    "the principal that runs Pulumi must be one of them (the cluster's creator gets no implicit "
                    "access)",
                )
            )
        if not eks.node_groups:
            found.append(
                (
                    "eks.node_groups",
                    "[] is not allowed: required when EKS is enabled: at least one node group (CoreDNS needs nodes)",
                )
            )
        seen: set[str] = set()
        for i, group in enumerate(eks.node_groups):
            if group.name in seen:
                found.append((f"eks.node_groups[{i}].name", f"{yaml_value(group.name)} names another node group too"))
            seen.add(group.name)
            if not (group.min_size <= group.desired_size <= group.max_size and group.max_size >= 1):
                found.append(
                    (
                        f"eks.node_groups[{i}]",
                        f"min_size {group.min_size}, desired_size {group.desired_size}, max_size {group.max_size}: "
                        "must have min_size <= desired_size <= max_size and max_size >= 1",
                    )
                )
        floor = eks.min_on_demand_nodes
        if floor and not any(g.capacity == "on_demand" and g.min_size >= floor for g in eks.node_groups):
            found.append(
                (
                    "eks.min_on_demand_nodes",
                    f"{floor}: no on_demand node group has min_size >= {floor}; add one (system pods such as "
                    "CoreDNS must survive a node loss and Spot reclaims), or lower min_on_demand_nodes",
                )
            )
        return found

    def _namespace_problems(self, prefix: str) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        seen: set[str] = set()
        floor = POD_SECURITY_SCALE.index(self.pod_security)
        for i, ns in enumerate(self.namespaces or []):
            key = f"namespaces[{i}]"
            name = ns.name or prefix
            if name in seen:
                found.append(
                    (
                        f"{key}.name",
                        f"{yaml_value(name)} names another namespace too (unset means {yaml_value(prefix)})",
                    )
                )
            seen.add(name)
            if name in ns.allow_ingress_from:
                found.append((f"{key}.allow_ingress_from", f"lists the namespace itself ({yaml_value(name)})"))
            if ns.pod_security and POD_SECURITY_SCALE.index(ns.pod_security) < floor:
                found.append(
                    (
                        f"{key}.pod_security",
                        f"{yaml_value(ns.pod_security)} is weaker than compute.pod_security "
                        f"({yaml_value(self.pod_security)}); "
                        "lower compute.pod_security to allow it",
                    )
                )
            found += quantity_problems(key, ns)
        return found
