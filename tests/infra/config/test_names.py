"""Every derived physical name valid at the documented maximum lengths, and checked in config validation; every
resource within AWS's tag limit at the most extra tags."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from components import naming
from components.errors import yaml_value
from infra.config import ConfigError, load_stage_config
from infra.config.data import REPOSITORY_NAME_MAX
from infra.config.names import PLACEHOLDER_ACCOUNT, derived_name_problems, derived_names
from infra.config.stage import APP_NAME_MAX, STAGE_NAME_MAX, TAGS_MAX
from stagecraft.plan.build import PlanResult, plan_stack
from stagecraft.rules.names import PHYSICAL_NAMES, physical_name
from tests.infra.config.conftest import values

ROOT = Path(__file__).resolve().parents[3]
LONGEST_APP = "a" * APP_NAME_MAX
LONGEST_STAGE = "s" * STAGE_NAME_MAX
LONGEST_GROUP = "g" * 32
"""The node group name's documented maximum (docs/configuration.md, compute.eks.node_groups[].name)."""
LONGEST_NAMESPACE = "n" * 63


def _longest(stage: dict[str, Any]) -> dict[str, Any]:
    """``stage`` (a ``stagecraft:stage`` map) with every name-bearing setting at its documented maximum."""
    stage = dict(stage)
    stage["app"] = LONGEST_APP
    stage["tags"] = {f"cost-center-{n}": "x" for n in range(TAGS_MAX)}
    stage["registries"] = {"repositories": ["api", "r" * REPOSITORY_NAME_MAX]}
    stage["backups"] = {"replication_region": "ap-southeast-2"}
    compute = dict(stage.get("compute", {}))
    eks = dict(compute.get("eks", {}))
    eks["enabled"] = True
    eks["node_groups"] = [
        {
            "name": LONGEST_GROUP,
            "instance_types": ["m7g.large", "m6g.large"],
            "min_size": 3,
            "desired_size": 3,
            "max_size": 6,
        }
    ]
    compute["eks"] = eks
    compute["namespaces"] = [{"allow_ingress_from": ["ingress-nginx"]}, {"name": LONGEST_NAMESPACE}]
    stage["compute"] = compute
    return stage


def _longest_production() -> dict[str, Any]:
    """The production stack's config map with every name-bearing setting at its documented maximum."""
    config: dict[str, Any] = yaml.safe_load((ROOT / "Pulumi.production.yaml").read_text())["config"]
    config["stagecraft:stage"] = _longest(config["stagecraft:stage"])
    return config


@pytest.fixture(scope="module")
def longest_stage(tmp_path_factory: pytest.TempPathFactory) -> PlanResult:
    """The production stack with the longest app, stage, node group, repository and namespace names, and the most
    tags, planned."""
    root = tmp_path_factory.mktemp("longest")
    shutil.copy(ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copy(ROOT / "__main__.py", root / "__main__.py")
    document = yaml.safe_load((ROOT / "Pulumi.production.yaml").read_text())
    document["config"] = _longest_production()
    (root / f"Pulumi.{LONGEST_STAGE}.yaml").write_text(yaml.safe_dump(document))
    return plan_stack(root, LONGEST_STAGE)


def _registered_names(result: PlanResult) -> set[tuple[str, str]]:
    """``(kind, name)`` of every named resource the plan registers (account ids as the config check writes them)."""
    found = set()
    for resource in result.inventory.resources:
        name = physical_name(resource)
        kind = PHYSICAL_NAMES[resource.type].kind if resource.type in PHYSICAL_NAMES else None
        # GitHub secret and variable names are fixed or checked where they are declared (github.secrets).
        if name is None or kind is None or kind in ("github-secret", "github-variable"):
            continue
        found.add((kind, re.sub(r"\b\d{12}\b", PLACEHOLDER_ACCOUNT, name)))
    return found


def _derived(result: PlanResult) -> set[tuple[str, str]]:
    config = result.stage_config
    return {(d.kind, d.name) for d in derived_names(config.settings, config.stage, config.region) if d.registered}


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_the_config_check_knows_every_name_the_shipped_stacks_register(stack: str) -> None:
    result = plan_stack(ROOT, stack)
    assert _derived(result) == _registered_names(result)


def test_the_config_check_knows_every_name_at_the_maximums(longest_stage: PlanResult) -> None:
    assert _derived(longest_stage) == _registered_names(longest_stage)


def test_every_name_is_valid_at_the_documented_maximums(longest_stage: PlanResult) -> None:
    config = longest_stage.stage_config
    assert config.stage == LONGEST_STAGE and config.settings.app == LONGEST_APP
    assert derived_name_problems(config.settings, config.stage, config.region) == []
    assert [f for f in longest_stage.findings if f["rule"] == "physical-name-valid"] == []
    # the names that came closest to their limits, so a longer suffix anywhere shows here first
    lengths = {
        kind: max(len(n) for k, n in _registered_names(longest_stage) if k == kind)
        for kind, _ in _derived(longest_stage)
    }
    assert lengths["iam-role"] <= naming.RULES["iam-role"].max_length
    assert lengths["eks-nodegroup"] == len(LONGEST_GROUP) + 1 + naming.PREFIX_SUFFIX <= 63


def _tag_maps(value: Any) -> list[dict[str, str]]:
    """Every ``tags`` map in a resource's inputs (a launch template's sit in ``tagSpecifications[].tags``)."""
    if isinstance(value, list):
        return [m for item in value for m in _tag_maps(item)]
    if not isinstance(value, dict):
        return []
    found = [value["tags"]] if isinstance(value.get("tags"), dict) else []
    return found + [m for key, item in value.items() if key != "tags" for m in _tag_maps(item)]


def test_no_resource_has_more_tags_than_aws_allows_at_the_most_extra_tags(longest_stage: PlanResult) -> None:
    counts = [len(tags) for r in longest_stage.inventory.resources for tags in _tag_maps(r.inputs)]
    assert len(longest_stage.stage_config.settings.tags) == TAGS_MAX
    # 50 user tags per resource: https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions
    # Reached exactly, so TAGS_MAX is not lower than it has to be.
    assert max(counts) == 50


@pytest.mark.parametrize(
    ("stage", "key", "message"),
    [
        ({"app": "a" * (APP_NAME_MAX + 1)}, "app", f"must be 2-{APP_NAME_MAX} lowercase letters"),
        (
            {
                "compute": {
                    "eks": {"enabled": True, "node_groups": [{"name": "g" * 33, "instance_types": ["t4g.medium"]}]}
                }
            },
            "compute.eks.node_groups[0].name",
            "must be 1-32 lowercase letters",
        ),
        (
            {"registries": {"repositories": ["r" * (REPOSITORY_NAME_MAX + 1)]}},
            "registries.repositories[0]",
            f"must be 1-{REPOSITORY_NAME_MAX} lowercase letters",
        ),
    ],
)
def test_one_over_a_maximum_is_a_config_error(stage: dict[str, Any], key: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_stage_config("staging", values(**stage))
    assert any(p.key == f"stagecraft:stage.{key}" and message in p.message for p in caught.value.problems)


def test_a_stage_name_one_over_its_maximum_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_stage_config("s" * (STAGE_NAME_MAX + 1), values())
    assert f"use 2-{STAGE_NAME_MAX} lowercase letters" in str(caught.value)


def test_a_derived_name_over_its_service_limit_is_a_config_error_at_the_setting(
    monkeypatch: pytest.MonkeyPatch, longest_stage: PlanResult
) -> None:
    """With IAM's limit one below the longest role the longest stage derives, the loader names app and stage."""
    longest_role = max(
        (n for k, n in _derived(longest_stage) if k == "iam-role" and not n.endswith("0000000")), key=len
    )
    rule = naming.RULES["iam-role"]
    monkeypatch.setitem(naming.RULES, "iam-role", dataclasses.replace(rule, max_length=len(longest_role) - 1))
    with pytest.raises(ConfigError) as caught:
        load_stage_config(LONGEST_STAGE, _longest_production(), check_secrets=False)
    messages = [str(p) for p in caught.value.problems]
    assert (
        f"stagecraft:stage.app: {LONGEST_APP!r} (with stage {LONGEST_STAGE!r}) derives a name the service rejects: "
        f"iam-role {longest_role!r} is {len(longest_role)} characters; allowed 1-{len(longest_role) - 1}"
    ) in "\n".join(messages)


def test_a_node_group_name_that_breaks_a_derived_name_is_reported_at_the_node_group(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rule = naming.RULES["eks-nodegroup"]
    monkeypatch.setitem(naming.RULES, "eks-nodegroup", dataclasses.replace(rule, max_length=40))
    group = {"name": "g" * 20, "instance_types": ["t4g.medium"]}
    with pytest.raises(ConfigError) as caught:
        eks = {
            "enabled": True,
            "node_groups": [group],
            "admin_principal_arns": ["arn:aws:iam::123456789012:role/platform-admin"],
            "endpoint_public_access": False,
        }
        load_stage_config("staging", values(compute={"eks": eks}))
    (problem,) = [p for p in caught.value.problems if "derives" in p.message]
    assert problem.key == "stagecraft:stage.compute.eks.node_groups[0].name"
    assert problem.message.startswith(f"{'g' * 20!r} derives a name the service rejects: eks-nodegroup ")


def test_one_tag_over_the_most_is_a_config_error_naming_the_count() -> None:
    tags = {f"t{n}": "x" for n in range(TAGS_MAX + 1)}
    with pytest.raises(ConfigError) as caught:
        load_stage_config("staging", values(tags=tags))
    assert [str(p) for p in caught.value.problems] == [
        f"stagecraft:stage.tags: {yaml_value(tags)} is not allowed: has 43 tags; at most 42 (AWS allows 50 per "
        "resource and stagecraft sets up to 8)"
    ]
