"""The plan shows the stage's zones: names, IDs and the instance types they were checked for.

What the config fixes prints as written; what the account decides prints as its lookup, never the mocks' pair.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from stagecraft import cli
from stagecraft.plan.build import plan_stack
from stagecraft.plan.render import render_plan, render_zones

ROOT = Path(__file__).resolve().parents[2]


def test_the_json_plan_shows_the_zones_and_what_was_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--cwd", str(ROOT), "plan", "production", "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert plan["outputs"]["zones"] == {
        "zones": [
            {"name": "us-east-1a", "id": "use1-az1"},
            {"name": "us-east-1b", "id": "use1-az2"},
            {"name": "us-east-1c", "id": "use1-az3"},
        ],
        "source": "count",
        "checked_instance_types": ["m6g.large", "m7g.large", "db.t4g.medium", "Fargate (Linux)"],
        "skipped": {},
    }
    assert plan["outputs"]["availability_zones"] == ["us-east-1a", "us-east-1b", "us-east-1c"]


def test_the_text_plan_lists_the_zones_by_id(project: Path) -> None:
    path = project / "Pulumi.staging.yaml"
    stack = yaml.safe_load(path.read_text())
    stack["config"]["stagecraft:stage"]["network"]["zone_ids"] = ["use1-az4", "use1-az2"]
    path.write_text(yaml.safe_dump(stack))
    text = render_plan(plan_stack(project, "staging"))
    assert (
        "Zones: the configured zone_ids, each checked for t4g.medium, db.t4g.micro, Fargate (Linux)\n"
        "  use1-az4      <- aws.getAvailabilityZones().names[3]\n"
        "  use1-az2      <- aws.getAvailabilityZones().names[1]\n"
    ) in text


def test_the_text_plan_shows_zones_the_account_chooses_as_lookups_not_as_the_mocks_pairs() -> None:
    text = render_plan(plan_stack(ROOT, "staging"))
    zones = text[text.index("Zones:") :].split("\n\n", 1)[0]
    assert zones.splitlines()[1:] == [
        "  <- aws.getAvailabilityZones().zoneIds[0]  <- aws.getAvailabilityZones().names[0]",
        "  <- aws.getAvailabilityZones().zoneIds[1]  <- aws.getAvailabilityZones().names[1]",
    ]
    assert "use1-az" not in zones and "us-east-1a" not in zones


def test_skipped_zones_are_listed_and_other_layers_show_no_zones() -> None:
    choice = {
        "zones": [{"name": "us-east-1b", "id": "use1-az2"}],
        "source": "count",
        "checked_instance_types": [],
        "skipped": {"use1-az1": ["m7g.large"]},
    }
    assert render_zones({"zones": choice}) == [
        "Zones: the first zone IDs, in order, that offer nothing (no instance types to check)",
        "  use1-az2      us-east-1b",
        "  skipped use1-az1: lacks m7g.large",
        "",
    ]
    assert render_zones({}) == []
