"""Rule (a): the Kubernetes API of a stage's EKS cluster is reachable from the runner of every phase that uses it.

How EKS admits a client (https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html):

- through the public endpoint (``vpcConfig.endpointPublicAccess``, default true), only from the source addresses in
  ``vpcConfig.publicAccessCidrs`` (default ``0.0.0.0/0``). GitHub-hosted runners leave from GitHub's shared,
  changing ranges, and an in-VPC runner from its NAT gateway's address, allocated at deploy time: offline, only
  ``0.0.0.0/0`` provably admits either;
- through the private endpoint (``vpcConfig.endpointPrivateAccess``, default false), from inside the cluster's VPC,
  where the endpoint's name resolves to the cluster's network interfaces; those admit on 443 only what the
  cluster security group's ingress rules admit (https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.plan.mocks import PlanMocks
from stagecraft.preflight.context import Phase
from stagecraft.preflight.resolve import by_id, cluster_security_groups

EKS_CLUSTER = "aws:eks/cluster:Cluster"
CODEBUILD_PROJECT = "aws:codebuild/project:Project"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SUBNET = "aws:ec2/subnet:Subnet"
HTTPS = 443


def kubernetes_findings(
    stage: Inventory, phases: Sequence[Phase], entry: Mapping[str, Any], mocks: PlanMocks
) -> list[tuple[str | None, str]]:
    """One finding per phase and EKS cluster of ``stage`` whose runner cannot reach that cluster's API."""
    findings: list[tuple[str | None, str]] = []
    ids = by_id(stage, mocks)
    for cluster in stage.of_type(EKS_CLUSTER):
        for phase in phases:
            problem = _unreachable(stage, cluster, phase, entry, ids, mocks)
            if problem is not None:
                findings.append((cluster.urn, f"{phase.where} runs the {phase.layer_dir} layer on {problem}"))
    return findings


def _endpoint(cluster: RecordedResource) -> tuple[bool, bool, list[str]]:
    vpc: Mapping[str, Any] = cluster.inputs.get("vpcConfig") or {}
    public = vpc.get("endpointPublicAccess", True) is not False
    private = vpc.get("endpointPrivateAccess") is True
    cidrs = [str(c) for c in vpc.get("publicAccessCidrs") or ["0.0.0.0/0"]]
    return public, private, cidrs


def _public_closed(cluster: RecordedResource) -> str | None:
    """Why the public endpoint does not provably admit an unknown address (``None``: it admits any)."""
    public, _private, cidrs = _endpoint(cluster)
    if not public:
        return "its public endpoint is off (vpcConfig.endpointPublicAccess false)"
    if any(ipaddress.ip_network(c, strict=False).prefixlen == 0 for c in cidrs):
        return None
    return f"its public endpoint admits only {', '.join(cidrs)} (vpcConfig.publicAccessCidrs)"


def _unreachable(
    stage: Inventory,
    cluster: RecordedResource,
    phase: Phase,
    entry: Mapping[str, Any],
    ids: Mapping[str, RecordedResource],
    mocks: PlanMocks,
) -> str | None:
    runner = phase.runner
    target = f"EKS cluster {cluster.inputs.get('name', cluster.name)!r}"
    public_closed = _public_closed(cluster)
    if runner.kind == "self-hosted":
        return None  # nothing offline says where a self-hosted runner is
    if runner.kind == "github-hosted":
        if public_closed is None:
            return None
        return f"{runner.describe(entry)}, which cannot reach the API of {target}: {public_closed}"
    project_name = runner.project_for(entry)
    projects = [p for p in stage.of_type(CODEBUILD_PROJECT) if p.inputs.get("name") == project_name]
    if not projects:
        closed = f"; no other runner may reach the API of {target}: {public_closed}" if public_closed else ""
        return (
            f"CodeBuild project {project_name!r}, which the stage does not create (stagecraft:stage.runner.enabled "
            f"is false, or the stage has no runner): the job waits for a runner that never registers{closed}"
        )
    vpc_config: Mapping[str, Any] = projects[0].inputs.get("vpcConfig") or {}
    if not vpc_config:
        if public_closed is None:
            return None
        return (
            f"CodeBuild project {project_name!r} outside any VPC, which cannot reach the API of {target}: "
            + public_closed
        )
    private_problem = _private_path(cluster, vpc_config, ids, stage, mocks)
    if private_problem is None or public_closed is None:
        return None
    return f"{runner.describe(entry)}, which cannot reach the API of {target}: {private_problem}, and {public_closed}"


def _private_path(
    cluster: RecordedResource,
    runner_vpc: Mapping[str, Any],
    ids: Mapping[str, RecordedResource],
    stage: Inventory,
    mocks: PlanMocks,
) -> str | None:
    """Why the runner's VPC path to the private endpoint fails (``None``: it works)."""
    _public, private, _cidrs = _endpoint(cluster)
    if not private:
        return "its private endpoint is off (vpcConfig.endpointPrivateAccess false)"
    subnets = [ids.get(str(s)) for s in (cluster.inputs.get("vpcConfig") or {}).get("subnetIds") or []]
    cluster_vpcs = {str(s.inputs.get("vpcId")) for s in subnets if s is not None}
    runner_vpc_id = str(runner_vpc.get("vpcId"))
    if cluster_vpcs and runner_vpc_id not in cluster_vpcs:
        return f"the runner is in {runner_vpc_id}, the cluster in {', '.join(sorted(cluster_vpcs))}"
    runner_groups = {str(g) for g in runner_vpc.get("securityGroupIds") or []}
    runner_cidrs = [
        ipaddress.ip_network(str(ids[s].inputs["cidrBlock"]))
        for s in map(str, runner_vpc.get("subnets") or [])
        if s in ids and ids[s].inputs.get("cidrBlock")
    ]
    cluster_groups = cluster_security_groups(cluster, mocks)
    if any(_admits(rule, cluster_groups, runner_groups, runner_cidrs) for rule in _ingress_rules(stage)):
        return None
    return (
        f"no ingress rule admits TCP {HTTPS} from the runner's security groups "
        f"({', '.join(sorted(runner_groups)) or 'none'}) to the cluster security group "
        f"({', '.join(sorted(cluster_groups))})"
    )


def _ingress_rules(stage: Inventory) -> list[dict[str, Any]]:
    """Every ingress rule, as ``{group, protocol, from, to, source_group, cidrs}``."""
    rules: list[dict[str, Any]] = []
    for r in stage.of_type(INGRESS_RULE):
        i = r.inputs
        cidrs = [i["cidrIpv4"]] if i.get("cidrIpv4") else []
        rules.append(_rule(i.get("securityGroupId"), i, i.get("referencedSecurityGroupId"), cidrs))
    for r in stage.of_type(LEGACY_RULE):
        i = r.inputs
        if i.get("type") == "ingress":
            rules.append(_rule(i.get("securityGroupId"), i, i.get("sourceSecurityGroupId"), i.get("cidrBlocks")))
    return rules


def _rule(group: Any, inputs: Mapping[str, Any], source: Any, cidrs: Any) -> dict[str, Any]:
    protocol = str(inputs.get("ipProtocol", inputs.get("protocol", "")))
    return {
        "group": str(group),
        "protocol": protocol,
        "from": inputs.get("fromPort", 0),
        "to": inputs.get("toPort", 65535),
        "source_group": str(source) if source else None,
        "cidrs": [ipaddress.ip_network(str(c), strict=False) for c in cidrs or []],
    }


def _admits(
    rule: Mapping[str, Any],
    cluster_groups: set[str],
    runner_groups: set[str],
    runner_cidrs: list[ipaddress.IPv4Network | ipaddress.IPv6Network],
) -> bool:
    if rule["group"] not in cluster_groups:
        return False
    all_traffic = rule["protocol"] in ("-1", "all")
    if not all_traffic and (rule["protocol"] not in ("tcp", "6") or not rule["from"] <= HTTPS <= rule["to"]):
        return False
    if rule["source_group"] is not None:
        return rule["source_group"] in runner_groups
    return bool(runner_cidrs) and all(any(net.subnet_of(c) for c in rule["cidrs"]) for net in runner_cidrs)
