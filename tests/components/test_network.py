from __future__ import annotations

import json

import pytest

from components.errors import ComponentInputError
from components.network import Network, NetworkArgs
from stagecraft.plan.inventory import Inventory
from tests.conftest import RunProgram

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
TAGS = {"stage": "staging", "project": "amani-backend"}


def _network(run: RunProgram, **overrides: object) -> Inventory:
    args: dict[str, object] = {
        "cidr": "10.20.0.0/16",
        "availability_zones": ZONES,
        "region": "us-east-1",
        "account_id": "123456789012",
        "tags": TAGS,
        **overrides,
    }
    return run(lambda: Network("stg", NetworkArgs(**args)))  # type: ignore[arg-type]


def test_vpc_has_dns_and_tags(run: RunProgram) -> None:
    vpc = _network(run).one("aws:ec2/vpc:Vpc").inputs
    assert vpc["cidrBlock"] == "10.20.0.0/16"
    assert vpc["enableDnsSupport"] is True and vpc["enableDnsHostnames"] is True
    assert vpc["tags"] == {**TAGS, "Name": "stg-vpc"}


def test_three_tiers_per_zone_with_role_tags_and_no_public_ips(run: RunProgram) -> None:
    inv = _network(run)
    subnets = inv.of_type("aws:ec2/subnet:Subnet")
    assert len(subnets) == 9
    by_tier: dict[str, list[str]] = {}
    for s in subnets:
        by_tier.setdefault(s.inputs["tags"]["tier"], []).append(s.inputs["availabilityZone"])
        assert s.inputs["mapPublicIpOnLaunch"] is False
        assert s.inputs["tags"]["stage"] == "staging"
    assert {t: sorted(z) for t, z in by_tier.items()} == dict.fromkeys(("public", "private", "isolated"), ZONES)
    public = inv.one("aws:ec2/subnet:Subnet", "stg-public-us-east-1a").inputs["tags"]
    private = inv.one("aws:ec2/subnet:Subnet", "stg-private-us-east-1a").inputs["tags"]
    assert public["kubernetes.io/role/elb"] == "1"
    assert private["kubernetes.io/role/internal-elb"] == "1"
    assert "kubernetes.io/role/elb" not in inv.one("aws:ec2/subnet:Subnet", "stg-isolated-us-east-1a").inputs["tags"]


@pytest.mark.parametrize(("strategy", "count"), [("none", 0), ("single", 1), ("per_az", 3)])
def test_nat_count_per_strategy(run: RunProgram, strategy: str, count: int) -> None:
    inv = _network(run, nat_gateways=strategy)
    nats = inv.of_type("aws:ec2/natGateway:NatGateway")
    eips = inv.of_type("aws:ec2/eip:Eip")
    assert len(nats) == count and len(eips) == count
    assert all(e.inputs["domain"] == "vpc" for e in eips)
    igw = inv.one("aws:ec2/internetGateway:InternetGateway")
    for nat in nats:
        assert inv.depends_on(nat.urn, igw.urn)
        assert nat.inputs["subnetId"].startswith("subnet-")


def _default_route(inv: Inventory, table: str) -> dict[str, str] | None:
    routes = inv.one("aws:ec2/routeTable:RouteTable", table).inputs.get("routes", [])
    return next((r for r in routes if r["cidrBlock"] == "0.0.0.0/0"), None)


def test_routes_per_tier(run: RunProgram) -> None:
    inv = _network(run, nat_gateways="per_az")
    igw_id = inv.one("aws:ec2/internetGateway:InternetGateway").urn
    public = _default_route(inv, "stg-public")
    assert public is not None and public["gatewayId"].startswith("igw-")
    assert inv.depends_on(inv.one("aws:ec2/routeTable:RouteTable", "stg-public").urn, igw_id)
    nat_ids = set()
    for zone in ZONES:
        route = _default_route(inv, f"stg-private-{zone}")
        assert route is not None and route["natGatewayId"].startswith("nat-")
        nat_ids.add(route["natGatewayId"])
    assert len(nat_ids) == 3, "each zone routes through its own NAT"
    assert _default_route(inv, "stg-isolated") is None
    assert inv.one("aws:ec2/routeTable:RouteTable", "stg-isolated").inputs.get("routes", []) == []


def test_single_nat_is_shared_and_none_means_no_egress(run: RunProgram) -> None:
    single = _network(run, nat_gateways="single")
    routes = {_default_route(single, f"stg-private-{z}")["natGatewayId"] for z in ZONES}  # type: ignore[index]
    assert len(routes) == 1
    none = _network(run, nat_gateways="none")
    assert all(_default_route(none, f"stg-private-{z}") is None for z in ZONES)


def test_every_subnet_is_associated_with_its_tier_table(run: RunProgram) -> None:
    inv = _network(run)
    assocs = inv.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    assert sorted(a.name for a in assocs) == sorted(
        f"stg-{t}-{z}" for t in ("public", "private", "isolated") for z in ZONES
    )


def test_default_security_group_has_no_rules(run: RunProgram) -> None:
    sg = _network(run).one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs
    assert sg["ingress"] == [] and sg["egress"] == []


def test_flow_logs_to_a_retained_encrypted_group(run: RunProgram) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/abc"
    inv = _network(run, flow_logs_retention_days=365, log_kms_key_arn=key)
    group = inv.one("aws:cloudwatch/logGroup:LogGroup").inputs
    assert group["retentionInDays"] == 365 and group["kmsKeyId"] == key
    flow = inv.one("aws:ec2/flowLog:FlowLog").inputs
    assert flow["trafficType"] == "ALL" and flow["logDestinationType"] == "cloud-watch-logs"
    assert flow["vpcId"].startswith("vpc-") and flow["iamRoleArn"].startswith("arn:aws:iam::")
    trust = json.loads(inv.one("aws:iam/role:Role").inputs["assumeRolePolicy"])
    statement = trust["Statement"][0]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    policy = json.loads(inv.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    assert "*" not in json.dumps(policy["Statement"][0]["Resource"][0])


def test_endpoints(run: RunProgram) -> None:
    inv = _network(run, interface_endpoints=["ecr.api", "sts"])
    endpoints = {e.name: e.inputs for e in inv.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert endpoints["stg-s3"]["vpcEndpointType"] == "Gateway"
    assert endpoints["stg-s3"]["serviceName"] == "com.amazonaws.us-east-1.s3"
    assert len(endpoints["stg-s3"]["routeTableIds"]) == 4  # three private tables and the isolated one
    api = endpoints["stg-ecr-api"]
    assert api["serviceName"] == "com.amazonaws.us-east-1.ecr.api"
    assert api["privateDnsEnabled"] is True and len(api["subnetIds"]) == 3
    rule = inv.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").inputs
    assert (rule["fromPort"], rule["toPort"], rule["cidrIpv4"]) == (443, 443, "10.20.0.0/16")


def test_no_interface_endpoints_means_no_endpoint_security_group(run: RunProgram) -> None:
    inv = _network(run)
    assert [e.name for e in inv.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")] == ["stg-s3"]
    assert inv.of_type("aws:ec2/securityGroup:SecurityGroup") == []


def test_children_are_parented_by_the_component(run: RunProgram) -> None:
    inv = _network(run)
    component = inv.one("stagecraft:network:Network")
    assert all(r.parent == component.urn for r in inv.resources if r.custom)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cidr": "10.0.0.0/24"}, "vpc_cidr '10.0.0.0/24': prefix /24 is too small"),
        ({"availability_zones": ["us-east-1a"]}, "zones: 1 given; 2-6 allowed"),
        ({"availability_zones": ["us-east-1a", "us-east-1a"]}, "zone names must be unique"),
        ({"nat_gateways": "two"}, "one of none, single, per_az"),
        ({"flow_logs_traffic": "SOME"}, "one of ALL, ACCEPT, REJECT"),
    ],
)
def test_invalid_args(run: RunProgram, overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ComponentInputError, match=message):
        _network(run, **overrides)


def test_flow_log_role_gives_describe_log_groups_the_only_resource_it_accepts(run: RunProgram) -> None:
    """``logs:DescribeLogGroups`` has no resource-level permission: granted on an ARN it would never apply."""
    inv = _network(run)
    policy = json.loads(inv.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"])
    by_action: dict[str, object] = {}
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            by_action[action] = statement["Resource"]
    assert by_action["logs:DescribeLogGroups"] == "*"
    assert all(isinstance(r, list) and r for a, r in by_action.items() if a != "logs:DescribeLogGroups")
