"""The CrossGuard policies and ``evaluate`` agree on every rule case (no PolicyPack is constructed)."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf import json_format, struct_pb2
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.rules import PROFILES, RULES, Profile, evaluate
from stagecraft.rules.crossguard import policies
from tests.stagecraft.rules.builders import Case, inventory, res
from tests.stagecraft.rules.cases import CASES

Violation = tuple[str, str | None, str]
PACK_RULES = {r.id for r in RULES if r.pack}


def engine_props(inputs: dict[str, Any]) -> Any:
    """Inputs the way the analyzer hands them to a policy: through protobuf (ints become floats)."""
    struct = json_format.ParseDict(inputs, struct_pb2.Struct())
    return unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(struct)))


def _opts(resource: RecordedResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        resource.protect,
        list(resource.ignore_changes),
        None,
        [],
        PolicyCustomTimeouts(0, 0, 0),
        [],
        resource.parent,
    )


def _collector(found: list[Violation], policy: str, resource_urn: str | None) -> Any:
    """A ``report_violation`` recording ``(policy, urn, message)``; resource policies report no URN."""

    def report(message: str, urn: str | None = None) -> None:
        found.append((policy, urn or resource_urn, message))

    return report


def run_pack(inv: Inventory, profile: str = "production") -> list[Violation]:
    """Every violation the pack reports for ``inv``, as ``(policy, urn, message)``."""
    found: list[Violation] = []
    stack_resources = [
        PolicyResource(r.type, engine_props(r.inputs), r.urn, r.name, _opts(r), None, None, [], {})
        for r in inv.resources
    ]
    by_urn = {p.urn: p for p in stack_resources}
    for resource, policy_resource in zip(inv.resources, stack_resources, strict=True):
        policy_resource.property_dependencies = {"x": [by_urn[d] for d in resource.dependencies if d in by_urn]}
    for policy in policies(profile):
        if isinstance(policy, ResourceValidationPolicy):
            for r in inv.resources:
                args = ResourceValidationArgs(r.type, engine_props(r.inputs), r.urn, r.name, _opts(r), None)
                try:
                    policy.validate(args, _collector(found, policy.name, r.urn))
                except _NotApplicableError:
                    found.append((policy.name, r.urn, "not applicable"))
        else:
            assert isinstance(policy, StackValidationPolicy)
            policy.validate(StackValidationArgs(stack_resources), _collector(found, policy.name, None))
    return sorted(found, key=lambda v: (v[0], v[1] or "", v[2]))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_pack_and_plan_agree(case: Case) -> None:
    inv = case.inventory()
    plan = sorted(
        ((f.rule, f.urn, f.message) for f in evaluate(inv, "production") if f.rule in PACK_RULES),
        key=lambda v: (v[0], v[1] or "", v[2]),
    )
    pack = [v for v in run_pack(inv) if v[2] != "not applicable"]
    assert pack == plan
    if case.rule in PACK_RULES:
        assert sorted(m for r, _, m in pack if r == case.rule) == sorted(case.messages)


def test_plan_only_rule_is_not_applicable_in_the_pack() -> None:
    secret = res("github:index/actionsSecret:ActionsSecret", "s", {"secretName": "X", "value": "plain"})
    assert ("github-secret-is-secret", secret.urn, "not applicable") in run_pack(inventory(secret))
    assert [f.rule for f in evaluate(inventory(secret), "production")] == ["github-secret-is-secret"]


@pytest.mark.parametrize("profile", PROFILES)
def test_policy_levels_follow_the_profile(profile: Profile) -> None:
    levels = {p.name: p.enforcement_level for p in policies(profile)}
    assert levels == {
        r.id: EnforcementLevel.MANDATORY if r.level(profile) == "mandatory" else EnforcementLevel.ADVISORY
        for r in RULES
    }
    assert {p.name: p.description for p in policies(profile)} == {r.id: r.description for r in RULES}


def test_unknown_values_surface_as_unknown_value_errors() -> None:
    vpc = res("aws:ec2/vpc:Vpc", "v", {})
    log = res("aws:ec2/flowLog:FlowLog", "f", {"trafficType": UNKNOWN_STRING_VALUE}, deps=(vpc,))
    (policy,) = [p for p in policies() if p.name == "vpc-flow-logs"]
    resources = [
        PolicyResource(r.type, engine_props(r.inputs), r.urn, r.name, _opts(r), None, None, [], {}) for r in (vpc, log)
    ]
    resources[1].dependencies = [resources[0]]
    assert isinstance(policy, StackValidationPolicy)
    with pytest.raises(UnknownValueError):
        policy.validate(StackValidationArgs(resources), _collector([], "vpc-flow-logs", None))
