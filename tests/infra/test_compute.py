from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components.database import Database, DatabaseArgs
from infra.compute import EksStage, build_ecs, build_eks
from infra.context import StageContext
from infra.network import build_network
from stagecraft.plan.inventory import Inventory, RecordedResource
from tests.conftest import RunProgram
from tests.infra.config.conftest import load, values

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/stage"
DEPLOY = f"arn:aws:iam::{ACCOUNT}:role/amani-backend-staging-deploy"
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/platform-admin"
OFFICE = "203.0.113.0/24"
CIDRS = {"development": "10.10.0.0/16", "staging": "10.20.0.0/16", "production": "10.30.0.0/16"}
STACKS = {"development": "dev", "staging": "staging", "production": "production"}
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]


class _Key:
    """The stage key as ``build_key`` returns it (only ``key_arn`` is used)."""

    def __init__(self) -> None:
        self.key_arn = pulumi.Output.from_input(KEY)


def _ctx(profile: str, **compute: Any) -> StageContext:
    if "eks" not in compute:
        eks: dict[str, Any] = {"enabled": True, "admin_principal_arns": [ADMIN]}
        if profile != "production":
            eks["public_access_cidrs"] = [OFFICE]
        compute["eks"] = eks
    config = load(values(profile=profile, network={"cidr": CIDRS[profile]}, compute=compute), stack=STACKS[profile])
    return StageContext(config=config, account_id=ACCOUNT, zones=config.settings.network.zone_names(ZONES))


def _stage(
    run: RunProgram, ctx: StageContext, with_database: bool = False
) -> tuple[Inventory, dict[str, EksStage | None]]:
    built: dict[str, EksStage | None] = {}

    def program() -> None:
        network = build_network(ctx)
        key = _Key()
        ecs = build_ecs(ctx, network, key, repositories=["api", "worker"])
        eks = build_eks(ctx, network, key, DEPLOY)
        built["eks"] = eks
        if with_database:
            clients: dict[str, pulumi.Input[str]] = {}
            if ecs is not None:
                clients["ecs"] = ecs.service_security_group_id
            if eks is not None:
                clients["eks"] = eks.cluster.cluster_security_group_id
            Database(
                ctx.names.database,
                DatabaseArgs(
                    identifier=ctx.names.database,
                    vpc_id=network.vpc_id,
                    subnet_ids=[network.isolated_subnet_ids[0], network.isolated_subnet_ids[1]],
                    client_security_group_ids=clients,
                    kms_key_arn=key.key_arn,
                ),
            )

    return run(program), built


_profiles = pytest.mark.parametrize("profile", ["development", "staging", "production"])


def _k8s(inv: Inventory) -> list[RecordedResource]:
    return [r for r in inv.resources if r.type.startswith(("kubernetes:", "pulumi:providers:kubernetes"))]


# -- ECS ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "insights", "strategy", "retention", "exec_policy"),
    [
        ("development", "enabled", [("FARGATE", 0, 1), ("FARGATE_SPOT", None, 3)], 30, True),
        ("staging", "enabled", [("FARGATE", 1, 1), ("FARGATE_SPOT", None, 1)], 90, True),
        ("production", "enhanced", [("FARGATE", 2, 1)], 365, False),
    ],
)
def test_ecs_per_profile(
    run: RunProgram,
    profile: str,
    insights: str,
    strategy: list[tuple[str, int | None, int]],
    retention: int,
    exec_policy: bool,
) -> None:
    ctx = _ctx(profile)
    inv, _ = _stage(run, ctx)
    cluster = inv.one("aws:ecs/cluster:Cluster").inputs
    assert cluster["name"] == ctx.names.ecs_cluster == f"amani-backend-{STACKS[profile]}"
    assert cluster["settings"] == [{"name": "containerInsights", "value": insights}]
    providers = inv.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
    assert [
        (s["capacityProvider"], s.get("base"), s["weight"]) for s in providers["defaultCapacityProviderStrategies"]
    ] == strategy
    log_group = inv.one("aws:cloudwatch/logGroup:LogGroup", f"{ctx.name}-exec-logs").inputs
    assert log_group["retentionInDays"] == retention and log_group["kmsKeyId"] == KEY
    assert any(r.name == f"{ctx.name}-task-exec" for r in inv.of_type("aws:iam/rolePolicy:RolePolicy")) is exec_policy
    assert cluster["tags"]["profile"] == profile


def test_ecs_execution_role_reads_only_the_stage_registries_and_app_secrets(run: RunProgram) -> None:
    ctx = _ctx("staging")
    inv, _ = _stage(run, ctx)
    policy = json.loads(inv.one("aws:iam/rolePolicy:RolePolicy", f"{ctx.name}-execution-access").inputs["policy"])
    resources = {s["Sid"]: s["Resource"] for s in policy["Statement"]}
    prefix = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/amani-backend-staging"
    assert resources["PullStageImages"] == [f"{prefix}/api", f"{prefix}/worker"]
    # App secrets only; the RDS-managed master secret is named rds!db-... and is not matched.
    assert resources["ReadStageSecrets"] == [
        f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:amani-backend-staging/*"
    ]
    assert resources["ReadStageParameters"] == [f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/amani-backend-staging/*"]
    assert resources["DecryptWithStageKey"] == KEY


def test_disabled_ecs_and_eks_build_nothing(run: RunProgram) -> None:
    inv, built = _stage(run, _ctx("staging", eks={"enabled": False}))
    assert built["eks"] is None
    assert not inv.of_type("aws:eks/cluster:Cluster") and not _k8s(inv)
    inv, built = _stage(run, _ctx("staging", ecs={"enabled": False}))
    assert not inv.of_type("aws:ecs/cluster:Cluster") and inv.of_type("aws:eks/cluster:Cluster")


@pytest.mark.parametrize("profile", ["development", "staging", "production"])
def test_the_stage_creates_no_kubernetes_object_or_provider(run: RunProgram, profile: str) -> None:
    """The stage runs on a GitHub-hosted runner, which cannot reach the cluster's API: every Kubernetes
    object is the cluster layer's (tests/infra/test_cluster.py), so the stage must not even configure a provider."""
    ctx = _ctx(profile)
    inv, built = _stage(run, ctx)
    assert inv.of_type("aws:eks/cluster:Cluster") and not _k8s(inv)
    eks = built["eks"]
    assert eks is not None and eks.namespace_names == [ctx.names.namespace]


# -- EKS ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "public", "protection", "retention"),
    [("development", True, False, 30), ("staging", True, True, 90), ("production", False, True, 365)],
)
def test_eks_cluster_per_profile(run: RunProgram, profile: str, public: bool, protection: bool, retention: int) -> None:
    ctx = _ctx(profile)
    inv, _ = _stage(run, ctx)
    cluster = inv.one("aws:eks/cluster:Cluster").inputs
    assert cluster["name"] == ctx.names.eks_cluster and cluster["version"] == "1.35"
    vpc = cluster["vpcConfig"]
    assert vpc["endpointPrivateAccess"] is True and vpc["endpointPublicAccess"] is public
    assert vpc.get("publicAccessCidrs") == ([OFFICE] if public else None)
    assert len(vpc["subnetIds"]) == (3 if profile == "production" else 2)
    assert cluster["encryptionConfig"] == {"provider": {"keyArn": KEY}, "resources": ["secrets"]}
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}
    assert cluster["enabledClusterLogTypes"] == ["api", "audit", "authenticator"]
    assert cluster["accessConfig"] == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False}
    assert cluster["deletionProtection"] is protection
    log_group = inv.one("aws:cloudwatch/logGroup:LogGroup", f"{ctx.name}-control-plane-logs").inputs
    assert log_group["name"] == f"/aws/eks/{ctx.names.eks_cluster}/cluster"
    assert log_group["retentionInDays"] == retention


@pytest.mark.parametrize(
    ("profile", "instance_types", "sizes"),
    [
        ("development", ["t4g.medium"], (1, 1, 2)),
        ("staging", ["t4g.medium"], (1, 1, 3)),
        ("production", ["m7g.large", "m6g.large"], (2, 3, 6)),
    ],
)
def test_node_groups_and_launch_templates_per_profile(
    run: RunProgram, profile: str, instance_types: list[str], sizes: tuple[int, int, int]
) -> None:
    inv, _ = _stage(run, _ctx(profile))
    group = inv.one("aws:eks/nodeGroup:NodeGroup")
    assert group.inputs["instanceTypes"] == instance_types
    assert group.inputs["capacityType"] == "ON_DEMAND"
    assert group.inputs["amiType"] == "AL2023_ARM_64_STANDARD"
    scaling = group.inputs["scalingConfig"]
    assert (scaling["minSize"], scaling["desiredSize"], scaling["maxSize"]) == sizes
    assert group.ignore_changes == ("scalingConfig.desiredSize",)
    template = inv.one("aws:ec2/launchTemplate:LaunchTemplate").inputs
    assert template["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    [device] = template["blockDeviceMappings"]
    assert device["ebs"]["encrypted"] == "true" and device["ebs"]["volumeType"] == "gp3"
    assert device["ebs"]["kmsKeyId"] == KEY


def test_hop_limit_and_extra_node_groups_come_from_config(run: RunProgram) -> None:
    eks = {
        "enabled": True,
        "admin_principal_arns": [ADMIN],
        "public_access_cidrs": [OFFICE],
        "metadata_hop_limit": 2,
        "node_groups": [
            {"name": "general", "instance_types": ["t4g.medium"]},
            {"name": "batch", "instance_types": ["c6i.large"], "capacity": "spot", "min_size": 0, "desired_size": 0},
        ],
    }
    inv, _ = _stage(run, _ctx("staging", eks=eks))
    groups = {g.name.rsplit("-", 2)[-2]: g.inputs for g in inv.of_type("aws:eks/nodeGroup:NodeGroup")}
    assert groups["batch"]["capacityType"] == "SPOT" and groups["batch"]["amiType"] == "AL2023_x86_64_STANDARD"
    for template in inv.of_type("aws:ec2/launchTemplate:LaunchTemplate"):
        assert template.inputs["metadataOptions"]["httpPutResponseHopLimit"] == 2


def test_a_configured_addon_version_is_pinned_and_the_others_looked_up(run: RunProgram) -> None:
    eks = {
        "enabled": True,
        "admin_principal_arns": [ADMIN],
        "public_access_cidrs": [OFFICE],
        "addon_versions": {"vpc-cni": "v1.19.0-eksbuild.1"},
    }
    inv, _ = _stage(run, _ctx("staging", eks=eks))
    versions = {a.inputs["addonName"]: a.inputs["addonVersion"] for a in inv.of_type("aws:eks/addon:Addon")}
    assert versions["vpc-cni"] == "v1.19.0-eksbuild.1"
    assert versions["coredns"] != "v1.19.0-eksbuild.1"  # the mock's lookup answers per add-on


@_profiles
def test_access_entries_admins_and_deploy_role(run: RunProgram, profile: str) -> None:
    ctx = _ctx(profile)
    inv, _ = _stage(run, ctx)
    entries = {e.inputs["principalArn"]: e.inputs for e in inv.of_type("aws:eks/accessEntry:AccessEntry")}
    # The role `pulumi up` runs as in CI manages the Kubernetes objects: EKS grants a creator nothing in API mode.
    pulumi_role = ctx.names.pulumi_deploy_role_arn
    assert set(entries) == {pulumi_role, ADMIN, DEPLOY}
    assert entries[DEPLOY]["kubernetesGroups"] == ["stagecraft:deployers"]
    associations = inv.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert {a.inputs["principalArn"] for a in associations} == {pulumi_role, ADMIN}
    for association in associations:
        assert association.inputs["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
        assert association.inputs["accessScope"] == {"type": "cluster"}


def test_coredns_waits_for_the_node_groups(run: RunProgram) -> None:
    inv, _ = _stage(run, _ctx("production"))
    addons = {a.inputs["addonName"]: a for a in inv.of_type("aws:eks/addon:Addon")}
    assert set(addons) == {"vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns"}
    group = inv.one("aws:eks/nodeGroup:NodeGroup")
    assert inv.depends_on(addons["coredns"].urn, group.urn)
    assert not inv.depends_on(addons["vpc-cni"].urn, group.urn)


def test_the_eks_cluster_does_not_wait_for_the_database(run: RunProgram) -> None:
    inv, _ = _stage(run, _ctx("production"), with_database=True)
    cluster = inv.one("aws:eks/cluster:Cluster")
    database = [r for r in inv.resources if r.type.startswith(("aws:rds/", "aws:secretsmanager/"))]
    assert database, "the database must be in the program for this test to mean anything"
    for resource in database:
        assert not inv.depends_on(cluster.urn, resource.urn), resource.name
    # Only the database's ingress rule references the cluster security group.
    rules = inv.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert any(inv.depends_on(r.urn, cluster.urn) for r in rules)
    db = next(r for r in inv.resources if r.type == "aws:rds/instance:Instance")
    assert not inv.depends_on(db.urn, cluster.urn)
