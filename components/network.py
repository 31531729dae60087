"""``Network``: the stage's VPC with public, private and isolated subnets per availability zone."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.iam import service_trust
from components.network_layout import SubnetPlan, Tier, plan_subnets

NatStrategy = Literal["none", "single", "per_az"]
Tagger = Callable[..., dict[str, str]]
"""Builds a resource's tags from a ``Name`` suffix and extra tags."""
FLOW_LOG_TRAFFIC = ("ALL", "ACCEPT", "REJECT")


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    """Inputs of :class:`Network`."""

    cidr: str
    """The VPC's IPv4 CIDR block (/16 to /22); subnets are carved from it deterministically."""
    availability_zones: Sequence[str]
    """The zones to spread subnets over (2-6), e.g. ``["us-east-1a", "us-east-1b"]``."""
    region: str
    """The AWS region, for endpoint service names."""
    account_id: pulumi.Input[str]
    """The AWS account id, to scope the flow-log delivery role's trust."""
    nat_gateways: NatStrategy = "per_az"
    """``per_az`` (one NAT per zone: a zone outage keeps the others online), ``single`` or ``none``."""
    flow_logs_retention_days: int = 365
    """Retention of the flow-log group (a CloudWatch Logs retention value)."""
    flow_logs_traffic: str = "ALL"
    """Which traffic flow logs record: ``ALL``, ``ACCEPT`` or ``REJECT``."""
    log_kms_key_arn: pulumi.Input[str] | None = None
    """KMS key that encrypts the flow-log group (the stage key); AWS-owned encryption if unset."""
    interface_endpoints: Sequence[str] = ()
    """Interface endpoint services (``ecr.api``, ``sts``, ...) placed in the private subnets."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable resource."""


class Network(pulumi.ComponentResource):
    """A VPC with DNS, three subnet tiers per zone, NAT per strategy, flow logs, and a locked default SG.

    - public subnets route to an internet gateway and hold the NAT gateways and load balancers;
    - private subnets (compute) reach the internet only through NAT, if any;
    - isolated subnets (databases) have no route out of the VPC.

    A free S3 gateway endpoint serves the private and isolated subnets; interface endpoints are optional.
    """

    vpc_id: pulumi.Output[str]
    cidr: str
    availability_zones: list[str]
    public_subnet_ids: pulumi.Output[list[str]]
    private_subnet_ids: pulumi.Output[list[str]]
    isolated_subnet_ids: pulumi.Output[list[str]]
    private_route_table_ids: pulumi.Output[list[str]]
    nat_public_ips: pulumi.Output[list[str]]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:network:Network", name, None, opts)
        _validate(args)
        zones = list(args.availability_zones)
        layout = plan_subnets(args.cidr, zones)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        def tagged(suffix: str, **extra: str) -> dict[str, str]:
            return {**tags, "Name": f"{name}-{suffix}", **extra}

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=tagged("vpc"),
            opts=child,
        )
        # The default security group allows all traffic between its members; managing it with no rules
        # closes that door (FSBP EC2.2).
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=vpc.id, ingress=[], egress=[], tags=tagged("default-sg"), opts=child
        )
        subnets = {(plan.tier, plan.availability_zone): self._subnet(name, vpc, plan, tagged) for plan in layout}

        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=tagged("igw"), opts=child)
        public_rt = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            tags=tagged("public"),
            opts=child,
        )
        nats = self._nat_gateways(name, args.nat_gateways, zones, subnets, igw, tagged)
        private_rts = []
        for zone in zones:
            nat = nats.get(zone) or nats.get("*")
            routes = [aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)] if nat else []
            private_rts.append(
                aws.ec2.RouteTable(
                    f"{name}-private-{zone}",
                    vpc_id=vpc.id,
                    routes=routes,
                    tags=tagged(f"private-{zone}"),
                    opts=child,
                )
            )
        isolated_rt = aws.ec2.RouteTable(f"{name}-isolated", vpc_id=vpc.id, tags=tagged("isolated"), opts=child)
        for zone, private_rt in zip(zones, private_rts, strict=True):
            tables: tuple[tuple[Tier, aws.ec2.RouteTable], ...] = (
                ("public", public_rt),
                ("private", private_rt),
                ("isolated", isolated_rt),
            )
            for tier, table in tables:
                aws.ec2.RouteTableAssociation(
                    f"{name}-{tier}-{zone}",
                    route_table_id=table.id,
                    subnet_id=subnets[(tier, zone)].id,
                    opts=child,
                )

        self._endpoints(name, args, vpc, [rt.id for rt in [*private_rts, isolated_rt]], subnets, zones, tagged)
        self._flow_logs(name, args, vpc, tags)

        def ids(tier: Tier) -> pulumi.Output[list[str]]:
            return pulumi.Output.all(*[subnets[(tier, z)].id for z in zones]).apply(list)

        self.vpc_id = vpc.id
        self.cidr = args.cidr
        self.availability_zones = zones
        self.public_subnet_ids = ids("public")
        self.private_subnet_ids = ids("private")
        self.isolated_subnet_ids = ids("isolated")
        self.private_route_table_ids = pulumi.Output.all(*[rt.id for rt in private_rts]).apply(list)
        self.nat_public_ips = pulumi.Output.all(*[n.public_ip for n in nats.values()]).apply(list)
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "isolated_subnet_ids": self.isolated_subnet_ids,
            }
        )

    def _subnet(self, name: str, vpc: aws.ec2.Vpc, plan: SubnetPlan, tagged: Tagger) -> aws.ec2.Subnet:
        # Load balancer controllers find subnets by these role tags:
        # https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html
        role = {
            "public": {"kubernetes.io/role/elb": "1"},
            "private": {"kubernetes.io/role/internal-elb": "1"},
        }
        return aws.ec2.Subnet(
            f"{name}-{plan.tier}-{plan.availability_zone}",
            vpc_id=vpc.id,
            cidr_block=plan.cidr,
            # Placed by the zone's name in this account, resolved from its zone ID by the stage
            # (infra/zones.py), so existing subnets keep their input. availability_zone and
            # availability_zone_id are both ForceNew and conflict with each other: switching a subnet from one
            # to the other, or to another zone, replaces it (and the logical name holds the zone name)
            # https://github.com/hashicorp/terraform-provider-aws/blob/3db496c3ef13bcbf12b401ce6f353c55b76701fa/internal/service/ec2/vpc_subnet.go
            availability_zone=plan.availability_zone,
            # No subnet hands out public IPs by itself (FSBP EC2.15): NAT gateways use Elastic IPs and
            # load balancers get their own addresses.
            map_public_ip_on_launch=False,
            tags=tagged(f"{plan.tier}-{plan.availability_zone}", tier=plan.tier, **role.get(plan.tier, {})),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _nat_gateways(
        self,
        name: str,
        strategy: NatStrategy,
        zones: list[str],
        subnets: dict[tuple[Tier, str], aws.ec2.Subnet],
        igw: aws.ec2.InternetGateway,
        tagged: Tagger,
    ) -> dict[str, aws.ec2.NatGateway]:
        """NAT gateways keyed by zone (``"*"`` for the single shared one)."""
        homes = {"none": [], "single": [zones[0]], "per_az": zones}[strategy]
        nats: dict[str, aws.ec2.NatGateway] = {}
        for zone in homes:
            eip = aws.ec2.Eip(
                f"{name}-nat-{zone}",
                domain="vpc",
                tags=tagged(f"nat-{zone}"),
                opts=pulumi.ResourceOptions(parent=self),
            )
            nat = aws.ec2.NatGateway(
                f"{name}-nat-{zone}",
                subnet_id=subnets[("public", zone)].id,
                allocation_id=eip.id,
                tags=tagged(f"nat-{zone}"),
                # A NAT gateway needs the internet gateway attached before it can route:
                # https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-troubleshooting.html
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
            )
            nats["*" if strategy == "single" else zone] = nat
        return nats

    def _endpoints(
        self,
        name: str,
        args: NetworkArgs,
        vpc: aws.ec2.Vpc,
        route_table_ids: list[pulumi.Output[str]],
        subnets: dict[tuple[Tier, str], aws.ec2.Subnet],
        zones: list[str],
        tagged: Tagger,
    ) -> None:
        child = pulumi.ResourceOptions(parent=self)
        aws.ec2.VpcEndpoint(
            f"{name}-s3",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=route_table_ids,
            tags=tagged("s3"),
            opts=child,
        )
        if not args.interface_endpoints:
            return
        sg = aws.ec2.SecurityGroup(
            f"{name}-endpoints",
            vpc_id=vpc.id,
            description=f"HTTPS from {name} to interface endpoints",
            tags=tagged("endpoints"),
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-endpoints-https",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=args.cidr,
            description="HTTPS from inside the VPC",
            tags=dict(args.tags),
            opts=child,
        )
        private_ids = [subnets[("private", z)].id for z in zones]
        for service in args.interface_endpoints:
            aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{args.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=private_ids,
                security_group_ids=[sg.id],
                tags=tagged(service),
                opts=child,
            )

    def _flow_logs(self, name: str, args: NetworkArgs, vpc: aws.ec2.Vpc, tags: dict[str, str]) -> None:
        child = pulumi.ResourceOptions(parent=self)
        group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=f"/stagecraft/{name}/vpc-flow-logs",
            retention_in_days=args.flow_logs_retention_days,
            kms_key_id=args.log_kms_key_arn,
            tags=tags,
            opts=child,
        )
        trust = pulumi.Output.from_input(args.account_id).apply(
            lambda account: service_trust(
                "vpc-flow-logs.amazonaws.com",
                {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{args.region}:{account}:vpc-flow-log/*"},
                },
            )
        )
        role = aws.iam.Role(
            f"{name}-flow-logs",
            assume_role_policy=trust,
            description=f"VPC flow logs of {name}",
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs",
            role=role.name,
            policy=group.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                                "Resource": [arn, f"{arn}:*"],
                            },
                            # DescribeLogGroups supports no resource-level permission: a log-group ARN
                            # never matches it (IAM service authorization reference, CloudWatch Logs).
                            {"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"},
                        ],
                    }
                )
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-logs",
            vpc_id=vpc.id,
            traffic_type=args.flow_logs_traffic,
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=tags,
            opts=child,
        )


def _validate(args: NetworkArgs) -> None:
    zones = list(args.availability_zones)
    try:
        plan_subnets(args.cidr, zones)
    except ValueError as exc:
        raise ComponentInputError("Network", "cidr/availability_zones", (args.cidr, zones), str(exc)) from None
    if len(set(zones)) != len(zones):
        raise ComponentInputError("Network", "availability_zones", zones, "zone names must be unique")
    if args.nat_gateways not in ("none", "single", "per_az"):
        raise ComponentInputError("Network", "nat_gateways", args.nat_gateways, "one of none, single, per_az")
    if args.flow_logs_traffic not in FLOW_LOG_TRAFFIC:
        raise ComponentInputError("Network", "flow_logs_traffic", args.flow_logs_traffic, "one of ALL, ACCEPT, REJECT")
