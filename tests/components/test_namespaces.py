from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.errors import ComponentInputError
from components.namespaces import (
    ContainerDefaults,
    NamespaceQuota,
    Namespaces,
    NamespacesArgs,
    NamespaceSpec,
    parse_quantity,
    validate_namespaces_args,
)
from stagecraft.plan.inventory import Inventory
from tests.conftest import RunProgram

SHOP = NamespaceSpec(
    name="shop-staging",
    quota=NamespaceQuota(requests_cpu="4", requests_memory="8Gi", limits_cpu="8", limits_memory="16Gi", pods=40),
    container_defaults=ContainerDefaults(
        default_request_cpu="250m", default_request_memory="256Mi", default_cpu="1", default_memory="1Gi"
    ),
    allow_ingress_from=("ingress-nginx",),
)
TOOLS = NamespaceSpec(name="tools-staging", pod_security="baseline")


def _build(run: RunProgram, *specs: NamespaceSpec, **overrides: Any) -> Inventory:
    def program() -> None:
        provider = k8s.Provider("cluster-k8s", kubeconfig="{}")
        args = NamespacesArgs(provider=provider, namespaces=list(specs), pod_security_version="v1.35")
        Namespaces("ns", dataclasses.replace(args, **overrides))

    return run(program)


def _meta(resource: Any) -> dict[str, Any]:
    return dict(resource.inputs["metadata"])


def test_every_kubernetes_object_uses_the_cluster_provider_and_an_explicit_name(run: RunProgram) -> None:
    inv = _build(run, SHOP, TOOLS)
    provider = inv.one("pulumi:providers:kubernetes")
    objects = [r for r in inv.resources if r.type.startswith("kubernetes:")]
    assert len(objects) == 2 * 7 + 1  # namespace, quota, limits, 2 policies, role, binding (+1 allow-from)
    for obj in objects:
        assert obj.provider == provider.urn, obj.name
        assert _meta(obj)["name"], obj.name


def test_namespace_carries_pod_security_labels(run: RunProgram) -> None:
    inv = _build(run, SHOP, TOOLS)
    shop = inv.one("kubernetes:core/v1:Namespace", "ns-shop-staging")
    assert _meta(shop)["name"] == "shop-staging"
    labels = _meta(shop)["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == "v1.35"
    tools = _meta(inv.one("kubernetes:core/v1:Namespace", "ns-tools-staging"))["labels"]
    assert tools["pod-security.kubernetes.io/enforce"] == "baseline"


def test_quota_and_limit_range_values(run: RunProgram) -> None:
    inv = _build(run, SHOP)
    quota = inv.one("kubernetes:core/v1:ResourceQuota")
    assert _meta(quota)["namespace"] == "shop-staging"
    assert quota.inputs["spec"]["hard"] == {
        "requests.cpu": "4",
        "requests.memory": "8Gi",
        "limits.cpu": "8",
        "limits.memory": "16Gi",
        "pods": "40",
    }
    limits = inv.one("kubernetes:core/v1:LimitRange")
    assert limits.inputs["spec"]["limits"] == [
        {
            "type": "Container",
            "default": {"cpu": "1", "memory": "1Gi"},
            "defaultRequest": {"cpu": "250m", "memory": "256Mi"},
        }
    ]


def test_network_policies_deny_ingress_except_same_and_listed_namespaces(run: RunProgram) -> None:
    inv = _build(run, SHOP)
    policies = {
        _meta(p)["name"]: p.inputs["spec"] for p in inv.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    }
    assert set(policies) == {"default-deny-ingress", "allow-same-namespace", "allow-from-ingress-nginx"}
    for spec in policies.values():
        assert spec["podSelector"] == {} and spec["policyTypes"] == ["Ingress"]
    assert not policies["default-deny-ingress"].get("ingress")
    assert policies["allow-same-namespace"]["ingress"] == [{"from": [{"podSelector": {}}]}]
    assert policies["allow-from-ingress-nginx"]["ingress"] == [
        {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]}
    ]


def test_deploy_group_is_bound_to_a_namespaced_role_that_cannot_drop_isolation(run: RunProgram) -> None:
    inv = _build(run, SHOP, deploy_group="shop:deployers")
    role = inv.one("kubernetes:rbac.authorization.k8s.io/v1:Role")
    binding = inv.one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
    assert _meta(role)["namespace"] == _meta(binding)["namespace"] == "shop-staging"
    assert binding.inputs["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": "deployer",
    }
    assert binding.inputs["subjects"] == [
        {"kind": "Group", "name": "shop:deployers", "apiGroup": "rbac.authorization.k8s.io"}
    ]
    assert not inv.of_type("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")
    writes = {
        (group, resource)
        for rule in role.inputs["rules"]
        if "delete" in rule["verbs"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }
    assert ("apps", "deployments") in writes and ("", "secrets") in writes
    assert ("networking.k8s.io", "networkpolicies") not in writes
    assert ("", "resourcequotas") not in writes and ("", "limitranges") not in writes
    assert all(
        resource not in ("pods/exec", "serviceaccounts/token", "roles", "rolebindings") for _, resource in writes
    )
    assert all("*" not in rule["verbs"] and "*" not in rule["resources"] for rule in role.inputs["rules"])


def test_objects_wait_for_their_namespace(run: RunProgram) -> None:
    inv = _build(run, SHOP)
    namespace = inv.one("kubernetes:core/v1:Namespace")
    for obj in inv.resources:
        if obj.type.startswith("kubernetes:") and obj.urn != namespace.urn:
            assert inv.depends_on(obj.urn, namespace.urn), obj.name


def test_outputs_the_namespace_names(run: RunProgram) -> None:
    def program() -> None:
        provider = k8s.Provider("cluster-k8s", kubeconfig="{}")
        ns = Namespaces("ns", NamespacesArgs(provider=provider, namespaces=[SHOP, TOOLS]))
        pulumi.export("names", ns.names)

    assert run(program).outputs == {"names": ["shop-staging", "tools-staging"]}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4", Decimal(4)),
        ("500m", Decimal("0.5")),
        ("1.5", Decimal("1.5")),
        ("8Gi", Decimal(8 * 1024**3)),
        ("256Mi", Decimal(256 * 1024**2)),
        ("1k", Decimal(1000)),
        ("1e3", Decimal(1000)),
    ],
)
def test_parse_quantity(value: str, expected: Decimal) -> None:
    assert parse_quantity(value) == expected


@pytest.mark.parametrize("value", ["8GB", "-1", "", "1.5.0", "Gi", "4 cores", "8gi"])
def test_parse_quantity_rejects(value: str) -> None:
    with pytest.raises(ValueError, match="not a Kubernetes quantity"):
        parse_quantity(value)


def _spec(**overrides: Any) -> NamespaceSpec:
    return dataclasses.replace(SHOP, **overrides)


@pytest.mark.parametrize(
    ("specs", "overrides", "message"),
    [
        (
            [_spec(name="Shop_Staging")],
            {},
            "Namespaces: namespaces.name='Shop_Staging' is invalid: k8s-namespace 'Shop_Staging' does not match "
            "the rule: a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
        ),
        ([SHOP, SHOP], {}, "Namespaces: namespaces.name='shop-staging' is invalid: unique namespace names"),
        (
            [_spec(pod_security="strict")],
            {},
            "Namespaces: namespaces[shop-staging].pod_security='strict' is invalid: one of 'privileged', "
            "'baseline', 'restricted'",
        ),
        (
            [_spec(quota=NamespaceQuota(requests_memory="8GB"))],
            {},
            "Namespaces: namespaces[shop-staging].quota.requests_memory='8GB' is invalid: a Kubernetes quantity "
            "such as '4', '500m', '1.5', '256Mi' or '8Gi'",
        ),
        (
            [_spec(quota=NamespaceQuota(limits_cpu="-1"))],
            {},
            "Namespaces: namespaces[shop-staging].quota.limits_cpu='-1' is invalid: a Kubernetes quantity "
            "such as '4', '500m', '1.5', '256Mi' or '8Gi'",
        ),
        (
            [_spec(quota=NamespaceQuota(pods=0))],
            {},
            "Namespaces: namespaces[shop-staging].quota.pods=0 is invalid: at least 1",
        ),
        (
            [_spec(container_defaults=ContainerDefaults(default_request_cpu="2", default_cpu="1"))],
            {},
            "Namespaces: namespaces[shop-staging].container_defaults.default_request_cpu='2' is invalid: "
            "at most default_cpu (1)",
        ),
        (
            [_spec(container_defaults=ContainerDefaults(default_memory="32Gi"))],
            {},
            "Namespaces: namespaces[shop-staging].container_defaults.default_memory='32Gi' is invalid: "
            "at most quota.limits_memory (16Gi)",
        ),
        (
            [_spec(allow_ingress_from=("Ingress",))],
            {},
            "Namespaces: namespaces[shop-staging].allow_ingress_from='Ingress' is invalid: k8s-namespace "
            "'Ingress' does not match the rule: a DNS-1123 label: lowercase letters, digits and '-', starting "
            "and ending with a letter or digit",
        ),
        (
            [_spec(allow_ingress_from=("shop-staging",))],
            {},
            "Namespaces: namespaces[shop-staging].allow_ingress_from=['shop-staging'] is invalid: distinct "
            "namespaces other than itself",
        ),
        (
            [SHOP],
            {"deploy_group": "system:authenticated"},
            "Namespaces: deploy_group='system:authenticated' is invalid: a non-empty Kubernetes group not "
            "starting with 'system:'",
        ),
        (
            [SHOP],
            {"pod_security_version": "1.35"},
            "Namespaces: pod_security_version='1.35' is invalid: 'latest' or 'v1.NN', such as 'v1.35'",
        ),
    ],
)
def test_validation_messages(specs: list[NamespaceSpec], overrides: dict[str, Any], message: str) -> None:
    args = NamespacesArgs(provider=None, namespaces=specs)  # type: ignore[arg-type]
    with pytest.raises(ComponentInputError) as raised:
        validate_namespaces_args(dataclasses.replace(args, **overrides))
    assert str(raised.value) == message
