"""Compliant and non-compliant inventories for the launch template, EKS and ECS rules."""

from __future__ import annotations

from typing import Any

from stagecraft.rules.compute import ECS_CLUSTER, EKS_CLUSTER, LAUNCH_TEMPLATE, NODE_GROUP
from tests.stagecraft.rules.builders import Case, one, res

GOOD_LT: dict[str, Any] = {
    "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1, "httpEndpoint": "enabled"},
    "updateDefaultVersion": True,
    "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": "k"}}],
    "networkInterfaces": [{"associatePublicIpAddress": "false"}],
}
GOOD_EKS: dict[str, Any] = {
    "vpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": True, "subnetIds": ["a", "b"]},
    "encryptionConfig": {"provider": {"keyArn": "k"}, "resources": ["secrets"]},
    "enabledClusterLogTypes": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
}
GOOD_NG: dict[str, Any] = {"subnetIds": ["a", "b"], "instanceTypes": ["m6i.large", "m7i.large"]}


def lt(rule: str, name: str, changes: dict[str, Any], *messages: str) -> Case:
    return one(rule, name, res(LAUNCH_TEMPLATE, "stg-nodes", {**GOOD_LT, **changes}), *messages)


def eks(rule: str, name: str, changes: dict[str, Any], *messages: str) -> Case:
    return one(rule, name, res(EKS_CLUSTER, "stg-eks", {**GOOD_EKS, **changes}), *messages)


def ng(rule: str, name: str, changes: dict[str, Any], *messages: str) -> Case:
    return one(rule, name, res(NODE_GROUP, "stg-general", {**GOOD_NG, **changes}), *messages)


PUBLIC_VPC = {"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}

CASES = [
    lt("launch-template-imdsv2", "required", {}),
    lt(
        "launch-template-imdsv2",
        "optional",
        {"metadataOptions": {"httpTokens": "optional"}, "updateDefaultVersion": None},
        'metadataOptions.httpTokens is optional; "required" (IMDSv2) required',
        "updateDefaultVersion is unset; true required (the control reads the default version)",
    ),
    lt("launch-template-hop-limit", "1", {}),
    lt(
        "launch-template-hop-limit",
        "2",
        {"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 2.0}},
        "metadataOptions.httpPutResponseHopLimit is 2; 1 required (pods use IRSA, not the node role)",
    ),
    lt("launch-template-no-public-ip", "false", {}),
    lt(
        "launch-template-no-public-ip",
        "true",
        {"networkInterfaces": [{"associatePublicIpAddress": "true"}]},
        "networkInterfaces.associatePublicIpAddress is true; false or unset required",
    ),
    lt("launch-template-ebs-encrypted", "encrypted", {}),
    lt(
        "launch-template-ebs-encrypted",
        "none",
        {"blockDeviceMappings": []},
        "blockDeviceMappings is empty; an encrypted root volume mapping required",
    ),
    lt(
        "launch-template-ebs-encrypted",
        "plain",
        {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 50}}]},
        "blockDeviceMappings /dev/xvda ebs.encrypted is unset; true required",
    ),
    eks("eks-endpoint-private", "private", {}),
    eks(
        "eks-endpoint-private",
        "unset",
        {"vpcConfig": {"subnetIds": ["a", "b"]}},
        "vpcConfig.endpointPublicAccess is unset (defaults to true); false required",
    ),
    eks(
        "eks-endpoint-private",
        "public",
        {"vpcConfig": PUBLIC_VPC},
        "vpcConfig.endpointPublicAccess is true; false required",
    ),
    eks("eks-public-cidrs", "private", {}),
    eks("eks-public-cidrs", "listed", {"vpcConfig": PUBLIC_VPC}),
    eks(
        "eks-public-cidrs",
        "open",
        {"vpcConfig": {"endpointPublicAccess": True}},
        "vpcConfig.publicAccessCidrs is unset on a public endpoint; a narrower list required",
    ),
    eks("eks-secrets-encrypted", "secrets", {}),
    eks(
        "eks-secrets-encrypted",
        "none",
        {"encryptionConfig": None},
        "encryptionConfig.resources is unset; secrets with a provider.keyArn required",
    ),
    eks("eks-audit-logging", "all", {}),
    eks("eks-audit-logging", "audit-only", {"enabledClusterLogTypes": ["audit"]}),
    eks(
        "eks-audit-logging",
        "api-only",
        {"enabledClusterLogTypes": ["api"]},
        "enabledClusterLogTypes is [api]; audit required",
    ),
    eks("eks-control-plane-logs", "all", {}),
    eks(
        "eks-control-plane-logs",
        "audit-only",
        {"enabledClusterLogTypes": ["audit"]},
        "enabledClusterLogTypes is [audit]; api, audit, authenticator required",
    ),
    ng("eks-nodegroup-no-ssh", "none", {}),
    ng(
        "eks-nodegroup-no-ssh",
        "ssh",
        {"remoteAccess": {"ec2SshKey": "ops"}},
        "remoteAccess is set; unset required (use SSM, not SSH)",
    ),
    ng("eks-nodegroup-multi-az", "two", {}),
    ng(
        "eks-nodegroup-multi-az",
        "one",
        {"subnetIds": ["a"]},
        "subnetIds has 1 subnet(s); at least 2 (in 2 AZs) required",
    ),
    ng("eks-nodegroup-instance-types", "two", {}),
    ng(
        "eks-nodegroup-instance-types",
        "one",
        {"instanceTypes": ["m6i.large"]},
        "instanceTypes is [m6i.large]; at least 2 types required",
    ),
    one(
        "ecs-container-insights",
        "enhanced",
        res(ECS_CLUSTER, "c", {"settings": [{"name": "containerInsights", "value": "enhanced"}]}),
    ),
    one(
        "ecs-container-insights",
        "unset",
        res(ECS_CLUSTER, "c", {}),
        "settings containerInsights is unset; enabled or enhanced required",
    ),
]
