"""The examples/ programs run under the offline plan's mocks, as their own projects."""

from __future__ import annotations

import runpy
from contextlib import chdir
from pathlib import Path

import yaml

from stagecraft.plan.mocks import PlanMocks
from stagecraft.plan.runner import run_program
from stagecraft.rules import evaluate

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = ROOT / "examples" / "minimal"


def _run(program: Path) -> None:
    """Run a ``__main__.py`` as the Python language host does (``runpy``)."""
    runpy.run_path(str(program))


def test_the_minimal_example_builds_its_components_and_passes_the_rules() -> None:
    project = yaml.safe_load((MINIMAL / "Pulumi.yaml").read_text())
    with chdir(MINIMAL):
        inventory = run_program(
            lambda: _run(MINIMAL / "__main__.py"),
            project=project["name"],
            stack="dev",
            config={"aws:region": "us-east-1"},
            mocks=PlanMocks(),
        )
    components = sorted(r.type for r in inventory.resources if not r.custom)
    assert components == ["stagecraft:data:Registry", "stagecraft:data:StageKey", "stagecraft:network:Network"]
    assert set(inventory.outputs) == {"vpc_id", "private_subnet_ids", "repository_url"}
    assert len(inventory.of_type("aws:ec2/natGateway:NatGateway")) == 1
    mandatory = [f for f in evaluate(inventory, "development") if f.level == "mandatory"]
    assert mandatory == []


def test_the_example_installs_the_repository_it_uses() -> None:
    lines = (MINIMAL / "requirements.txt").read_text().splitlines()
    assert "-e ../.." in lines and "-c ../../constraints.txt" in lines
