"""``stagecraft plan`` plans every layer's stacks, told apart by their top-level config key."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.config.stackfiles import StackFileError
from stagecraft import cli
from stagecraft.plan.build import plan_stack
from tests.conftest import ShippedPlan
from tests.stagecraft.conftest import ROOT

SHIPPED = [
    (".", "staging", "stage"),
    (".", "production", "stage"),
    ("bootstrap", "amani-staging", "bootstrap"),
    ("bootstrap", "amani-production", "bootstrap"),
    ("repository", "amani-backend", "repository"),
    ("cluster", "staging", "cluster"),
    ("cluster", "production", "cluster"),
]


@pytest.mark.parametrize(("folder", "stack", "layer"), SHIPPED)
def test_every_shipped_stack_of_every_layer_plans_clean(
    shipped_plan: ShippedPlan, folder: str, stack: str, layer: str
) -> None:
    result = shipped_plan(ROOT / folder, stack)
    assert result.layer == layer and result.to_json()["layer"] == layer
    assert [f["rule"] for f in result.findings if f["level"] == "mandatory"] == []
    # The shared layers guard every stage, so they are judged at production's rules; a cluster stack at its stage's.
    expected = {"stage": result.config, "cluster": getattr(result.config, "stage", None)}.get(layer)
    assert result.profile == (getattr(expected, "profile", None) or "production")


def test_a_layer_stack_is_not_a_stage(shipped_plan: ShippedPlan) -> None:
    result = shipped_plan(ROOT / "bootstrap", "amani-staging")
    with pytest.raises(TypeError, match="is a bootstrap stack, not a stage"):
        result.stage_config  # noqa: B018


@pytest.mark.parametrize(
    ("config", "held"),
    [
        ("  aws:region: us-east-1\n", "none of them"),
        ("  stagecraft:stage: {}\n  stagecraft:account: {}\n", "stagecraft:stage, stagecraft:account"),
    ],
)
def test_a_stack_file_holds_exactly_one_layer_key(tmp_path: Path, config: str, held: str) -> None:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text((ROOT / "__main__.py").read_text())
    (tmp_path / "Pulumi.odd.yaml").write_text("config:\n" + config)
    with pytest.raises(StackFileError) as caught:
        plan_stack(tmp_path, "odd")
    assert str(caught.value) == (
        f"{tmp_path / 'Pulumi.odd.yaml'}: a stack file holds exactly one of stagecraft:stage, stagecraft:account, "
        f"stagecraft:repository, stagecraft:cluster; this one holds {held}"
    )


def test_the_cli_plans_a_layer_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--cwd", str(ROOT / "repository"), "plan", "amani-backend", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Plan of repository stack 'amani-backend' (project stagecraft-repository, profile production")
    assert "github:index/repositoryRuleset:RepositoryRuleset  amani-backend-tags-release-ruleset" in out
