"""The replace-path data file covers every type the shipped stacks use, and its helpers decide collisions."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagecraft.plan.build import plan_stack
from stagecraft.replace import (
    forced_replace,
    is_fixed_name,
    known_types,
    name_inputs,
    provider_deletes_first,
    replace_paths,
    self_collision,
)
from tests.stagecraft.conftest import ROOT

SHIPPED: list[tuple[Path, str]] = [
    (ROOT, "staging"),
    (ROOT, "production"),
    (ROOT / "bootstrap", "amani-staging"),
    (ROOT / "bootstrap", "amani-production"),
    (ROOT / "repository", "amani-backend"),
    (ROOT / "cluster", "staging"),
    (ROOT / "cluster", "production"),
]
SG = "aws:ec2/securityGroup:SecurityGroup"


def shipped_stack_files() -> list[tuple[Path, str]]:
    """Every stack file of every layer the repository ships (so a new one cannot be forgotten here)."""
    found = []
    for folder in (ROOT, ROOT / "bootstrap", ROOT / "repository", ROOT / "cluster"):
        found += [(folder, f.name.removeprefix("Pulumi.").removesuffix(".yaml")) for f in folder.glob("Pulumi.*.yaml")]
    return sorted(found)


def test_the_list_of_shipped_stacks_is_complete() -> None:
    assert sorted(SHIPPED) == shipped_stack_files()


def test_every_type_a_shipped_stack_registers_is_described() -> None:
    used = {
        r.type
        for cwd, stack in SHIPPED
        for r in plan_stack(cwd, stack).inventory.resources
        if not r.type.startswith("stagecraft:")
    }
    assert sorted(used - known_types()) == []


def test_an_unknown_type_is_an_error_naming_it() -> None:
    with pytest.raises(KeyError, match="aws:nope/thing:Thing"):
        replace_paths("aws:nope/thing:Thing")


def test_checked_facts_of_the_provider_sources() -> None:
    assert {"description", "name", "namePrefix", "vpcId"} <= replace_paths(SG)
    assert "ingress" not in replace_paths(SG)
    assert {"identifier", "kmsKeyId", "dbName", "username"} <= replace_paths("aws:rds/instance:Instance")
    assert "instanceClass" not in replace_paths("aws:rds/instance:Instance")
    assert "vpcConfig.subnetIds" not in replace_paths("aws:eks/cluster:Cluster")
    assert {"name", "roleArn"} <= replace_paths("aws:eks/cluster:Cluster")
    assert {"policy", "repository"} <= replace_paths("aws:ecr/lifecyclePolicy:LifecyclePolicy")
    assert replace_paths("github:index/repositoryRuleset:RepositoryRuleset") == frozenset()
    assert "secretName" in replace_paths("github:index/actionsSecret:ActionsSecret")
    assert "roleRef" in replace_paths("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
    assert provider_deletes_first("kubernetes:core/v1:Namespace")
    assert not provider_deletes_first(SG)
    assert name_inputs(SG) == ("name", "namePrefix")


def test_a_name_makes_a_resource_fixed_named_a_prefix_does_not() -> None:
    assert is_fixed_name(SG, {"name": "app-db"})
    assert not is_fixed_name(SG, {"namePrefix": "app-db-"})
    assert not is_fixed_name(SG, {"name": ""})
    assert not is_fixed_name("aws:ec2/subnet:Subnet", {"cidrBlock": "10.0.0.0/24"})
    assert is_fixed_name("kubernetes:core/v1:Namespace", {"metadata": {"name": "app"}})


def test_forced_replace_lists_changed_forcing_paths_nested_and_in_lists() -> None:
    old = {"name": "a", "description": "x", "vpcId": "vpc-1", "tags": {"k": "1"}}
    assert forced_replace(SG, old, {**old, "description": "y", "tags": {"k": "2"}}) == ["description"]
    assert forced_replace(SG, old, old) == []
    ecr = "aws:ecr/repository:Repository"
    before = {"name": "r", "encryptionConfigurations": [{"encryptionType": "KMS"}]}
    after = {"name": "r", "encryptionConfigurations": [{"encryptionType": "AES256"}]}
    assert forced_replace(ecr, before, after) == [
        "encryptionConfigurations",
        "encryptionConfigurations.encryptionType",
    ]
    assert forced_replace("aws:eks/cluster:Cluster", {"vpcConfig": {"subnetIds": ["a"]}}, {}) == []


def test_self_collision_needs_a_fixed_name_a_forcing_change_and_the_same_identity() -> None:
    old = {"name": "app-db", "description": "old", "vpcId": "vpc-1"}
    changed = {**old, "description": "new"}
    assert self_collision(SG, old, changed, delete_before_replace=False) == ["description"]
    assert self_collision(SG, old, changed, delete_before_replace=True) == []
    assert self_collision(SG, old, {**changed, "name": "app-db-2"}, delete_before_replace=False) == []
    assert self_collision(SG, old, {**changed, "vpcId": "vpc-2"}, delete_before_replace=False) == []
    prefixed = {"namePrefix": "app-db-", "description": "old"}
    assert self_collision(SG, prefixed, {**prefixed, "description": "new"}, delete_before_replace=False) == []
    ns = "kubernetes:core/v1:ResourceQuota"
    quota = {"metadata": {"name": "q", "namespace": "app"}, "spec": {"scopes": ["A"]}}
    assert self_collision(ns, quota, {**quota, "spec": {"scopes": ["B"]}}, delete_before_replace=False) == []
