"""The EKS support notice by the calendar, and the NetworkPolicy rule on the shipped programs."""

from __future__ import annotations

from datetime import date

import pulumi_kubernetes as k8s
import pytest

from components.eks_cluster import EksCluster, EksClusterArgs
from components.namespaces import Namespaces, NamespacesArgs, NamespaceSpec
from stagecraft.rules import evaluate, kubernetes
from stagecraft.rules.kubernetes import EKS_CLUSTER
from tests.conftest import RunProgram
from tests.stagecraft.rules.builders import inventory, res


def _notices(version: str, support: str = "STANDARD") -> list[str]:
    cluster = res(EKS_CLUSTER, "stg-cluster", {"version": version, "upgradePolicy": {"supportType": support}})
    return [f.message for f in evaluate(inventory(cluster), "production") if f.rule == "eks-standard-support-ending"]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 3), []),  # 114 days before 1.35 leaves standard support
        (date(2026, 12, 27), ["ends on 2027-03-27 (in 90 days)"]),
        (date(2027, 3, 27), ["ends on 2027-03-27 (in 0 days)"]),
        (date(2027, 3, 28), ["ended on 2027-03-27"]),
    ],
)
def test_notice_starts_90_days_before_the_end_of_standard_support(
    monkeypatch: pytest.MonkeyPatch, today: date, expected: list[str]
) -> None:
    monkeypatch.setattr(kubernetes, "_today", lambda: today)
    messages = _notices("1.35")
    assert len(messages) == len(expected)
    for message, part in zip(messages, expected, strict=True):
        assert message.startswith(f"{EKS_CLUSTER} stg-cluster: version 1.35: EKS standard support {part};")
    # EXTENDED keeps the version (at extended-support prices): no automatic upgrade to warn about.
    assert _notices("1.35", "EXTENDED") == []


def _stage(run: RunProgram, enforce: bool) -> list[str]:
    """The real components: a cluster and its namespaces (default-deny policies), judged by the rule."""

    def program() -> None:
        cluster = EksCluster(
            "stg",
            EksClusterArgs(
                cluster_name="shop-staging",
                kubernetes_version="1.35",
                private_subnet_ids=["subnet-a", "subnet-b"],
                kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/stage",
                deploy_role_arn="arn:aws:iam::123456789012:role/shop-staging-deploy",
                admin_principal_arns=["arn:aws:iam::123456789012:role/PlatformAdmin"],
                enforce_network_policies=enforce,
            ),
        )
        # The cluster layer's provider reads the stage's kubeconfig (infra/cluster.py); here, in the same program.
        provider = k8s.Provider("stg-k8s", kubeconfig=cluster.kubeconfig)
        Namespaces("stg", NamespacesArgs(provider=provider, namespaces=[NamespaceSpec(name="shop-staging")]))

    inv = run(program)
    return [f.message for f in evaluate(inv, "staging") if f.rule == "eks-network-policy-enforced"]


def test_the_cluster_component_enforces_its_namespaces_policies_and_a_broken_variant_fails(run: RunProgram) -> None:
    assert _stage(run, enforce=True) == []
    (message,) = _stage(run, enforce=False)
    assert message.startswith("aws:eks/addon:Addon stg-vpc-cni: configurationValues is unset while the stage has ")
