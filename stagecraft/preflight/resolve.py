"""Follow an id in a recorded input back to the resource that has it, as the offline plan's mocks gave it.

The plan records inputs with the ids the mocks returned (``sg-...``, ``subnet-...``) and the dependencies as
URNs, not which input came from which output. The mocks derive every id and computed output from the
resource's type, name and inputs (``stagecraft.plan.mocks``), so asking them again gives the same answer:
that is how a security group rule's ``securityGroupId`` is matched to the EKS cluster whose
``vpcConfig.clusterSecurityGroupId`` it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.plan.mocks import PlanMocks


def outputs_of(resource: RecordedResource, mocks: PlanMocks) -> tuple[str, dict[str, Any]]:
    """The ``(id, outputs)`` the mocks gave ``resource`` when it was planned."""
    args = pulumi.runtime.MockResourceArgs(resource.type, resource.name, dict(resource.inputs), custom=True)
    return mocks.new_resource(args)


def by_id(inventory: Inventory, mocks: PlanMocks) -> dict[str, RecordedResource]:
    """Every custom resource of ``inventory`` by its mock id."""
    return {outputs_of(r, mocks)[0]: r for r in inventory.resources if r.custom}


def cluster_security_groups(cluster: RecordedResource, mocks: PlanMocks) -> set[str]:
    """The security groups on an EKS cluster's network interfaces: the one EKS creates, plus any given in
    ``vpcConfig.securityGroupIds`` (https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html)."""
    vpc_config: Mapping[str, Any] = outputs_of(cluster, mocks)[1].get("vpcConfig") or {}
    given = [str(g) for g in vpc_config.get("securityGroupIds") or []]
    created = vpc_config.get("clusterSecurityGroupId")
    return {*given, *([str(created)] if created else [])}
