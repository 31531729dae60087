"""EKS rules that span resources or the calendar: NetworkPolicies enforced, standard support ending."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from components.eks_versions import SOURCE, release
from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.rules._util import as_map, label, show
from stagecraft.rules.model import MANDATORY, NOTICE, Options, Rule

EKS_CLUSTER = "aws:eks/cluster:Cluster"
ADDON = "aws:eks/addon:Addon"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
NAMESPACE = "kubernetes:core/v1:Namespace"
ENVIRONMENT_VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
NAMESPACES_VARIABLE = "K8S_NAMESPACES"
"""The stage variable listing the namespaces its config declares (``infra/program.py`` ``stage_variables``)."""
SUPPORT_WARNING_DAYS = 90
"""How long before the end of standard support the plan starts warning."""

_today: Callable[[], date] = date.today
"""The clock of the support notice (tests replace it)."""


def _network_policy_sources(inventory: Inventory) -> list[str]:
    """What in the inventory says the stage has NetworkPolicies to enforce, in whichever layer they are made.

    Every namespace Stagecraft creates carries ``default-deny-ingress`` and allow policies
    (``components/namespaces.py``), so declared namespaces mean NetworkPolicies, even when the ``cluster/``
    layer creates them and this inventory holds only the stage's ``K8S_NAMESPACES`` variable.
    """
    found = (
        [f"{len(inventory.of_type(NETWORK_POLICY))} NetworkPolicy object(s)"]
        if inventory.of_type(NETWORK_POLICY)
        else []
    )
    if inventory.of_type(NAMESPACE):
        found.append(f"{len(inventory.of_type(NAMESPACE))} namespace(s) created with default-deny policies")
    for variable in inventory.of_type(ENVIRONMENT_VARIABLE):
        value = variable.inputs.get("value")
        if variable.inputs.get("variableName") == NAMESPACES_VARIABLE and isinstance(value, str) and value.strip():
            found.append(f"namespaces {value} declared with default-deny policies ({NAMESPACES_VARIABLE})")
            break
    return found


def _enforces_network_policy(addon: RecordedResource) -> bool:
    raw = addon.inputs.get("configurationValues")
    try:
        values = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return False
    return isinstance(values, Mapping) and values.get("enableNetworkPolicy") == "true"


def _cluster_addons(inventory: Inventory, cluster: RecordedResource, name: str) -> list[RecordedResource]:
    cluster_name = cluster.inputs.get("name")
    return [
        a
        for a in inventory.of_type(ADDON)
        if a.inputs.get("addonName") == name
        and (cluster.urn in a.dependencies or (cluster_name and a.inputs.get("clusterName") == cluster_name))
    ]


def _network_policies_enforced(inventory: Inventory) -> list[tuple[str | None, str]]:
    sources = _network_policy_sources(inventory)
    if not sources:
        return []
    why = "; ".join(sources)
    found: list[tuple[str | None, str]] = []
    for cluster in inventory.of_type(EKS_CLUSTER):
        addons = _cluster_addons(inventory, cluster, "vpc-cni")
        if not addons:
            found.append(
                (
                    cluster.urn,
                    f"{label(cluster)}: no vpc-cni add-on while the stage has {why}; an add-on with "
                    'configurationValues enableNetworkPolicy "true" required',
                )
            )
        for addon in addons:
            if not _enforces_network_policy(addon):
                shown = show(addon.inputs.get("configurationValues"))
                found.append(
                    (
                        addon.urn,
                        f"{label(addon)}: configurationValues is {shown} while the stage has {why}; "
                        'enableNetworkPolicy "true" required (vpc-cni ignores NetworkPolicies otherwise)',
                    )
                )
    return found


def _support_ending(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    support = as_map(inputs.get("upgradePolicy")).get("supportType")
    version = inputs.get("version")
    entry = release(version) if isinstance(version, str) else None
    if support != "STANDARD" or entry is None or entry.standard_support_end is None:
        return []
    end = entry.standard_support_end
    days = (end - _today()).days
    if days > SUPPORT_WARNING_DAYS:
        return []
    when = f"ended on {end.isoformat()}" if days < 0 else f"ends on {end.isoformat()} (in {days} days)"
    return [
        f"version {version}: EKS standard support {when}; with upgradePolicy.supportType STANDARD EKS upgrades the "
        f"cluster to the next version by itself then: raise kubernetes_version deliberately first ({SOURCE})"
    ]


RULES = (
    Rule(
        "eks-network-policy-enforced",
        "A stage with NetworkPolicies (or namespaces, which get default-deny policies, in any layer) runs vpc-cni "
        'with enableNetworkPolicy "true".',
        "stagecraft",
        "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html",
        MANDATORY,
        stack_check=_network_policies_enforced,
    ),
    Rule(
        "eks-standard-support-ending",
        f"Notice: an EKS cluster on upgradePolicy STANDARD whose version leaves standard support within "
        f"{SUPPORT_WARNING_DAYS} days (or has left it) is about to be upgraded by EKS.",
        "stagecraft (FSBP EKS.2)",
        "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html#kubernetes-release-calendar",
        NOTICE,
        types=(EKS_CLUSTER,),
        check=_support_ending,
        notice=True,
    ),
)
