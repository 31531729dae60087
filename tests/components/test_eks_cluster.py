from __future__ import annotations

import dataclasses
import json
import re
from types import SimpleNamespace
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.eks_cluster import (
    DISTINCT_ADMINS,
    EksCluster,
    EksClusterArgs,
    colliding_admins,
    kubeconfig_json,
    validate_eks_cluster_args,
)
from components.eks_node_group import (
    NAME_PREFIX_SUFFIX,
    NodeGroupSpec,
    NodeTaint,
    ami_type_for,
    is_arm_instance_type,
    node_group_name_prefix,
)
from components.errors import ComponentInputError
from components.naming import name_problems
from stagecraft.plan.inventory import SECRET, Inventory
from tests.conftest import RunProgram

KEY = "arn:aws:kms:us-east-1:123456789012:key/stage"
ADMIN = "arn:aws:iam::123456789012:role/PlatformAdmin"
SSO_ADMIN = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123abcd"
DEPLOY = "arn:aws:iam::123456789012:role/shop-staging-deploy"
GENERAL = NodeGroupSpec(
    name="general", instance_types=("m7g.large", "m6g.large"), min_size=1, desired_size=2, max_size=4
)
SPOT = NodeGroupSpec(
    name="batch",
    instance_types=("c7i.xlarge", "c6a.xlarge"),
    capacity_type="SPOT",
    min_size=0,
    desired_size=0,
    max_size=5,
    disk_size_gib=50,
    labels={"workload": "batch"},
    taints=(NodeTaint(key="spot", value="true", effect="NO_SCHEDULE"),),
)


def _args(**overrides: Any) -> EksClusterArgs:
    base = EksClusterArgs(
        cluster_name="shop-staging",
        kubernetes_version="1.35",
        private_subnet_ids=["subnet-a", "subnet-b"],
        kms_key_arn=KEY,
        deploy_role_arn=DEPLOY,
        admin_principal_arns=[ADMIN, SSO_ADMIN],
        node_groups=[GENERAL, SPOT],
        tags={"stage": "staging"},
    )
    return dataclasses.replace(base, **overrides)


def _build(run: RunProgram, args: EksClusterArgs) -> Inventory:
    def program() -> None:
        eks = EksCluster("eks", args)
        pulumi.export("kubeconfig", eks.kubeconfig)
        pulumi.export("issuer", eks.oidc_issuer)
        pulumi.export("oidc", eks.oidc_provider_arn)
        pulumi.export("sg", eks.cluster_security_group_id)

    return run(program)


def test_cluster_receives_private_endpoint_encryption_logs_and_standard_support(run: RunProgram) -> None:
    inv = _build(run, _args())
    cluster = inv.one("aws:eks/cluster:Cluster").inputs
    assert cluster["name"] == "shop-staging" and cluster["version"] == "1.35"
    assert cluster["vpcConfig"] == {
        "subnetIds": ["subnet-a", "subnet-b"],
        "endpointPrivateAccess": True,
        "endpointPublicAccess": False,
    }
    assert cluster["accessConfig"] == {
        "authenticationMode": "API",
        "bootstrapClusterCreatorAdminPermissions": False,
    }
    assert cluster["encryptionConfig"] == {"provider": {"keyArn": KEY}, "resources": ["secrets"]}
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}
    assert cluster["enabledClusterLogTypes"] == ["api", "audit", "authenticator"]
    assert cluster["deletionProtection"] is True
    assert cluster["tags"] == {"stage": "staging"}


def test_public_endpoint_only_with_the_given_cidrs(run: RunProgram) -> None:
    inv = _build(run, _args(endpoint_public_access=True, public_access_cidrs=["203.0.113.0/24"]))
    vpc = inv.one("aws:eks/cluster:Cluster").inputs["vpcConfig"]
    assert vpc["endpointPublicAccess"] is True and vpc["endpointPrivateAccess"] is True
    assert vpc["publicAccessCidrs"] == ["203.0.113.0/24"]


def test_log_group_and_grants_come_before_the_cluster(run: RunProgram) -> None:
    inv = _build(run, _args())
    cluster = inv.one("aws:eks/cluster:Cluster")
    log_group = inv.one("aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["name"] == "/aws/eks/shop-staging/cluster"
    assert log_group.inputs["kmsKeyId"] == KEY and log_group.inputs["retentionInDays"] == 90
    assert inv.depends_on(cluster.urn, log_group.urn)
    assert inv.depends_on(
        cluster.urn, inv.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "eks-cluster-cluster").urn
    )
    key_policy = json.loads(inv.one("aws:iam/rolePolicy:RolePolicy", "eks-cluster-secrets-key").inputs["policy"])
    assert key_policy["Statement"][0]["Resource"] == KEY
    assert inv.depends_on(cluster.urn, inv.one("aws:iam/rolePolicy:RolePolicy", "eks-cluster-secrets-key").urn)


def test_node_role_policies_are_attached_before_node_groups(run: RunProgram) -> None:
    inv = _build(run, _args())
    node_attachments = [
        a for a in inv.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment") if a.name.startswith("eks-node-")
    ]
    assert sorted(a.inputs["policyArn"].rsplit("/", 1)[1] for a in node_attachments) == [
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEKSWorkerNodePolicy",
        "AmazonEKS_CNI_Policy",
    ]
    for group in inv.of_type("aws:eks/nodeGroup:NodeGroup"):
        for attachment in node_attachments:
            assert inv.depends_on(group.urn, attachment.urn), (group.name, attachment.name)


def test_access_entries_admins_get_cluster_admin_and_deployer_gets_only_a_group(run: RunProgram) -> None:
    inv = _build(run, _args())
    entries = {e.name: e for e in inv.of_type("aws:eks/accessEntry:AccessEntry")}
    assert set(entries) == {
        "eks-admin-PlatformAdmin",
        "eks-admin-AWSReservedSSO_Admin_0123abcd",
        "eks-deployer",
    }
    assert entries["eks-deployer"].inputs["principalArn"] == DEPLOY
    assert entries["eks-deployer"].inputs["kubernetesGroups"] == ["stagecraft:deployers"]
    associations = inv.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert sorted(a.inputs["principalArn"] for a in associations) == sorted([ADMIN, SSO_ADMIN])
    for association in associations:
        assert association.inputs["policyArn"].endswith("/AmazonEKSClusterAdminPolicy")
        assert association.inputs["accessScope"] == {"type": "cluster"}
        entry = next(e for e in entries.values() if e.inputs["principalArn"] == association.inputs["principalArn"])
        assert inv.depends_on(association.urn, entry.urn)
    node_role = inv.one("aws:iam/role:Role", "eks-node-role")
    assert all(node_role.name not in e.inputs["principalArn"] for e in entries.values())


def test_launch_template_requires_imdsv2_and_encrypts_the_root_volume(run: RunProgram) -> None:
    inv = _build(run, _args(metadata_hop_limit=2))
    template = inv.one("aws:ec2/launchTemplate:LaunchTemplate", "eks-batch-lt").inputs
    assert template["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 2,
    }
    assert template["blockDeviceMappings"] == [
        {
            "deviceName": "/dev/xvda",
            "ebs": {
                "volumeSize": 50,
                "volumeType": "gp3",
                "encrypted": "true",
                "kmsKeyId": KEY,
                "deleteOnTermination": "true",
            },
        }
    ]
    assert template["updateDefaultVersion"] is True
    assert {t["resourceType"] for t in template["tagSpecifications"]} == {
        "instance",
        "volume",
        "network-interface",
    }


def test_node_groups_ami_type_scaling_and_autoscaler_owned_desired_size(run: RunProgram) -> None:
    inv = _build(run, _args())
    general = inv.one("aws:eks/nodeGroup:NodeGroup", "eks-general-nodes")
    batch = inv.one("aws:eks/nodeGroup:NodeGroup", "eks-batch-nodes")
    assert general.inputs["amiType"] == "AL2023_ARM_64_STANDARD"
    assert batch.inputs["amiType"] == "AL2023_x86_64_STANDARD"
    assert general.inputs["scalingConfig"] == {"minSize": 1, "desiredSize": 2, "maxSize": 4}
    assert general.inputs["capacityType"] == "ON_DEMAND" and batch.inputs["capacityType"] == "SPOT"
    assert general.inputs["subnetIds"] == ["subnet-a", "subnet-b"]
    assert "diskSize" not in general.inputs
    assert batch.inputs["labels"] == {"workload": "batch"}
    assert batch.inputs["taints"] == [{"key": "spot", "value": "true", "effect": "NO_SCHEDULE"}]
    assert general.inputs["launchTemplate"]["version"] == "1"
    for group in (general, batch):
        assert group.ignore_changes == ("scalingConfig.desiredSize",)


def test_node_groups_are_named_by_prefix_so_the_longest_fits_eks(run: RunProgram) -> None:
    inv = _build(run, _args())
    general = inv.one("aws:eks/nodeGroup:NodeGroup", "eks-general-nodes")
    assert general.inputs["nodeGroupNamePrefix"] == "general-" and "nodeGroupName" not in general.inputs
    longest = node_group_name_prefix("g" * 32) + "x" * NAME_PREFIX_SUFFIX
    assert name_problems("eks-nodegroup", longest) == []


def test_coredns_waits_for_node_groups_other_addons_do_not(run: RunProgram) -> None:
    inv = _build(run, _args())
    addons = {a.inputs["addonName"]: a for a in inv.of_type("aws:eks/addon:Addon")}
    assert set(addons) == {"vpc-cni", "kube-proxy", "eks-pod-identity-agent", "coredns"}
    groups = inv.of_type("aws:eks/nodeGroup:NodeGroup")
    for group in groups:
        assert inv.depends_on(addons["coredns"].urn, group.urn)
        for early in ("vpc-cni", "kube-proxy", "eks-pod-identity-agent"):
            assert not inv.depends_on(addons[early].urn, group.urn)
            assert not inv.depends_on(group.urn, addons[early].urn)
    cluster = inv.one("aws:eks/cluster:Cluster")
    assert all(inv.depends_on(a.urn, cluster.urn) for a in addons.values())


def test_vpc_cni_enforces_network_policies_unless_turned_off(run: RunProgram) -> None:
    # vpc-cni ignores NetworkPolicy objects unless its add-on configuration says enableNetworkPolicy "true".
    addons = {a.inputs["addonName"]: a.inputs for a in _build(run, _args()).of_type("aws:eks/addon:Addon")}
    assert json.loads(addons["vpc-cni"]["configurationValues"]) == {"enableNetworkPolicy": "true"}
    assert all("configurationValues" not in addons[a] for a in ("kube-proxy", "eks-pod-identity-agent", "coredns"))
    off = _build(run, _args(enforce_network_policies=False)).of_type("aws:eks/addon:Addon")
    assert all("configurationValues" not in a.inputs for a in off)


def test_addon_versions_are_resolved_for_the_cluster_version_and_pinned(
    run: RunProgram, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str | None, str | None, bool | None]] = []

    def lookup(
        addon_name: str | None = None, kubernetes_version: str | None = None, most_recent: bool | None = None
    ) -> Any:
        asked.append((addon_name, kubernetes_version, most_recent))
        return SimpleNamespace(version=f"v9.{len(asked)}.0-eksbuild.1")

    monkeypatch.setattr(aws.eks, "get_addon_version", lookup)
    inv = _build(run, _args(kubernetes_version="1.36", addon_versions={"coredns": "v1.11.4-eksbuild.2"}))
    addons = {a.inputs["addonName"]: a.inputs["addonVersion"] for a in inv.of_type("aws:eks/addon:Addon")}
    # one lookup per unpinned add-on, for the cluster's version, newest build; the answer is the pinned input
    assert asked == [(a, "1.36", True) for a in ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")]
    assert addons == {
        "vpc-cni": "v9.1.0-eksbuild.1",
        "kube-proxy": "v9.2.0-eksbuild.1",
        "eks-pod-identity-agent": "v9.3.0-eksbuild.1",
        "coredns": "v1.11.4-eksbuild.2",
    }


def test_addon_versions_in_the_plan_follow_the_cluster_version(run: RunProgram) -> None:
    def versions(kubernetes: str) -> dict[str, str]:
        inv = _build(run, _args(kubernetes_version=kubernetes))
        return {a.inputs["addonName"]: a.inputs["addonVersion"] for a in inv.of_type("aws:eks/addon:Addon")}

    first, again, newer = versions("1.35"), versions("1.35"), versions("1.36")
    assert first == again  # deterministic: the same stack plans the same versions
    assert all(re.fullmatch(r"v\d+\.\d+\.\d+-eksbuild\.\d+", v) for v in first.values())
    assert first["kube-proxy"].startswith("v1.35.") and newer["kube-proxy"].startswith("v1.36.")


def test_service_roles_trust_only_this_account(run: RunProgram) -> None:
    inv = _build(run, _args())
    for name, service in (("eks-cluster-role", "eks.amazonaws.com"), ("eks-node-role", "ec2.amazonaws.com")):
        (trust,) = json.loads(inv.one("aws:iam/role:Role", name).inputs["assumeRolePolicy"])["Statement"]
        assert trust["Principal"] == {"Service": service} and trust["Action"] == "sts:AssumeRole"
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_oidc_provider_and_kubeconfig_but_no_kubernetes_provider(run: RunProgram) -> None:
    inv = _build(run, _args())
    oidc = inv.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs
    assert oidc["url"].startswith("https://oidc.eks.us-east-1.amazonaws.com/id/")
    assert oidc["clientIdLists"] == ["sts.amazonaws.com"]
    assert inv.outputs["kubeconfig"] == SECRET
    assert inv.outputs["issuer"] == oidc["url"]
    assert inv.outputs["sg"].startswith("sg-")
    # The cluster layer (infra/cluster.py) configures the Kubernetes provider from the kubeconfig output, on a
    # runner that reaches the API; the stage's runner does not, so the stage configures none.
    assert not inv.of_type("pulumi:providers:kubernetes")


def test_kubeconfig_execs_aws_eks_get_token() -> None:
    config = json.loads(kubeconfig_json("shop-staging", "https://X.eks.amazonaws.com", "Q0E=", "eu-west-1"))
    user = config["users"][0]["user"]
    assert "token" not in user
    assert user["exec"]["command"] == "aws"
    assert user["exec"]["args"] == [
        "eks",
        "get-token",
        "--cluster-name",
        "shop-staging",
        "--region",
        "eu-west-1",
    ]
    assert config["clusters"][0]["cluster"] == {
        "server": "https://X.eks.amazonaws.com",
        "certificate-authority-data": "Q0E=",
    }


@pytest.mark.parametrize(
    ("instance_type", "arm"),
    [
        ("m7g.large", True),
        ("c7gn.xlarge", True),
        ("r8gd.2xlarge", True),
        ("t4g.medium", True),
        ("is4gen.xlarge", True),
        ("a1.large", True),
        ("m7i.large", False),
        ("m7i-flex.large", False),
        ("c6a.xlarge", False),
        ("g4dn.xlarge", False),
        ("t3.medium", False),
    ],
)
def test_architecture_from_instance_family(instance_type: str, arm: bool) -> None:
    assert is_arm_instance_type(instance_type) is arm
    assert ami_type_for([instance_type]) == ("AL2023_ARM_64_STANDARD" if arm else "AL2023_x86_64_STANDARD")


def _group(**overrides: Any) -> list[NodeGroupSpec]:
    return [dataclasses.replace(GENERAL, **overrides)]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"cluster_name": "shop.staging"},
            "EksCluster: cluster_name='shop.staging' is invalid: eks-cluster 'shop.staging' does not match the "
            "rule: letters, digits, '-' and '_', starting with a letter or digit",
        ),
        (
            {"kubernetes_version": "1.29"},
            "EksCluster: kubernetes_version='1.29' is invalid: one of 1.35, 1.36 (EKS standard support)",
        ),
        (
            {"kubernetes_version": "1.34"},
            "EksCluster: kubernetes_version='1.34' is invalid: one of 1.35, 1.36 (EKS standard support)",
        ),
        (
            {"addon_versions": {"aws-ebs-csi-driver": "v1.40.0-eksbuild.1"}},
            "EksCluster: addon_versions='aws-ebs-csi-driver' is invalid: add-ons among vpc-cni, kube-proxy, "
            "eks-pod-identity-agent, coredns",
        ),
        (
            {"addon_versions": {"vpc-cni": "1.19.0"}},
            "EksCluster: addon_versions.vpc-cni='1.19.0' is invalid: an EKS add-on version such as "
            "'v1.19.0-eksbuild.1'",
        ),
        (
            {"endpoint_public_access": True},
            "EksCluster: public_access_cidrs=[] is invalid: at least one CIDR when endpoint_public_access is on "
            "(write '0.0.0.0/0' to allow any address)",
        ),
        (
            {"public_access_cidrs": ["203.0.113.0/24"]},
            "EksCluster: public_access_cidrs=['203.0.113.0/24'] is invalid: empty when endpoint_public_access is off",
        ),
        (
            {"endpoint_public_access": True, "public_access_cidrs": ["203.0.113.7/24"]},
            "EksCluster: public_access_cidrs='203.0.113.7/24' is invalid: IPv4 CIDRs with no host bits set, "
            "such as '203.0.113.0/24'",
        ),
        (
            {"admin_principal_arns": ["arn:aws:sts::123456789012:assumed-role/Admin/me"]},
            "EksCluster: admin_principal_arns='arn:aws:sts::123456789012:assumed-role/Admin/me' is invalid: "
            "IAM role or user ARNs (not sts assumed-role ARNs)",
        ),
        (
            {"admin_principal_arns": [ADMIN, "arn:aws:iam::210987654321:role/PlatformAdmin"]},
            f"EksCluster: admin_principal_arns={ADMIN!r} is invalid: {DISTINCT_ADMINS}",
        ),
        (
            {"deploy_group": "system:masters"},
            "EksCluster: deploy_group='system:masters' is invalid: a non-empty Kubernetes group not starting "
            "with 'system:'",
        ),
        (
            {"log_retention_days": 0},
            "EksCluster: log_retention_days=0 is invalid: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, "
            "400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 days",
        ),
        ({"metadata_hop_limit": 3}, "EksCluster: metadata_hop_limit=3 is invalid: 1 or 2"),
        (
            {"node_groups": [GENERAL, GENERAL]},
            "EksCluster: node_groups.name='general' is invalid: unique node group names",
        ),
        (
            {"node_groups": _group(name="General_1")},
            "EksNodeGroup: node_groups.name='General_1' is invalid: lowercase letters, digits and '-', 1-32 characters",
        ),
        (
            {"node_groups": _group(instance_types=("m7g-large",))},
            "EksNodeGroup: node_groups[general].instance_types='m7g-large' is invalid: an EC2 instance type "
            "'family.size', such as 'm7g.large'",
        ),
        (
            {"node_groups": _group(instance_types=())},
            "EksNodeGroup: node_groups[general].instance_types=[] is invalid: at least one instance type",
        ),
        (
            {"node_groups": _group(instance_types=("m7g.large", "m7i.large"))},
            "EksNodeGroup: node_groups[general].instance_types=['m7g.large', 'm7i.large'] is invalid: types of "
            "one architecture (all Graviton or all x86)",
        ),
        (
            {"node_groups": _group(capacity_type="RESERVED")},
            "EksNodeGroup: node_groups[general].capacity_type='RESERVED' is invalid: 'ON_DEMAND' or 'SPOT'",
        ),
        (
            {"node_groups": _group(min_size=0, desired_size=0, max_size=0)},
            "EksNodeGroup: node_groups[general].max_size=0 is invalid: at least 1",
        ),
        (
            {"node_groups": _group(min_size=3, desired_size=2, max_size=4)},
            "EksNodeGroup: node_groups[general].min_size/desired_size/max_size=[3, 2, 4] is invalid: "
            "0 <= min_size <= desired_size <= max_size",
        ),
        (
            {"node_groups": _group(min_size=1, desired_size=5, max_size=4)},
            "EksNodeGroup: node_groups[general].min_size/desired_size/max_size=[1, 5, 4] is invalid: "
            "0 <= min_size <= desired_size <= max_size",
        ),
        (
            {"node_groups": _group(disk_size_gib=8)},
            "EksNodeGroup: node_groups[general].disk_size_gib=8 is invalid: 20-16384 GiB",
        ),
        (
            {"node_groups": _group(taints=(NodeTaint(key="a", effect="NoSchedule"),))},
            "EksNodeGroup: node_groups[general].taints='NoSchedule' is invalid: 'NO_SCHEDULE', 'NO_EXECUTE' or "
            "'PREFER_NO_SCHEDULE'",
        ),
    ],
)
def test_validation_messages(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ComponentInputError) as raised:
        validate_eks_cluster_args(_args(**overrides))
    assert str(raised.value) == message


def test_invalid_args_raise_at_construction(run: RunProgram) -> None:
    with pytest.raises(ComponentInputError):
        _build(run, _args(kubernetes_version="1.29"))


def test_admins_collide_on_one_name_or_on_case_within_an_account() -> None:
    one = "arn:aws:iam::123456789012:role/Admin"
    assert colliding_admins([one, "arn:aws:iam::123456789012:role/admin"]) == [
        one,
        "arn:aws:iam::123456789012:role/admin",
    ]  # one principal: IAM names ignore case
    assert colliding_admins([one, "arn:aws:iam::210987654321:role/Admin"]) != []  # one access-entry key
    assert colliding_admins([one, "arn:aws:iam::210987654321:role/admin"]) == []  # two principals, two keys
    assert colliding_admins([one, "arn:aws:iam::123456789012:role/Admin2"]) == []


def test_a_principal_name_is_ascii_as_iam_allows() -> None:
    with pytest.raises(ComponentInputError, match="IAM role or user ARNs"):
        validate_eks_cluster_args(_args(admin_principal_arns=["arn:aws:iam::123456789012:role/Straße"]))
