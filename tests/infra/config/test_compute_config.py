from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from components.eks_cluster import DISTINCT_ADMINS
from infra.config import Acknowledgement
from infra.config.network import LOG_RETENTION_DAYS
from infra.config.stackfiles import load_stack
from stagecraft.plan.layers import with_declared_secrets
from tests.infra.config.conftest import load, problems, values

S = "stagecraft:stage"
C = f"{S}.compute"
ADMIN = "arn:aws:iam::123456789012:role/platform-admin"
OFFICE = "203.0.113.0/24"
RETENTION = ", ".join(map(str, LOG_RETENTION_DAYS))
CIDRS = {"development": "10.10.0.0/16", "staging": "10.20.0.0/16", "production": "10.30.0.0/16"}


def _config(profile: str = "staging", acknowledge: dict[str, str] | None = None, **compute: Any) -> dict[str, Any]:
    config = values(profile=profile, network={"cidr": CIDRS[profile]}, compute=compute)
    if acknowledge is not None:
        config[S]["acknowledge"] = acknowledge
    return config


def _eks(profile: str = "staging", **eks: Any) -> dict[str, Any]:
    """A valid EKS section for ``profile`` with ``eks`` keys merged over it."""
    base: dict[str, Any] = {"enabled": True, "admin_principal_arns": [ADMIN]}
    if profile != "production":
        base["public_access_cidrs"] = [OFFICE]
    return {**base, **eks}


def _group(**fields: Any) -> dict[str, Any]:
    return {"name": "general", "instance_types": ["t4g.medium"], **fields}


def _problems(profile: str = "staging", **compute: Any) -> list[str]:
    return problems(_config(profile, **compute), stack=profile)


# -- defaults per profile -------------------------------------------------------------------------


def test_profile_defaults() -> None:
    dev = load(_config("development"), stack="dev").settings.compute
    stg = load(_config("staging")).settings.compute
    prd = load(_config("production"), stack="production").settings.compute
    assert [c.ecs.enabled for c in (dev, stg, prd)] == [True, True, True]
    assert [c.ecs.container_insights for c in (dev, stg, prd)] == ["enabled", "enabled", "enhanced"]
    assert [c.ecs.fargate_base for c in (dev, stg, prd)] == [0, 1, 2]
    assert [c.ecs.spot_weight for c in (dev, stg, prd)] == [3, 1, 0]
    assert [c.ecs.exec_log_retention_days for c in (dev, stg, prd)] == [30, 90, 365]
    assert [c.ecs.allow_execute_command for c in (dev, stg, prd)] == [True, True, False]
    assert [c.eks.enabled for c in (dev, stg, prd)] == [False, False, False]
    assert [c.eks.kubernetes_version for c in (dev, stg, prd)] == ["1.35", "1.35", "1.35"]
    assert [c.eks.endpoint_public_access for c in (dev, stg, prd)] == [True, True, False]
    assert [c.eks.deletion_protection for c in (dev, stg, prd)] == [False, True, True]
    assert [c.eks.log_retention_days for c in (dev, stg, prd)] == [30, 90, 365]
    assert [c.eks.metadata_hop_limit for c in (dev, stg, prd)] == [1, 1, 1]
    assert [c.pod_security for c in (dev, stg, prd)] == ["baseline", "restricted", "restricted"]
    sizes = [[(g.instance_types, g.capacity, g.min_size, g.desired_size, g.max_size) for g in c.eks.node_groups]
             for c in (dev, stg, prd)]  # fmt: skip
    assert sizes == [
        [(["t4g.medium"], "on_demand", 1, 1, 2)],
        [(["t4g.medium"], "on_demand", 1, 1, 3)],
        [(["m7g.large", "m6g.large"], "on_demand", 2, 3, 6)],
    ]
    assert dev.namespace_specs("amani-backend-dev") == []


def test_eks_enabled_gets_one_namespace_named_after_the_stage_by_default() -> None:
    compute = load(_config(eks=_eks())).settings.compute
    [spec] = compute.namespace_specs("amani-backend-staging")
    assert spec.name == "amani-backend-staging"
    assert spec.pod_security == "restricted"
    assert spec.quota.requests_cpu == "2" and spec.quota.pods == 50


def test_namespaces_are_converted_with_quantities_as_strings() -> None:
    namespaces = [
        {
            "quota": {"requests_cpu": 4, "requests_memory": "8Gi", "limits_cpu": 8, "limits_memory": "16Gi"},
            "container_defaults": {"default_cpu": "1", "default_memory": "1Gi"},
            "allow_ingress_from": ["ingress-nginx"],
        },
        {"name": "amani-jobs", "pod_security": "restricted"},
    ]
    compute = load(_config(eks=_eks(), namespaces=namespaces)).settings.compute
    app, jobs = compute.namespace_specs("amani-backend-staging")
    assert app.name == "amani-backend-staging"
    assert (app.quota.requests_cpu, app.quota.limits_cpu, app.quota.limits_memory) == ("4", "8", "16Gi")
    assert app.container_defaults.default_cpu == "1"
    assert app.allow_ingress_from == ("ingress-nginx",)
    assert jobs.name == "amani-jobs"


def test_admins_of_two_accounts_may_differ_only_in_case() -> None:
    """Distinct principals with distinct access-entry keys; only within one account does IAM ignore case."""
    other = "arn:aws:iam::210987654321:role/Platform-Admin"
    compute = load(_config(eks=_eks(admin_principal_arns=[ADMIN, other]))).settings.compute
    assert compute.eks.admin_principal_arns == [ADMIN, other]


def test_node_group_spec_maps_capacity_and_taints() -> None:
    group = _group(
        name="batch",
        instance_types=["c7g.xlarge", "c6g.xlarge"],
        capacity="spot",
        min_size=0,
        desired_size=0,
        max_size=4,
        disk_size_gib=50,
        labels={"workload": "batch"},
        taints=[{"key": "spot", "value": "true", "effect": "NO_SCHEDULE"}],
    )
    eks = _eks(node_groups=[_group(), group])
    [_, batch] = load(_config(eks=eks)).settings.compute.eks.node_groups
    spec = batch.spec()
    assert spec.capacity_type == "SPOT" and spec.instance_types == ("c7g.xlarge", "c6g.xlarge")
    assert (spec.min_size, spec.desired_size, spec.max_size, spec.disk_size_gib) == (0, 0, 4, 50)
    assert spec.labels == {"workload": "batch"}
    assert [(t.key, t.value, t.effect) for t in spec.taints] == [("spot", "true", "NO_SCHEDULE")]


def test_ecs_only_eks_only_and_both_are_allowed() -> None:
    assert load(_config(ecs={"enabled": True})).settings.compute.eks.enabled is False
    assert load(_config(ecs={"enabled": False}, eks=_eks())).settings.compute.ecs.enabled is False
    both = load(_config(eks=_eks())).settings.compute
    assert both.ecs.enabled and both.eks.enabled


# -- cross-field rules ----------------------------------------------------------------------------


def test_a_stage_without_ecs_and_eks_is_an_error() -> None:
    assert _problems(ecs={"enabled": False}) == [
        f"{C}.ecs.enabled: false while compute.eks.enabled is false too: a stage runs its services on ECS, EKS "
        "or both; enable at least one"
    ]


def test_namespaces_without_eks_is_an_error() -> None:
    assert _problems(namespaces=[{"name": "amani"}]) == [
        f"{C}.namespaces: [{{'name': 'amani'}}] is not allowed: namespaces need EKS: set compute.eks.enabled to true, "
        "or remove compute.namespaces"
    ]


def test_public_endpoint_needs_cidrs() -> None:
    assert _problems(eks=_eks(public_access_cidrs=[])) == [
        f"{C}.eks.public_access_cidrs: [] is not allowed: required when endpoint_public_access is true: list the "
        "CIDRs that may reach the public API endpoint (there is no implicit 0.0.0.0/0), or set "
        "endpoint_public_access to false"
    ]


def test_private_endpoint_takes_no_cidrs() -> None:
    assert _problems(eks=_eks(endpoint_public_access=False)) == [
        f"{C}.eks.public_access_cidrs: ['203.0.113.0/24'] is not allowed: must be empty when "
        "endpoint_public_access is false (the endpoint is private only)"
    ]


def test_eks_needs_an_admin() -> None:
    assert _problems(eks=_eks(admin_principal_arns=[])) == [
        f"{C}.eks.admin_principal_arns: [] is not allowed: required when EKS is enabled: list at least one IAM role "
        "or user ARN; the principal that runs Pulumi must be one of them (the cluster's creator gets no "
        "implicit access)"
    ]


def test_eks_needs_a_node_group() -> None:
    assert _problems(eks=_eks(node_groups=[])) == [
        f"{C}.eks.node_groups: [] is not allowed: required when EKS is enabled: at least one node group "
        "(CoreDNS needs nodes)"
    ]


def test_node_group_names_are_unique() -> None:
    assert _problems(eks=_eks(node_groups=[_group(), _group()])) == [
        f"{C}.eks.node_groups[1].name: 'general' names another node group too"
    ]


@pytest.mark.parametrize(("low", "desired", "high"), [(2, 1, 3), (1, 4, 3), (0, 0, 0)])
def test_node_group_sizes_are_ordered(low: int, desired: int, high: int) -> None:
    group = _group(min_size=low, desired_size=desired, max_size=high)
    assert _problems(eks=_eks(node_groups=[group])) == [
        f"{C}.eks.node_groups[0]: min_size {low}, desired_size {desired}, max_size {high}: must have "
        "min_size <= desired_size <= max_size and max_size >= 1"
    ]


def test_min_on_demand_nodes_needs_a_big_enough_on_demand_group() -> None:
    spot = _group(capacity="spot", min_size=3, desired_size=3, max_size=6)
    assert _problems(eks=_eks(min_on_demand_nodes=2, node_groups=[spot, _group(name="small")])) == [
        f"{C}.eks.min_on_demand_nodes: 2: no on_demand node group has min_size >= 2; add one (system pods such "
        "as CoreDNS must survive a node loss and Spot reclaims), or lower min_on_demand_nodes"
    ]
    ok = _group(name="base", min_size=2, desired_size=2, max_size=3)
    assert load(_config(eks=_eks(min_on_demand_nodes=2, node_groups=[spot, ok]))).settings.compute.eks.enabled


def test_namespace_names_are_unique_counting_the_default() -> None:
    assert _problems(eks=_eks(), namespaces=[{}, {"name": "amani-backend-staging"}]) == [
        f"{C}.namespaces[1].name: 'amani-backend-staging' names another namespace too (unset means "
        "'amani-backend-staging')"
    ]


def test_namespace_cannot_allow_itself() -> None:
    assert _problems(eks=_eks(), namespaces=[{"name": "amani", "allow_ingress_from": ["amani"]}]) == [
        f"{C}.namespaces[0].allow_ingress_from: lists the namespace itself ('amani')"
    ]


def test_namespace_pod_security_cannot_be_weaker_than_the_stage_level() -> None:
    assert _problems(eks=_eks(), namespaces=[{"pod_security": "baseline"}]) == [
        f"{C}.namespaces[0].pod_security: 'baseline' is weaker than compute.pod_security ('restricted'); lower "
        "compute.pod_security to allow it"
    ]


@pytest.mark.parametrize(
    ("section", "fields", "expected"),
    [
        (
            "quota",
            {"requests_cpu": "8", "limits_cpu": "4"},
            "quota.requests_cpu: '8' is more than quota.limits_cpu ('4')",
        ),
        (
            "quota",
            {"requests_memory": "16Gi", "limits_memory": "8Gi"},
            "quota.requests_memory: '16Gi' is more than quota.limits_memory ('8Gi')",
        ),
        (
            "container_defaults",
            {"default_request_cpu": "1", "default_cpu": "500m"},
            "container_defaults.default_request_cpu: '1' is more than container_defaults.default_cpu ('500m')",
        ),
        (
            "container_defaults",
            {"default_request_memory": "1Gi", "default_memory": "512Mi"},
            "container_defaults.default_request_memory: '1Gi' is more than container_defaults.default_memory ('512Mi')",
        ),
        (
            "container_defaults",
            {"default_cpu": "5", "default_request_cpu": "1"},
            "container_defaults.default_cpu: '5' is more than quota.limits_cpu ('4')",
        ),
        (
            "container_defaults",
            {"default_memory": "9Gi"},
            "container_defaults.default_memory: '9Gi' is more than quota.limits_memory ('8Gi')",
        ),
    ],
)
def test_namespace_quantities_fit_together(section: str, fields: dict[str, str], expected: str) -> None:
    assert _problems(eks=_eks(), namespaces=[{section: fields}]) == [f"{C}.namespaces[0].{expected}"]


# -- single fields --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("compute", "expected"),
    [
        ({"ecs": {"fargate_base": -1}}, "ecs.fargate_base: -1 is not allowed: must be 0-100000 tasks"),
        ({"ecs": {"spot_weight": 1001}}, "ecs.spot_weight: 1001 is not allowed: must be 0-1000 (0 = no Fargate Spot)"),
        (
            {"ecs": {"exec_log_retention_days": 4}},
            "ecs.exec_log_retention_days: 4 is not allowed: must be one of CloudWatch's retention periods: "
            + RETENTION,
        ),
        (
            {"ecs": {"container_insights": "disabled"}},
            "ecs.container_insights: 'disabled' is not allowed: input should be 'enabled' or 'enhanced'",
        ),
        (
            {"pod_security": "none"},
            "pod_security: 'none' is not allowed: input should be 'privileged', 'baseline' or 'restricted'",
        ),
    ],
)
def test_ecs_and_stage_fields(compute: dict[str, Any], expected: str) -> None:
    assert _problems(**compute) == [f"{C}.{expected}"]


@pytest.mark.parametrize(
    ("eks", "expected"),
    [
        (
            {"kubernetes_version": 1.35},
            'kubernetes_version: 1.35 is not allowed: must be quoted, such as "1.35" (YAML reads 1.30 as the '
            "number 1.3)",
        ),
        (
            {"kubernetes_version": "1.29"},
            "kubernetes_version: '1.29' is not allowed: must be a version in EKS standard support: 1.35, 1.36 "
            "(EKS release calendar read 2026-12-03: "
            "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar)",
        ),
        (
            {"kubernetes_version": "1.34"},
            "kubernetes_version: '1.34' is not allowed: must be a version in EKS standard support: 1.35, 1.36; "
            "1.34 left standard support on 2026-12-02 (EKS release calendar read 2026-12-03: "
            "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar)",
        ),
        (
            {"public_access_cidrs": ["203.0.113.1/24"]},
            "public_access_cidrs: ['203.0.113.1/24'] is not allowed: '203.0.113.1/24' is not an IPv4 CIDR without "
            "host bits; example: 203.0.113.0/24",
        ),
        (
            {"public_access_cidrs": [OFFICE, OFFICE]},
            "public_access_cidrs: ['203.0.113.0/24', '203.0.113.0/24'] is not allowed: must list each CIDR once",
        ),
        (
            {"admin_principal_arns": ["arn:aws:sts::123456789012:assumed-role/admin/me"]},
            "admin_principal_arns: ['arn:aws:sts::123456789012:assumed-role/admin/me'] is not allowed: "
            "'arn:aws:sts::123456789012:assumed-role/admin/me' is not an IAM role or user ARN such as "
            "'arn:aws:iam::123456789012:role/platform-admin' (assumed-role and SSO session ARNs are not principals)",
        ),
        (
            {"admin_principal_arns": [ADMIN, "arn:aws:iam::123456789012:role/team/platform-admin"]},
            f"admin_principal_arns: ['{ADMIN}', 'arn:aws:iam::123456789012:role/team/platform-admin'] is not "
            f"allowed: must be {DISTINCT_ADMINS}; these collide: ['{ADMIN}', "
            "'arn:aws:iam::123456789012:role/team/platform-admin']",
        ),
        ({"metadata_hop_limit": 3}, "metadata_hop_limit: 3 is not allowed: must be 1 or 2"),
        (
            {"log_retention_days": 100},
            f"log_retention_days: 100 is not allowed: must be one of CloudWatch's retention periods: {RETENTION}",
        ),
        ({"min_on_demand_nodes": -1}, "min_on_demand_nodes: -1 is not allowed: must be 0-1000 nodes"),
        (
            {"deploy_group": "system:masters"},
            "deploy_group: 'system:masters' is not allowed: must be a non-empty Kubernetes group not starting with "
            "'system:'",
        ),
    ],
)
def test_eks_fields(eks: dict[str, Any], expected: str) -> None:
    assert _problems(eks=_eks(**eks)) == [f"{C}.eks.{expected}"]


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        (
            {"name": "General"},
            "name: 'General' is not allowed: must be 1-32 lowercase letters, digits and '-', starting and ending "
            "with a letter or digit",
        ),
        ({"instance_types": []}, "instance_types: [] is not allowed: must list at least one instance type"),
        (
            {"instance_types": ["large"]},
            "instance_types: ['large'] is not allowed: must be EC2 instance types 'family.size', such as "
            "'m7g.large' or 't3.medium'",
        ),
        (
            {"instance_types": ["m7g.large", "m6i.large"]},
            "instance_types: ['m7g.large', 'm6i.large'] is not allowed: mixes Graviton (arm64) and x86 types; a "
            "group runs one AMI, so use one architecture per group",
        ),
        (
            {"instance_types": ["t4g.medium", "t4g.medium"]},
            "instance_types: ['t4g.medium', 't4g.medium'] is not allowed: instance types must be unique",
        ),
        ({"capacity": "SPOT"}, "capacity: 'SPOT' is not allowed: input should be 'on_demand' or 'spot'"),
        ({"max_size": 1001}, "max_size: 1001 is not allowed: must be 0-1000 nodes"),
        ({"disk_size_gib": 10}, "disk_size_gib: 10 is not allowed: must be 20-16384 GiB"),
        (
            {"labels": {"tier": "front end"}},
            "labels: {'tier': 'front end'} is not allowed: label tier='front end' is invalid: keys like 'workload' "
            "or 'example.com/tier', values up to 63 letters, digits, '-', '_' and '.'",
        ),
        (
            {"taints": [{"key": "-bad"}]},
            "taints[0].key: '-bad' is not allowed: must be a Kubernetes label key such as 'workload' or "
            "'example.com/spot'",
        ),
        (
            {"taints": [{"key": "spot", "value": "yes please"}]},
            "taints[0].value: 'yes please' is not allowed: must be a Kubernetes label value: up to 63 letters, "
            "digits, '-', '_' and '.'",
        ),
        (
            {"taints": [{"key": "spot", "effect": "NoSchedule"}]},
            "taints[0].effect: 'NoSchedule' is not allowed: input should be 'NO_SCHEDULE', 'NO_EXECUTE' or "
            "'PREFER_NO_SCHEDULE'",
        ),
    ],
)
def test_node_group_fields(group: dict[str, Any], expected: str) -> None:
    assert _problems(eks=_eks(node_groups=[_group(**group)])) == [f"{C}.eks.node_groups[0].{expected}"]


_LABEL_RULE = (
    "must be a DNS-1123 label: 1-63 lowercase letters, digits and '-', starting and ending with a letter or digit"
)
_QUANTITY_RULE = "must be a Kubernetes quantity such as '4', '500m', '1.5', '256Mi' or '8Gi', greater than zero"


@pytest.mark.parametrize(
    ("namespace", "expected"),
    [
        ({"name": "Amani_App"}, f"name: 'Amani_App' is not allowed: {_LABEL_RULE}"),
        ({"allow_ingress_from": ["Ingress"]}, f"allow_ingress_from: ['Ingress'] is not allowed: {_LABEL_RULE}"),
        (
            {"allow_ingress_from": ["ingress-nginx", "ingress-nginx"]},
            "allow_ingress_from: ['ingress-nginx', 'ingress-nginx'] is not allowed: namespaces must be unique",
        ),
        ({"quota": {"requests_cpu": "2 cores"}}, f"quota.requests_cpu: '2 cores' is not allowed: {_QUANTITY_RULE}"),
        ({"quota": {"limits_memory": "0"}}, f"quota.limits_memory: '0' is not allowed: {_QUANTITY_RULE}"),
        ({"quota": {"pods": 0}}, "quota.pods: 0 is not allowed: must be 1-10000 pods"),
        (
            {"container_defaults": {"default_memory": "512MB"}},
            f"container_defaults.default_memory: '512MB' is not allowed: {_QUANTITY_RULE}",
        ),
        (
            {"pod_security": "strict"},
            "pod_security: 'strict' is not allowed: input should be 'privileged', 'baseline' or 'restricted'",
        ),
    ],
)
def test_namespace_fields(namespace: dict[str, Any], expected: str) -> None:
    assert _problems(eks=_eks(), namespaces=[namespace]) == [f"{C}.namespaces[0].{expected}"]


def test_unknown_compute_key_suggests_the_closest_one() -> None:
    assert _problems(eks=_eks(node_group=[])) == [f"{C}.eks.node_group: unknown key; did you mean 'node_groups'?"]


# -- floors ---------------------------------------------------------------------------------------


def _floor_message(key: str, shown: str, rule: str, profile: str = "production") -> str:
    return (
        f"{S}.{key}: {shown} is below the {profile} floor ({rule}); raise it, or add "
        f"'acknowledge: {{{key}: <reason>}}' to accept the weaker setting"
    )


@pytest.mark.parametrize(
    ("compute", "key", "shown", "rule"),
    [
        ({"ecs": {"container_insights": "enabled"}}, "compute.ecs.container_insights", "'enabled'",
         "'enhanced' (scale: enabled, enhanced)"),
        ({"ecs": {"fargate_base": 0}}, "compute.ecs.fargate_base", "0", "at least 1"),
        ({"ecs": {"exec_log_retention_days": 90}}, "compute.ecs.exec_log_retention_days", "90", "at least 365"),
        ({"eks": _eks("production", endpoint_public_access=True, public_access_cidrs=[OFFICE])},
         "compute.eks.endpoint_public_access", "true", "false"),
        ({"eks": _eks("production", deletion_protection=False)}, "compute.eks.deletion_protection", "false", "true"),
        ({"eks": _eks("production", log_retention_days=90)}, "compute.eks.log_retention_days", "90", "at least 365"),
        ({"pod_security": "baseline"}, "compute.pod_security", "'baseline'",
         "'restricted' (scale: privileged, baseline, restricted)"),
    ],
)  # fmt: skip
def test_production_floors(compute: dict[str, Any], key: str, shown: str, rule: str) -> None:
    assert _problems("production", **compute) == [_floor_message(key, shown, rule)]


def test_min_on_demand_nodes_floor_in_production() -> None:
    spot = _group(capacity="spot", min_size=2, desired_size=2, max_size=4)
    config = _config("production", eks=_eks("production", min_on_demand_nodes=0, node_groups=[spot]))
    assert problems(config, stack="production") == [
        _floor_message("compute.eks.min_on_demand_nodes", "0", "at least 2")
    ]
    config[S]["acknowledge"] = {"compute.eks.min_on_demand_nodes": "Batch-only cluster, Spot is acceptable here"}
    loaded = load(config, stack="production")
    assert loaded.acknowledged == (
        Acknowledgement("compute.eks.min_on_demand_nodes", "Batch-only cluster, Spot is acceptable here"),
    )


def test_restricted_pod_security_is_a_staging_floor_too() -> None:
    assert _problems(pod_security="baseline") == [
        _floor_message(
            "compute.pod_security", "'baseline'", "'restricted' (scale: privileged, baseline, restricted)", "staging"
        )
    ]
    assert load(_config("development", pod_security="privileged"), stack="dev").settings.compute.pod_security == (
        "privileged"
    )


def test_production_with_eks_by_the_defaults_meets_every_floor() -> None:
    config = load(_config("production", eks=_eks("production")), stack="production")
    assert config.acknowledged == ()
    assert config.settings.compute.eks.endpoint_public_access is False


def _offline(root: Path, stack: str) -> dict[str, Any]:
    """The stack's values as the offline plan reads them (declared secrets without values are placeholders)."""
    return with_declared_secrets(load_stack(root, stack)).placeholder_values()


def test_example_stacks_run_ecs_and_eks_with_a_private_production_endpoint() -> None:
    root = Path(__file__).resolve().parents[3]
    staging = load(_offline(root, "staging")).settings.compute
    production = load(_offline(root, "production"), stack="production").settings.compute
    for compute, stage in ((staging, "staging"), (production, "production")):
        assert compute.ecs.enabled and compute.eks.enabled
        [namespace] = compute.namespace_specs(f"amani-backend-{stage}")
        assert namespace.name == f"amani-backend-{stage}" and namespace.pod_security == "restricted"
        assert namespace.allow_ingress_from == ("ingress-nginx",)
    assert staging.eks.public_access_cidrs == ["203.0.113.0/24"]
    assert production.eks.endpoint_public_access is False and production.eks.public_access_cidrs == []


def test_addon_versions_pin_the_cluster_addons_and_reject_unknown_ones() -> None:
    eks = {
        "enabled": True,
        "admin_principal_arns": ["arn:aws:iam::123456789012:role/platform-admin"],
        "endpoint_public_access": False,
    }
    config = load(values(compute={"eks": {**eks, "addon_versions": {"vpc-cni": "v1.20.4-eksbuild.2"}}}))
    assert config.settings.compute.eks.addon_versions == {"vpc-cni": "v1.20.4-eksbuild.2"}
    assert problems(
        values(compute={"eks": {**eks, "addon_versions": {"aws-ebs-csi-driver": "v1.0.0-eksbuild.1"}}})
    ) == [
        "stagecraft:stage.compute.eks.addon_versions: {'aws-ebs-csi-driver': 'v1.0.0-eksbuild.1'} is not allowed: "
        "aws-ebs-csi-driver is not an add-on Stagecraft installs; "
        "allowed: vpc-cni, kube-proxy, eks-pod-identity-agent, coredns"
    ]
    assert problems(values(compute={"eks": {**eks, "addon_versions": {"coredns": "1.11"}}})) == [
        "stagecraft:stage.compute.eks.addon_versions: {'coredns': '1.11'} is not allowed: "
        "coredns: 1.11 is not an EKS add-on version; expected like "
        "v1.20.4-eksbuild.2"
    ]
