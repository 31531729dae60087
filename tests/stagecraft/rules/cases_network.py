"""Compliant and non-compliant inventories for the EC2/VPC rules."""

from __future__ import annotations

from stagecraft.plan.inventory import RecordedResource
from stagecraft.rules.network import (
    DEFAULT_SG,
    ENDPOINT,
    FLOW_LOG,
    NACL,
    NACL_ASSOCIATION,
    NACL_RULE,
    NAT,
    SG,
    SG_INGRESS,
    SG_RULE,
    SUBNET,
    VPC,
)
from tests.stagecraft.rules.builders import Case, one, res

vpc = res(VPC, "stg-vpc", {"cidrBlock": "10.0.0.0/16"})
V = "aws:ec2/vpc:Vpc stg-vpc: "


def _endpoint(service: str, kind: str = "Interface", dns: bool = True) -> RecordedResource:
    inputs: dict[str, object] = {
        "serviceName": f"com.amazonaws.us-east-1.{service}",
        "vpcEndpointType": kind,
        "vpcId": "vpc-1",
    }
    if kind == "Interface":
        inputs["privateDnsEnabled"] = dns
    return res(ENDPOINT, f"stg-{service}", inputs, deps=(vpc,))


INTERFACES = tuple(_endpoint(s) for s in ("ecr.api", "ecr.dkr", "kms", "logs", "secretsmanager", "sts"))
az_a = res(SUBNET, "stg-private-a", {"availabilityZone": "us-east-1a", "vpcId": "vpc-1"}, deps=(vpc,))
az_b = res(SUBNET, "stg-private-b", {"availabilityZone": "us-east-1b", "vpcId": "vpc-1"}, deps=(vpc,))
nat_a = res(NAT, "stg-nat-a", {"subnetId": "subnet-a", "allocationId": "eip-a"}, deps=(az_a,))
nat_b = res(NAT, "stg-nat-b", {"subnetId": "subnet-b", "allocationId": "eip-b"}, deps=(az_b,))
acl = res(NACL, "stg-acl", {"vpcId": "vpc-1"}, deps=(vpc,))

CASES = [
    one("subnet-no-public-ip", "false", res(SUBNET, "s", {"mapPublicIpOnLaunch": False})),
    one("subnet-no-public-ip", "unset", res(SUBNET, "s", {})),
    one(
        "subnet-no-public-ip",
        "true",
        res(SUBNET, "stg-public-a", {"mapPublicIpOnLaunch": True}),
        "mapPublicIpOnLaunch is true; false required (NAT gateways use an EIP, ALBs need no flag)",
    ),
    one(
        "sg-no-world-ingress",
        "https",
        res(SG_INGRESS, "i", {"cidrIpv4": "0.0.0.0/0", "ipProtocol": "tcp", "fromPort": 443, "toPort": 443}),
    ),
    one(
        "sg-no-world-ingress",
        "vpc-only",
        res(
            SG_INGRESS,
            "i",
            {"cidrIpv4": "10.0.0.0/16", "ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432},
        ),
    ),
    one(
        "sg-no-world-ingress",
        "postgres-world",
        res(
            SG_INGRESS,
            "db-in",
            {"cidrIpv4": "0.0.0.0/0", "ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432},
        ),
        "ingress from 0.0.0.0/0 on tcp 5432-5432; only tcp 80 and 443 may be open to the internet",
    ),
    one(
        "sg-no-world-ingress",
        "inline-ssh-v6",
        res(
            SG,
            "sg",
            {"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "ipv6CidrBlocks": ["::/0"]}]},
        ),
        "ingress from ::/0 on tcp 22-22; only tcp 80 and 443 may be open to the internet",
    ),
    one(
        "sg-no-world-ingress",
        "rule-all",
        res(
            SG_RULE,
            "r",
            {"type": "ingress", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]},
        ),
        "ingress from 0.0.0.0/0 on all 0-65535; only tcp 80 and 443 may be open to the internet",
    ),
    one(
        "sg-no-world-ingress",
        "egress-rule",
        res(SG_RULE, "r", {"type": "egress", "protocol": "-1", "cidrBlocks": ["0.0.0.0/0"]}),
    ),
    one(
        "nacl-no-admin-ports",
        "https",
        res(
            NACL_RULE,
            "n",
            {
                "egress": False,
                "ruleAction": "allow",
                "protocol": "tcp",
                "cidrBlock": "0.0.0.0/0",
                "fromPort": 443,
                "toPort": 443,
            },
        ),
    ),
    one(
        "nacl-no-admin-ports",
        "deny-ssh",
        res(
            NACL_RULE,
            "n",
            {
                "egress": False,
                "ruleAction": "deny",
                "protocol": "tcp",
                "cidrBlock": "0.0.0.0/0",
                "fromPort": 22,
                "toPort": 22,
            },
        ),
    ),
    one(
        "nacl-no-admin-ports",
        "range",
        res(
            NACL_RULE,
            "n",
            {
                "egress": False,
                "ruleAction": "allow",
                "protocol": "tcp",
                "cidrBlock": "0.0.0.0/0",
                "fromPort": 0,
                "toPort": 65535,
            },
        ),
        "rule allows tcp 0-65535 from [0.0.0.0/0]; port 22 and 3389 must not be open",
    ),
    one(
        "nacl-no-admin-ports",
        "inline",
        res(
            NACL,
            "n",
            {
                "ingress": [
                    {
                        "action": "allow",
                        "protocol": "-1",
                        "cidrBlock": "0.0.0.0/0",
                        "fromPort": 0,
                        "toPort": 0,
                    }
                ]
            },
        ),
        "ingress entry allows all 0-65535 from [0.0.0.0/0]; port 22 and 3389 must not be open",
    ),
    Case("nacl-in-use", "subnets", (res(NACL, "stg-acl", {"subnetIds": ["subnet-a"]}),)),
    Case(
        "nacl-in-use",
        "association",
        (acl, res(NACL_ASSOCIATION, "assoc", {"networkAclId": "acl-1"}, deps=(acl,))),
    ),
    Case(
        "nacl-in-use",
        "unused",
        (acl,),
        ("aws:ec2/networkAcl:NetworkAcl stg-acl: subnetIds is empty and no association exists; remove unused ACLs",),
    ),
    Case(
        "default-sg-closed",
        "adopted",
        (vpc, res(DEFAULT_SG, "stg-default", {"ingress": [], "egress": []}, deps=(vpc,))),
    ),
    Case("default-sg-closed", "missing", (vpc,), (V + f"no {DEFAULT_SG} adopts its default security group",)),
    Case(
        "default-sg-closed",
        "rules",
        (vpc, res(DEFAULT_SG, "stg-default", {"egress": [{"protocol": "-1"}]}, deps=(vpc,))),
        (f"{DEFAULT_SG} stg-default: egress has 1 rule(s); none allowed",),
    ),
    Case("vpc-flow-logs", "all", (vpc, res(FLOW_LOG, "stg-flow", {"trafficType": "ALL"}, deps=(vpc,)))),
    Case("vpc-flow-logs", "reject", (vpc, res(FLOW_LOG, "stg-flow", {"trafficType": "REJECT"}, deps=(vpc,)))),
    Case("vpc-flow-logs", "missing", (vpc,), (V + f"no {FLOW_LOG} with trafficType REJECT or ALL",)),
    Case(
        "vpc-flow-logs",
        "accept-only",
        (vpc, res(FLOW_LOG, "stg-flow", {"trafficType": "ACCEPT"}, deps=(vpc,))),
        (f"{FLOW_LOG} stg-flow: trafficType is ACCEPT; REJECT or ALL required",),
    ),
    Case("vpc-interface-endpoints", "all", (vpc, *INTERFACES)),
    Case(
        "vpc-interface-endpoints",
        "missing-and-no-dns",
        (vpc, _endpoint("ecr.api", dns=False), _endpoint("ecr.dkr")),
        (
            V + "no interface endpoint for kms, logs, secretsmanager, sts",
            f"{ENDPOINT} stg-ecr.api: privateDnsEnabled is false; true required",
        ),
    ),
    Case("vpc-s3-gateway-endpoint", "gateway", (vpc, _endpoint("s3", "Gateway"))),
    Case("vpc-s3-gateway-endpoint", "missing", (vpc, *INTERFACES), (V + "no Gateway endpoint for s3",)),
    Case(
        "vpc-s3-gateway-endpoint",
        "interface",
        (vpc, _endpoint("s3")),
        (f"{ENDPOINT} stg-s3: vpcEndpointType is Interface; Gateway required",),
    ),
    Case("nat-gateway-per-az", "per-az", (vpc, az_a, az_b, nat_a, nat_b)),
    Case("nat-gateway-per-az", "no-nat", (vpc, az_a, az_b)),
    Case(
        "nat-gateway-per-az",
        "single",
        (vpc, az_a, az_b, nat_a),
        (V + "1 NAT gateway(s) leave us-east-1b without one; one per AZ required",),
    ),
]
