"""Per-type pricing rules: what one recorded resource costs per month, from its recorded inputs.

Each rule returns a `Priced` (or None for resources with no charge of their own). A fixed monthly cost is
computed only when every fixed component has a known price; usage-based charges are listed per unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from stagecraft.estimates.prices import PriceTable, UnitPrice
from stagecraft.plan.inventory import RecordedResource

DEFAULT_NODE_INSTANCE_TYPE = "t3.medium"
"""What EKS uses when a managed node group sets no ``instanceTypes``."""
DEFAULT_NODE_DISK_GB = 20
"""EKS managed node group root volume size in GiB when ``diskSize`` is unset (20 for Linux:
https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html#AmazonEKS-CreateNodegroup-request-diskSize)."""


@dataclass(frozen=True)
class Priced:
    """The priced view of one resource. ``monthly_usd`` None: usage-based (``usage``) or unknown."""

    monthly_usd: float | None
    unit_prices: tuple[UnitPrice, ...]
    basis: str
    usage: bool = False
    notes: tuple[str, ...] = ()


class _Prices:
    """Price look-ups for one rule: remembers every price used, so the item can list them."""

    def __init__(self, table: PriceTable, root_volumes: Mapping[str, int] | None = None) -> None:
        self.table = table
        self.root_volumes = root_volumes or {}
        """Root volume size in GB of each launch template, by URN (node groups take theirs from one)."""
        self.used: list[UnitPrice] = []
        self.missing: list[str] = []

    def usd(self, key: str) -> float | None:
        price = self.table.get(key)
        if price is None or price.usd is None:
            self.missing.append(key)
            return None
        self.used.append(price)
        return price.usd

    def per_unit(self, *keys: str) -> None:
        """Record usage-based prices (listed, never multiplied)."""
        for key in keys:
            price = self.table.get(key)
            if price is not None:
                self.used.append(price)

    def monthly(self, hourly: float) -> float:
        return hourly * self.table.hours_per_month

    def done(self, monthly: float | None, basis: str, notes: tuple[str, ...] = ()) -> Priced:
        if self.missing:
            basis = f"{basis}; no list price for {', '.join(self.missing)}"
            monthly = None
        return Priced(monthly, tuple(self.used), basis, notes=notes)


Rule = Callable[[RecordedResource, _Prices], Priced | None]


def _usage(p: _Prices, basis: str, *keys: str) -> Priced:
    p.per_unit(*keys)
    return Priced(None, tuple(p.used), basis, usage=True)


CODEBUILD_OS = {"LINUX_CONTAINER": "linux", "ARM_CONTAINER": "arm"}
"""Price-key part of each CodeBuild environment type (``environment.type``)."""


def _codebuild_project(r: RecordedResource, p: _Prices) -> Priced:
    # On-demand CodeBuild bills per build minute of the project's compute type and nothing while idle
    # (https://aws.amazon.com/codebuild/pricing/); the in-VPC runner (components/ci_runner.py) is one such project.
    env = r.inputs.get("environment") or {}
    compute = str(env.get("computeType") or "BUILD_GENERAL1_SMALL")
    kind = str(env.get("type") or "LINUX_CONTAINER")
    size = compute.removeprefix("BUILD_").lower()
    key = f"codebuild.{size}.{CODEBUILD_OS.get(kind, kind.lower())}.minute"
    basis = f"usage: build minutes of {compute} ({kind}), per minute"
    if p.table.get(key) is None:
        basis += f"; no per-minute price for {key}"
    return _usage(p, basis, key)


def _nat_gateway(r: RecordedResource, p: _Prices) -> Priced:
    if r.inputs.get("availabilityMode") == "regional":
        p.missing.append("regional NAT gateway")
        return p.done(None, "regional NAT gateway")
    hour = p.usd("nat_gateway.hour")
    p.per_unit("nat_gateway.gb")
    monthly = None if hour is None else p.monthly(hour)
    return p.done(monthly, "730 h; data processed per GB (usage); its public IPv4 is priced on the EIP")


def _eip(r: RecordedResource, p: _Prices) -> Priced:
    hour = p.usd("public_ipv4.hour")
    return p.done(None if hour is None else p.monthly(hour), "one public IPv4 address, 730 h")


def _eks_cluster(r: RecordedResource, p: _Prices) -> Priced:
    support = (r.inputs.get("upgradePolicy") or {}).get("supportType")
    hour = p.usd("eks.cluster.standard.hour")
    monthly = None if hour is None else p.monthly(hour)
    if support == "STANDARD":
        return p.done(monthly, "control plane 730 h, standard support (upgradePolicy.supportType=STANDARD)")
    extended = p.table.get("eks.cluster.extended.hour")
    risk = "unknown"
    if extended is not None and extended.usd is not None:
        p.used.append(extended)
        risk = f"${p.monthly(extended.usd):.2f}"
    why = "EXTENDED" if support else "unset (the EKS API default is EXTENDED)"
    note = (
        f"EKS cluster {r.name}: upgradePolicy.supportType is {why}; it costs {risk}/month once its "
        "Kubernetes version leaves standard support (priced here at standard support)"
    )
    return p.done(monthly, f"control plane 730 h at standard support; supportType {why}", (note,))


def _node_group(r: RecordedResource, p: _Prices) -> Priced:
    scaling = r.inputs.get("scalingConfig") or {}
    count = scaling.get("desiredSize", scaling.get("minSize"))
    types = r.inputs.get("instanceTypes") or [DEFAULT_NODE_INSTANCE_TYPE]
    itype = str(types[0])
    hour = p.usd(f"ec2.{itype}.hour")
    if r.inputs.get("capacityType") == "SPOT":
        p.missing.clear()
        note = f"Node group {r.name}: Spot capacity is not estimated (prices vary); on-demand is the ceiling"
        return Priced(None, tuple(p.used), f"{count} x {itype} Spot: not estimated", notes=(note,))
    notes: list[str] = []
    if len(types) > 1:
        notes.append(f"Node group {r.name}: priced as its first instance type {itype} of {types}")
    if r.inputs.get("launchTemplate"):
        sizes = [p.root_volumes[d] for d in r.dependencies if d in p.root_volumes]
        if sizes:
            disk_gb = sizes[0]
        else:
            p.missing.append("root volume (set by the launch template)")
            disk_gb = 0
    else:
        disk_gb = int(r.inputs.get("diskSize") or DEFAULT_NODE_DISK_GB)
    gb = p.usd("ebs.gp3.gb_month")
    if not isinstance(count, int):
        p.missing.append("node count (scalingConfig.desiredSize)")
    monthly = None
    if hour is not None and gb is not None and isinstance(count, int):
        monthly = count * (p.monthly(hour) + disk_gb * gb)
    basis = f"{count} x {itype} on-demand 730 h + {disk_gb} GB gp3 root volume each"
    return p.done(monthly, basis, tuple(notes))


def _instance(r: RecordedResource, p: _Prices) -> Priced:
    itype = r.inputs.get("instanceType")
    hour = p.usd(f"ec2.{itype}.hour")
    return p.done(None if hour is None else p.monthly(hour), f"{itype} on-demand 730 h (root volume not priced)")


def _load_balancer(r: RecordedResource, p: _Prices) -> Priced:
    kind = r.inputs.get("loadBalancerType", "application")
    if kind != "application":
        p.missing.append(f"{kind} load balancer")
        return p.done(None, f"{kind} load balancer")
    azs = len(r.inputs.get("subnets") or r.inputs.get("subnetMappings") or [])
    public = 0 if r.inputs.get("internal") else azs
    hour, ip = p.usd("alb.hour"), p.usd("public_ipv4.hour")
    p.per_unit("alb.lcu_hour")
    monthly = None if hour is None or ip is None else p.monthly(hour + public * ip)
    return p.done(monthly, f"730 h + {public} public IPv4 (one per AZ); LCU-hours per unit (usage)")


def _vpc_endpoint(r: RecordedResource, p: _Prices) -> Priced | None:
    kind = r.inputs.get("vpcEndpointType", "Gateway")
    if kind == "Gateway":
        return None
    if kind != "Interface":
        p.missing.append(f"{kind} endpoint")
        return p.done(None, f"{kind} endpoint")
    azs = len(r.inputs.get("subnetIds") or [])
    hour = p.usd("vpc_endpoint.interface.az_hour")
    p.per_unit("vpc_endpoint.interface.gb")
    if azs == 0:
        p.missing.append("subnet count (subnetIds)")
    monthly = None if hour is None else p.monthly(hour * azs)
    return p.done(monthly, f"interface endpoint in {azs} AZ x 730 h; data processed per GB (usage)")


def _rds_instance(r: RecordedResource, p: _Prices) -> Priced:
    engine, klass = r.inputs.get("engine"), r.inputs.get("instanceClass")
    multi = bool(r.inputs.get("multiAz"))
    copies = 2 if multi else 1
    hour = p.usd(f"rds.{engine}.{klass}.{'multi_az' if multi else 'single_az'}.hour")
    storage = int(r.inputs.get("allocatedStorage") or 0)
    storage_type = r.inputs.get("storageType")
    gb = p.usd("rds.gp3.gb_month") if storage_type == "gp3" else None
    if storage_type != "gp3":
        p.missing.append(f"storage type {storage_type or 'unset'}")
    p.per_unit("rds.backup.gb_month")
    secret = p.usd("secretsmanager.secret_month") if r.inputs.get("manageMasterUserPassword") else 0.0
    notes: tuple[str, ...] = ()
    if r.inputs.get("performanceInsightsEnabled"):
        pi = p.table.get("rds.performance_insights.vcpu_month")
        notes = (f"RDS {r.name}: Performance Insights is on; its price is {pi.label() if pi else 'unknown'}",)
    monthly = None
    if hour is not None and gb is not None and secret is not None:
        monthly = p.monthly(hour) + storage * gb * copies + secret
    az = "Multi-AZ" if multi else "single-AZ"
    basis = f"{engine} {klass} {az} 730 h + {storage} GB gp3 x {copies}; backup beyond provisioned per GB (usage)"
    if r.inputs.get("manageMasterUserPassword"):
        basis += " + managed master password secret"
    return p.done(monthly, basis, notes)


def _fixed(key: str, basis: str) -> Rule:
    def rule(r: RecordedResource, p: _Prices) -> Priced:
        usd = p.usd(key)
        return p.done(usd, basis)

    return rule


def _usage_rule(basis: str, *keys: str) -> Rule:
    def rule(r: RecordedResource, p: _Prices) -> Priced:
        return _usage(p, basis, *keys)

    return rule


RULES: dict[str, Rule] = {
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    "aws:ec2/eip:Eip": _eip,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:ec2/instance:Instance": _instance,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:alb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:kms/key:Key": _fixed("kms.key_month", "one customer managed key; requests per 10k (usage)"),
    "aws:secretsmanager/secret:Secret": _fixed("secretsmanager.secret_month", "one secret"),
    "aws:cloudwatch/logGroup:LogGroup": _usage_rule(
        "usage: ingestion per GB and storage per GB-month", "logs.ingest_gb", "logs.storage_gb_month"
    ),
    "aws:s3/bucket:Bucket": _usage_rule(
        "usage: storage per GB-month by class", "s3.standard.gb_month", "s3.glacier_ir.gb_month"
    ),
    "aws:s3/bucketV2:BucketV2": _usage_rule(
        "usage: storage per GB-month by class", "s3.standard.gb_month", "s3.glacier_ir.gb_month"
    ),
    "aws:codebuild/project:Project": _codebuild_project,
    "aws:ecr/repository:Repository": _usage_rule("usage: image storage per GB-month", "ecr.gb_month"),
    "aws:ecs/cluster:Cluster": _usage_rule(
        "usage: Fargate tasks the pipelines deploy, per vCPU-hour and GB-hour (on-demand or Spot)",
        "fargate.vcpu_hour",
        "fargate.gb_hour",
        "fargate_spot.vcpu_hour",
        "fargate_spot.gb_hour",
    ),
}


def price_resource(
    resource: RecordedResource, table: PriceTable, root_volumes: Mapping[str, int] | None = None
) -> Priced | None:
    """The priced view of one resource, or None if its type has no charge of its own.

    ``root_volumes`` maps launch-template URNs to their root volume size in GB (see :func:`root_volumes`).
    """
    rule = RULES.get(resource.type)
    if rule is None:
        return None
    return rule(resource, _Prices(table, root_volumes))


def root_volumes(resources: Iterable[RecordedResource]) -> dict[str, int]:
    """Root volume size (GB) of every launch template that declares one, by URN."""
    sizes: dict[str, int] = {}
    for r in resources:
        if r.type != "aws:ec2/launchTemplate:LaunchTemplate":
            continue
        for mapping in r.inputs.get("blockDeviceMappings") or []:
            size = (mapping.get("ebs") or {}).get("volumeSize")
            if isinstance(size, int | float):
                sizes[r.urn] = int(size)
                break
    return sizes
