"""Compliant and non-compliant inventories for the NetworkPolicy and EKS support rules."""

from __future__ import annotations

from typing import Any

from stagecraft.rules.kubernetes import ADDON, EKS_CLUSTER, ENVIRONMENT_VARIABLE, NAMESPACE, NETWORK_POLICY
from tests.stagecraft.rules.builders import Case, one, res

RULE = "eks-network-policy-enforced"
CLUSTER = res(EKS_CLUSTER, "stg-cluster", {"name": "shop-staging"})
ENFORCING = res(
    ADDON,
    "stg-vpc-cni",
    {"addonName": "vpc-cni", "clusterName": "shop-staging", "configurationValues": '{"enableNetworkPolicy": "true"}'},
    deps=(CLUSTER,),
)
PLAIN = res(ADDON, "stg-vpc-cni", {"addonName": "vpc-cni", "clusterName": "shop-staging"}, deps=(CLUSTER,))
OFF = res(
    ADDON,
    "stg-vpc-cni",
    {"addonName": "vpc-cni", "clusterName": "shop-staging", "configurationValues": '{"enableNetworkPolicy": "false"}'},
    deps=(CLUSTER,),
)
OTHER_CLUSTERS_CNI = res(
    ADDON,
    "other-vpc-cni",
    {"addonName": "vpc-cni", "clusterName": "other", "configurationValues": '{"enableNetworkPolicy": "true"}'},
)
COREDNS = res(ADDON, "stg-coredns", {"addonName": "coredns", "clusterName": "shop-staging"}, deps=(CLUSTER,))
DENY = res(NETWORK_POLICY, "stg-default-deny-ingress", {"metadata": {"name": "default-deny-ingress"}})
NS = res(NAMESPACE, "stg-namespace", {"metadata": {"name": "shop-staging"}})
DECLARED = res(
    ENVIRONMENT_VARIABLE,
    "stg-variable-K8S_NAMESPACES",
    {"variableName": "K8S_NAMESPACES", "value": "shop-staging,jobs"},
)
EMPTY = res(ENVIRONMENT_VARIABLE, "stg-variable-K8S_NAMESPACES", {"variableName": "K8S_NAMESPACES", "value": ""})
A = f"{ADDON} stg-vpc-cni: "
POLICIES = "1 NetworkPolicy object(s)"
WANT = 'enableNetworkPolicy "true" required (vpc-cni ignores NetworkPolicies otherwise)'


def eks(name: str, inputs: dict[str, Any], *messages: str) -> Case:
    return one("eks-standard-support-ending", name, res(EKS_CLUSTER, "stg-cluster", inputs), *messages)


ENDED = (
    "version 1.33: EKS standard support ended on 2026-07-29; with upgradePolicy.supportType STANDARD EKS upgrades "
    "the cluster to the next version by itself then: raise kubernetes_version deliberately first "
    "(https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar)"
)

CASES = [
    Case(RULE, "policies-enforced", (CLUSTER, ENFORCING, COREDNS, DENY, NS)),
    Case(RULE, "no-policies-anywhere", (CLUSTER, PLAIN, EMPTY)),
    Case(RULE, "policies-without-a-cluster-here", (DENY, NS)),  # the cluster/ layer: the stage judges its add-on
    Case(
        RULE,
        "policies-unenforced",
        (CLUSTER, PLAIN, DENY),
        (A + f"configurationValues is unset while the stage has {POLICIES}; {WANT}",),
    ),
    Case(
        RULE,
        "policies-turned-off",
        (CLUSTER, OFF, DENY),
        (A + f'configurationValues is {{"enableNetworkPolicy": "false"}} while the stage has {POLICIES}; {WANT}',),
    ),
    Case(
        RULE,
        "namespaces-declared-for-another-layer",
        (CLUSTER, PLAIN, DECLARED),
        (
            A + "configurationValues is unset while the stage has namespaces shop-staging,jobs declared with "
            f"default-deny policies (K8S_NAMESPACES); {WANT}",
        ),
    ),
    Case(
        RULE,
        "only-another-clusters-add-on",
        (CLUSTER, OTHER_CLUSTERS_CNI, NS),
        (
            f"{EKS_CLUSTER} stg-cluster: no vpc-cni add-on while the stage has 1 namespace(s) created with "
            'default-deny policies; an add-on with configurationValues enableNetworkPolicy "true" required',
        ),
    ),
    eks("extended", {"version": "1.33", "upgradePolicy": {"supportType": "EXTENDED"}}),
    eks("no-recorded-end", {"version": "1.36", "upgradePolicy": {"supportType": "STANDARD"}}),
    eks("unknown-version", {"version": "1.99", "upgradePolicy": {"supportType": "STANDARD"}}),
    eks("standard-after-the-end", {"version": "1.33", "upgradePolicy": {"supportType": "STANDARD"}}, ENDED),
]

UNPARSABLE = res(
    ADDON, "stg-vpc-cni", {"addonName": "vpc-cni", "clusterName": "shop-staging", "configurationValues": "{oops"}
)
CASES.append(
    Case(
        RULE,
        "unparsable-configuration",
        (CLUSTER, UNPARSABLE, DENY),
        (A + f"configurationValues is {{oops while the stage has {POLICIES}; {WANT}",),
    )
)
