"""A stage outside the priced regions is reported unpriced by the real plan, never priced as us-east-1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from stagecraft import cli
from stagecraft.plan.build import plan_stack
from stagecraft.plan.render import render_plan


def _move(project: Path, region: str) -> None:
    path = project / "Pulumi.staging.yaml"
    stack = yaml.safe_load(path.read_text())
    stack["config"]["aws:region"] = region
    path.write_text(yaml.safe_dump(stack))


def test_an_eu_west_1_stage_has_no_total_and_lists_its_unpriced_resources(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _move(project, "eu-west-1")
    result = plan_stack(project, "staging")
    assert result.cost.region == "eu-west-1" and result.cost.monthly_usd is None
    text = render_plan(result)
    assert "Cost: unknown for eu-west-1 (prices are known for us-east-1 only)" in text
    assert cli.main(["--cwd", str(project), "plan", "staging", "--json"]) == 0
    cost = json.loads(capsys.readouterr().out)["cost"]
    assert cost["monthly_usd"] is None and cost["region_priced"] is False
    assert cost["region"] == "eu-west-1" and cost["priced_regions"] == ["us-east-1"]
    types = {u["type"] for u in cost["unpriced"]}
    assert {"aws:eks/cluster:Cluster", "aws:ec2/natGateway:NatGateway", "aws:rds/instance:Instance"} <= types
    assert cost["unpriced_count"] == len(cost["unpriced"])
    # Not a single us-east-1 figure leaks into an eu-west-1 item.
    assert all(i["monthly_usd"] is None and i["unit_prices"] == [] for i in cost["items"])


def test_the_us_east_1_staging_stage_is_a_lower_bound_while_its_database_is_unpriced(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = Path(__file__).resolve().parents[3]
    assert cli.main(["--cwd", str(root), "plan", "staging", "--json"]) == 0
    cost = json.loads(capsys.readouterr().out)["cost"]
    assert cost["region_priced"] is True and cost["monthly_usd"] is not None
    assert cost["total_is_lower_bound"] is True
    assert [u["type"] for u in cost["unpriced"]] == ["aws:rds/instance:Instance"]
