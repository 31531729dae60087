"""Launch template, EKS and ECS rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stagecraft.rules._util import as_list, as_map, is_true, number, show, strings
from stagecraft.rules.model import MANDATORY, PRODUCTION_ONLY, RELAXED, Options, Rule

EC2_DOC = "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html"
EKS_DOC = "https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html"
ASG_DOC = "https://docs.aws.amazon.com/securityhub/latest/userguide/autoscaling-controls.html"
ECS_DOC = "https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html"

LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ECS_CLUSTER = "aws:ecs/cluster:Cluster"

CONTROL_PLANE_LOGS = ("api", "audit", "authenticator")
"""The control-plane logs every stage keeps: API calls, the audit trail and authentication decisions.
controllerManager and scheduler logs are left out: high volume, little security value."""


def _imdsv2(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    messages = []
    tokens = as_map(inputs.get("metadataOptions")).get("httpTokens")
    if tokens != "required":
        messages.append(f'metadataOptions.httpTokens is {show(tokens)}; "required" (IMDSv2) required')
    if not is_true(inputs.get("updateDefaultVersion")):
        shown = show(inputs.get("updateDefaultVersion"))
        messages.append(f"updateDefaultVersion is {shown}; true required (the control reads the default version)")
    return messages


def _hop_limit(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    limit = as_map(inputs.get("metadataOptions")).get("httpPutResponseHopLimit")
    if number(limit) != 1:
        return [
            f"metadataOptions.httpPutResponseHopLimit is {show(limit)}; 1 required (pods use IRSA, not the node role)"
        ]
    return []


def _lt_public_ip(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    for interface in as_list(inputs.get("networkInterfaces")):
        if is_true(as_map(interface).get("associatePublicIpAddress")):
            return ["networkInterfaces.associatePublicIpAddress is true; false or unset required"]
    return []


def _lt_ebs(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    mappings = [as_map(m) for m in as_list(inputs.get("blockDeviceMappings"))]
    volumes = [m for m in mappings if as_map(m.get("ebs"))]
    if not volumes:
        return ["blockDeviceMappings is empty; an encrypted root volume mapping required"]
    return [
        f"blockDeviceMappings {m.get('deviceName')} ebs.encrypted is "
        f"{show(as_map(m.get('ebs')).get('encrypted'))}; true required"
        for m in volumes
        if not is_true(as_map(m.get("ebs")).get("encrypted"))
    ]


def _eks_private(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    value = as_map(inputs.get("vpcConfig")).get("endpointPublicAccess")
    if value is None:
        return ["vpcConfig.endpointPublicAccess is unset (defaults to true); false required"]
    return [] if value is False else [f"vpcConfig.endpointPublicAccess is {show(value)}; false required"]


def _eks_public_cidrs(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    config = as_map(inputs.get("vpcConfig"))
    if config.get("endpointPublicAccess") is False:
        return []
    cidrs = strings(config.get("publicAccessCidrs"))
    if not cidrs or "0.0.0.0/0" in cidrs:
        return [f"vpcConfig.publicAccessCidrs is {show(cidrs or None)} on a public endpoint; a narrower list required"]
    return []


def _eks_secrets(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    config = as_map(inputs.get("encryptionConfig"))
    resources = strings(config.get("resources"))
    if "secrets" not in resources or not as_map(config.get("provider")).get("keyArn"):
        return [f"encryptionConfig.resources is {show(resources or None)}; secrets with a provider.keyArn required"]
    return []


def _eks_logs(required: tuple[str, ...]) -> Any:
    def check(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
        enabled = strings(inputs.get("enabledClusterLogTypes"))
        if all(t in enabled for t in required):
            return []
        return [f"enabledClusterLogTypes is {show(enabled)}; {', '.join(required)} required"]

    return check


def _no_remote_access(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    return ["remoteAccess is set; unset required (use SSM, not SSH)"] if as_map(inputs.get("remoteAccess")) else []


def _node_subnets(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    subnets = as_list(inputs.get("subnetIds"))
    return [] if len(subnets) >= 2 else [f"subnetIds has {len(subnets)} subnet(s); at least 2 (in 2 AZs) required"]


def _node_types(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    types = strings(inputs.get("instanceTypes"))
    return [] if len(types) >= 2 else [f"instanceTypes is {show(types or None)}; at least 2 types required"]


def _insights(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    values = {as_map(s).get("name"): as_map(s).get("value") for s in as_list(inputs.get("settings"))}
    value = values.get("containerInsights")
    if value in ("enabled", "enhanced"):
        return []
    return [f"settings containerInsights is {show(value)}; enabled or enhanced required"]


RULES = (
    Rule(
        "launch-template-imdsv2",
        "Launch templates require IMDSv2 tokens and make that the default version.",
        "FSBP EC2.170",
        f"{EC2_DOC}#ec2-170",
        MANDATORY,
        types=(LAUNCH_TEMPLATE,),
        check=_imdsv2,
    ),
    Rule(
        "launch-template-hop-limit",
        "Launch templates set the IMDS response hop limit to 1.",
        "stagecraft (CKV_AWS_341)",
        "https://docs.aws.amazon.com/eks/latest/best-practices/identity-and-access-management.html",
        MANDATORY,
        types=(LAUNCH_TEMPLATE,),
        check=_hop_limit,
    ),
    Rule(
        "launch-template-no-public-ip",
        "Launch templates assign no public IP to network interfaces.",
        "FSBP EC2.25",
        f"{EC2_DOC}#ec2-25",
        MANDATORY,
        types=(LAUNCH_TEMPLATE,),
        check=_lt_public_ip,
    ),
    Rule(
        "launch-template-ebs-encrypted",
        "Launch templates map only encrypted EBS volumes (root volume declared).",
        "FSBP EC2.181",
        f"{EC2_DOC}#ec2-181",
        MANDATORY,
        types=(LAUNCH_TEMPLATE,),
        check=_lt_ebs,
    ),
    Rule(
        "eks-endpoint-private",
        "EKS API endpoints are private only.",
        "FSBP EKS.1",
        f"{EKS_DOC}#eks-1",
        PRODUCTION_ONLY,
        types=(EKS_CLUSTER,),
        check=_eks_private,
    ),
    Rule(
        "eks-public-cidrs",
        "A public EKS endpoint (non-production) is limited to listed CIDRs, not 0.0.0.0/0.",
        "stagecraft (CKV_AWS_38)",
        f"{EKS_DOC}#eks-1",
        PRODUCTION_ONLY,
        types=(EKS_CLUSTER,),
        check=_eks_public_cidrs,
    ),
    Rule(
        "eks-secrets-encrypted",
        "EKS encrypts Kubernetes secrets with a KMS key.",
        "FSBP EKS.3",
        f"{EKS_DOC}#eks-3",
        MANDATORY,
        types=(EKS_CLUSTER,),
        check=_eks_secrets,
    ),
    Rule(
        "eks-audit-logging",
        "EKS control-plane audit logs are enabled.",
        "FSBP EKS.8",
        f"{EKS_DOC}#eks-8",
        MANDATORY,
        types=(EKS_CLUSTER,),
        check=_eks_logs(("audit",)),
    ),
    Rule(
        "eks-control-plane-logs",
        "EKS sends the api, audit and authenticator control-plane logs.",
        "stagecraft (CKV_AWS_37)",
        "https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html",
        RELAXED,
        types=(EKS_CLUSTER,),
        check=_eks_logs(CONTROL_PLANE_LOGS),
    ),
    Rule(
        "eks-nodegroup-no-ssh",
        "Node groups have no remoteAccess (SSH).",
        "stagecraft (CKV_AWS_100)",
        "https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html",
        MANDATORY,
        types=(NODE_GROUP,),
        check=_no_remote_access,
    ),
    Rule(
        "eks-nodegroup-multi-az",
        "Node groups span at least two subnets (AZs).",
        "FSBP AutoScaling.2",
        f"{ASG_DOC}#autoscaling-2",
        RELAXED,
        types=(NODE_GROUP,),
        check=_node_subnets,
    ),
    Rule(
        "eks-nodegroup-instance-types",
        "Node groups allow at least two instance types.",
        "FSBP AutoScaling.6",
        f"{ASG_DOC}#autoscaling-6",
        PRODUCTION_ONLY,
        types=(NODE_GROUP,),
        check=_node_types,
    ),
    Rule(
        "ecs-container-insights",
        "ECS clusters enable Container Insights.",
        "FSBP ECS.12",
        f"{ECS_DOC}#ecs-12",
        RELAXED,
        types=(ECS_CLUSTER,),
        check=_insights,
    ),
)
