"""The physical-name rule: set, prefixed and auto-named names against their services' rules."""

from __future__ import annotations

import inspect
import shutil
from pathlib import Path

import pulumi_aws
import pulumi_github
import pytest
import yaml

from infra.config.stage import APP_NAME_MAX, STAGE_NAME_MAX
from stagecraft import replace
from stagecraft.plan.build import plan_stack
from stagecraft.rules.names import PHYSICAL_NAMES, physical_name
from tests.stagecraft.factory import res

ROOT = Path(__file__).resolve().parents[3]
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
LAYERS = [(".", "staging"), (".", "production"), ("bootstrap", "amani-production"), ("repository", "amani-backend")]
LAYERS += [("cluster", "staging"), ("cluster", "production")]
UNNAMED = {
    "github:index/repositoryRuleset:RepositoryRuleset": "GitHub documents no limit for ruleset names; ours are fixed",
}
"""Types with a ``name`` input the rule does not check, and why."""


def test_kubernetes_names_come_from_metadata_or_the_providers_auto_name() -> None:
    assert physical_name(res(SERVICE_ACCOUNT, "sa", {"metadata": {"name": "migrations"}})) == "migrations"
    assert physical_name(res(SERVICE_ACCOUNT, "sa", {"metadata": {}})) == "sa-00000000"


def test_an_unnamed_type_or_an_unknown_name_is_not_judged() -> None:
    assert physical_name(res("aws:ec2/vpc:Vpc", "vpc")) is None
    assert physical_name(res("aws:ecs/taskDefinition:TaskDefinition", "task")) is None


def _has_name_input(type_: str) -> bool:
    package, module_class = type_.split(":", 1)
    module, cls = module_class.split(":")[0].split("/")[0], type_.rsplit(":", 1)[1]
    root = {"aws": pulumi_aws, "github": pulumi_github}.get(package)
    if root is None:
        return False
    holder = root if module == "index" else getattr(root, module)
    return "name" in inspect.signature(getattr(holder, cls)._internal_init).parameters


@pytest.mark.parametrize(("cwd", "stack"), LAYERS)
def test_every_named_type_the_layers_register_is_known(cwd: str, stack: str) -> None:
    result = plan_stack(ROOT / cwd, stack)
    types = {r.type for r in result.inventory.resources if r.custom}
    unknown = sorted(t for t in types if _has_name_input(t) and t not in PHYSICAL_NAMES and t not in UNNAMED)
    assert unknown == []
    assert [f for f in result.findings if f["rule"] == "physical-name-valid"] == []


def test_the_bootstrap_names_fit_at_the_longest_app_and_stage(tmp_path: Path) -> None:
    shutil.copy(ROOT / "bootstrap" / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(ROOT / "bootstrap" / "__main__.py", tmp_path / "__main__.py")
    document = yaml.safe_load((ROOT / "bootstrap" / "Pulumi.amani-production.yaml").read_text())
    (stage,) = document["config"]["stagecraft:account"]["stages"]
    stage.update(app="a" * APP_NAME_MAX, stage="s" * STAGE_NAME_MAX)
    (tmp_path / "Pulumi.longest.yaml").write_text(yaml.safe_dump(document))
    result = plan_stack(tmp_path, "longest")
    roles = [physical_name(r) for r in result.inventory.of_type("aws:iam/role:Role")]
    assert f"{'a' * APP_NAME_MAX}-{'s' * STAGE_NAME_MAX}-pulumi-preview" in roles
    assert [f for f in result.findings if f["rule"] == "physical-name-valid"] == []


NOT_A_COLLIDING_NAME = {
    "aws:ecs/taskDefinition:TaskDefinition": "a family gets a new revision per registration; it never collides",
}
"""Types whose name input the name rule checks but the replace data does not treat as a fixed name."""


def test_the_name_rule_and_the_replace_data_agree_on_where_each_type_keeps_its_name() -> None:
    """Two tables say which input is a type's physical name (this rule's and ``stagecraft.replace``'s)."""
    known = set(replace.known_types())
    for type_, spec in PHYSICAL_NAMES.items():
        if type_ not in known or type_ in NOT_A_COLLIDING_NAME:
            continue
        assert spec.name in replace.name_inputs(type_), type_
