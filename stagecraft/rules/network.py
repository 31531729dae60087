"""EC2/VPC rules: subnets, security groups, network ACLs, flow logs, endpoints, NAT per AZ."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.rules._util import as_list, attached, is_true, label, number, show, strings
from stagecraft.rules.model import MANDATORY, PRODUCTION_ONLY, Options, Rule

EC2 = "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html"
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
NACL = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NACL = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NACL_RULE = "aws:ec2/networkAclRule:NetworkAclRule"
NACL_ASSOCIATION = "aws:ec2/networkAclAssociation:NetworkAclAssociation"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
NAT = "aws:ec2/natGateway:NatGateway"

WORLD = ("0.0.0.0/0", "::/0")
AUTHORIZED_PORTS = (80, 443)
INTERFACE_SERVICES = ("ecr.api", "ecr.dkr", "kms", "logs", "secretsmanager", "sts")
"""Interface endpoints private nodes and tasks need: image pulls, IRSA/OIDC, logs, secrets, keys."""

# FSBP EC2.6 (Config rule vpc-flow-logs-enabled) takes trafficType REJECT as its parameter, and ALL records
# rejected traffic too, so either passes; ACCEPT alone does not. Production asks for ALL through the config
# floor network.flow_logs_traffic (which an acknowledge entry may lower), not through this rule.
# https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-6
FLOW_LOG_TRAFFIC = ("REJECT", "ALL")

_SERVICE = re.compile(r"^com\.amazonaws\.[a-z0-9-]+\.(?P<service>.+)$")


def _subnet_public_ip(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    value = inputs.get("mapPublicIpOnLaunch")
    if is_true(value):
        return ["mapPublicIpOnLaunch is true; false required (NAT gateways use an EIP, ALBs need no flag)"]
    return []


def _port_range(entry: Mapping[str, Any], protocol_key: str) -> tuple[str, int, int]:
    protocol = str(entry.get(protocol_key, "")).lower()
    if protocol in ("-1", "all"):
        return "all", 0, 65535
    low, high = number(entry.get("fromPort")), number(entry.get("toPort"))
    return protocol, int(low if low is not None else 0), int(high if high is not None else 65535)


def _open_ingress(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    entries: list[tuple[Mapping[str, Any], list[str], str]] = []
    if _type == SG:
        for entry in as_list(inputs.get("ingress")):
            cidrs = strings(entry.get("cidrBlocks")) + strings(entry.get("ipv6CidrBlocks"))
            entries.append((entry, cidrs, "protocol"))
    elif _type == SG_INGRESS:
        entries.append((inputs, strings(inputs.get("cidrIpv4")) + strings(inputs.get("cidrIpv6")), "ipProtocol"))
    elif inputs.get("type") == "ingress":
        cidrs = strings(inputs.get("cidrBlocks")) + strings(inputs.get("ipv6CidrBlocks"))
        entries.append((inputs, cidrs, "protocol"))
    messages = []
    for entry, cidrs, protocol_key in entries:
        for cidr in sorted(set(cidrs) & set(WORLD)):
            protocol, low, high = _port_range(entry, protocol_key)
            if protocol in ("tcp", "6") and low == high and low in AUTHORIZED_PORTS:
                continue
            messages.append(
                f"ingress from {cidr} on {protocol} {low}-{high}; only tcp 80 and 443 may be open to the internet"
            )
    return messages


def _nacl_admin_ports(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    if _type == NACL_RULE:
        if is_true(inputs.get("egress")):
            return []
        entries = [({**inputs, "action": inputs.get("ruleAction")}, "rule")]
    else:
        entries = [(entry, "ingress entry") for entry in as_list(inputs.get("ingress"))]
    messages = []
    for entry, what in entries:
        cidrs = strings(entry.get("cidrBlock")) + strings(entry.get("ipv6CidrBlock"))
        if str(entry.get("action", "")).lower() != "allow" or not set(cidrs) & set(WORLD):
            continue
        protocol, low, high = _port_range(entry, "protocol")
        if protocol not in ("tcp", "6", "all"):
            continue
        hit = [p for p in (22, 3389) if low <= p <= high]
        if hit:
            ports = " and ".join(str(p) for p in hit)
            messages.append(f"{what} allows {protocol} {low}-{high} from {show(cidrs)}; port {ports} must not be open")
    return messages


def _nacls_in_use(inventory: Inventory) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for acl in inventory.of_type(NACL):
        if as_list(acl.inputs.get("subnetIds")) or any(attached(inventory, acl, NACL_ASSOCIATION, "networkAclId")):
            continue
        found.append((acl.urn, f"{label(acl)}: subnetIds is empty and no association exists; remove unused ACLs"))
    return found


def _in_vpc(inventory: Inventory, vpc: RecordedResource, type_: str) -> list[RecordedResource]:
    return [r for r in inventory.of_type(type_) if vpc.urn in r.dependencies]


def _default_sg(inventory: Inventory) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for vpc in inventory.of_type(VPC):
        groups = _in_vpc(inventory, vpc, DEFAULT_SG)
        if not groups:
            found.append((vpc.urn, f"{label(vpc)}: no {DEFAULT_SG} adopts its default security group"))
        for group in groups:
            for key in ("ingress", "egress"):
                rules = as_list(group.inputs.get(key))
                if rules:
                    found.append((group.urn, f"{label(group)}: {key} has {len(rules)} rule(s); none allowed"))
    return found


def _flow_logs(inventory: Inventory) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for vpc in inventory.of_type(VPC):
        logs = _in_vpc(inventory, vpc, FLOW_LOG)
        if not logs:
            found.append((vpc.urn, f"{label(vpc)}: no {FLOW_LOG} with trafficType REJECT or ALL"))
        for log in logs:
            traffic = log.inputs.get("trafficType")
            if traffic not in FLOW_LOG_TRAFFIC:
                found.append((log.urn, f"{label(log)}: trafficType is {show(traffic)}; REJECT or ALL required"))
    return found


def _endpoint_services(inventory: Inventory, vpc: RecordedResource) -> dict[str, RecordedResource]:
    services: dict[str, RecordedResource] = {}
    for endpoint in _in_vpc(inventory, vpc, ENDPOINT):
        match = _SERVICE.match(str(endpoint.inputs.get("serviceName", "")))
        if match:
            services[match["service"]] = endpoint
    return services


def _interface_endpoints(inventory: Inventory) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for vpc in inventory.of_type(VPC):
        services = _endpoint_services(inventory, vpc)
        missing = [s for s in INTERFACE_SERVICES if s not in services]
        if missing:
            found.append((vpc.urn, f"{label(vpc)}: no interface endpoint for {', '.join(missing)}"))
        for service in INTERFACE_SERVICES:
            endpoint = services.get(service)
            if endpoint is None:
                continue
            kind = endpoint.inputs.get("vpcEndpointType")
            if kind != "Interface":
                found.append((endpoint.urn, f"{label(endpoint)}: vpcEndpointType is {show(kind)}; Interface required"))
            elif not is_true(endpoint.inputs.get("privateDnsEnabled")):
                dns = show(endpoint.inputs.get("privateDnsEnabled"))
                found.append((endpoint.urn, f"{label(endpoint)}: privateDnsEnabled is {dns}; true required"))
    return found


def _s3_gateway(inventory: Inventory) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for vpc in inventory.of_type(VPC):
        endpoint = _endpoint_services(inventory, vpc).get("s3")
        if endpoint is None:
            found.append((vpc.urn, f"{label(vpc)}: no Gateway endpoint for s3"))
        elif endpoint.inputs.get("vpcEndpointType", "Gateway") != "Gateway":
            kind = show(endpoint.inputs.get("vpcEndpointType"))
            found.append((endpoint.urn, f"{label(endpoint)}: vpcEndpointType is {kind}; Gateway required"))
    return found


def _nat_per_az(inventory: Inventory) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for vpc in inventory.of_type(VPC):
        subnets = _in_vpc(inventory, vpc, SUBNET)
        nats = [n for n in inventory.of_type(NAT) if any(s.urn in n.dependencies for s in subnets)]
        regional = [n for n in inventory.of_type(NAT) if n.inputs.get("availabilityMode") == "regional"]
        if not nats or any(vpc.urn in n.dependencies for n in regional):
            continue
        zones = {str(s.inputs.get("availabilityZone")) for s in subnets if s.inputs.get("availabilityZone")}
        covered = {str(s.inputs.get("availabilityZone")) for s in subnets for n in nats if s.urn in n.dependencies}
        missing = sorted(zones - covered)
        if missing:
            found.append(
                (
                    vpc.urn,
                    f"{label(vpc)}: {len(nats)} NAT gateway(s) leave {', '.join(missing)} without one; "
                    "one per AZ required",
                )
            )
    return found


RULES = (
    Rule(
        "subnet-no-public-ip",
        "Subnets do not assign public IPv4 addresses on launch (public subnets included).",
        "FSBP EC2.15",
        f"{EC2}#ec2-15",
        MANDATORY,
        types=(SUBNET,),
        check=_subnet_public_ip,
    ),
    Rule(
        "sg-no-world-ingress",
        "No security group ingress from 0.0.0.0/0 or ::/0 except tcp 80/443 (so no high-risk port is open).",
        "FSBP EC2.18, EC2.19",
        f"{EC2}#ec2-19",
        MANDATORY,
        types=(SG, SG_INGRESS, SG_RULE),
        check=_open_ingress,
    ),
    Rule(
        "nacl-no-admin-ports",
        "No network ACL allows ingress to port 22 or 3389 from 0.0.0.0/0 or ::/0.",
        "FSBP EC2.21",
        f"{EC2}#ec2-21",
        MANDATORY,
        types=(NACL, DEFAULT_NACL, NACL_RULE),
        check=_nacl_admin_ports,
    ),
    Rule(
        "nacl-in-use",
        "Every network ACL is associated with at least one subnet.",
        "FSBP EC2.16",
        f"{EC2}#ec2-16",
        MANDATORY,
        stack_check=_nacls_in_use,
    ),
    Rule(
        "default-sg-closed",
        "Every VPC adopts its default security group with no ingress and no egress rules.",
        "FSBP EC2.2",
        f"{EC2}#ec2-2",
        MANDATORY,
        stack_check=_default_sg,
    ),
    Rule(
        "vpc-flow-logs",
        "Every VPC has a flow log recording rejected traffic (trafficType REJECT or ALL).",
        "FSBP EC2.6",
        f"{EC2}#ec2-6",
        MANDATORY,
        stack_check=_flow_logs,
    ),
    Rule(
        "vpc-interface-endpoints",
        "Every VPC has private-DNS interface endpoints for " + ", ".join(INTERFACE_SERVICES) + ".",
        "FSBP EC2.55, EC2.56",
        f"{EC2}#ec2-55",
        PRODUCTION_ONLY,
        stack_check=_interface_endpoints,
    ),
    Rule(
        "vpc-s3-gateway-endpoint",
        "Every VPC has an S3 gateway endpoint (free; keeps image layers and backups off the NAT).",
        "stagecraft",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html",
        MANDATORY,
        stack_check=_s3_gateway,
    ),
    Rule(
        "nat-gateway-per-az",
        "A VPC with NAT gateways has one in every AZ it has subnets in (or one regional NAT gateway).",
        "stagecraft",
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html",
        PRODUCTION_ONLY,
        stack_check=_nat_per_az,
    ),
)
