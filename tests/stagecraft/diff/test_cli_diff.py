"""``stagecraft diff`` and ``plan --against`` end to end, on plans of the shipped stacks changed in ways that matter."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stagecraft import cli
from stagecraft.diff import DIFF_SCHEMA_VERSION
from tests.shipped import ROOT
from tests.stagecraft.diff.conftest import PlanFile

INSTANCE = (
    "urn:pulumi:production::stagecraft::stagecraft:data:Database$aws:rds/instance:Instance"
    "::amani-backend-production-instance"
)


def _diff(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = cli.main(["diff", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def _change(document: dict[str, Any], urn: str) -> dict[str, Any]:
    return next(c for c in document["changes"] if c["urn"] == urn)


def test_identical_plans_change_nothing(plan_file: PlanFile, capsys: pytest.CaptureFixture[str]) -> None:
    base, head = plan_file("production", "base"), plan_file("production", "head")
    code, document = _diff(capsys, str(base), str(head))
    assert code == 0
    assert document["schema_version"] == DIFF_SCHEMA_VERSION
    assert document["hazards"] == []
    assert {c["kind"] for c in document["changes"]} == {"unchanged"}
    assert document["counts"]["unchanged"] == len(json.loads(base.read_text())["resources"])
    assert (document["cost"]["delta_usd"], document["cost"]["delta_is"]) == (0.0, "exact")
    assert document["deploy"]["creates_and_replacements"]["p50_minutes"] == 0.0


def test_a_tag_change_updates_the_tags_of_every_tagged_resource_and_nothing_else(
    plan_file: PlanFile, capsys: pytest.CaptureFixture[str]
) -> None:
    base, head = plan_file("production", "base"), plan_file("production", "team", {"tags": {"team": "ledger"}})
    code, document = _diff(capsys, str(base), str(head))
    assert code == 0
    assert document["hazards"] == []
    updates = [c for c in document["changes"] if c["kind"] != "unchanged"]
    assert updates and {c["kind"] for c in updates} == {"update"}
    # Mock ids are derived from names, so nothing that merely reads an id of a retagged resource changes.
    paths = {p["path"] for c in updates for p in c["paths"]}
    assert "tags.team" in paths and {p for p in paths if not p.endswith("tags.team")} == set()
    assert {(p["before"], p["after"], p["forces_replace"]) for c in updates for p in c["paths"]} == {
        ("payments", "ledger", False)
    }
    assert _change(document, INSTANCE)["kind"] == "update"


def test_a_new_database_name_replaces_the_database_and_is_a_hazard(
    plan_file: PlanFile, capsys: pytest.CaptureFixture[str]
) -> None:
    base = plan_file("production", "base")
    head = plan_file("production", "dbname", {"database": {"db_name": "ledger"}})
    code, document = _diff(capsys, str(base), str(head))
    assert code == 1
    instance = _change(document, INSTANCE)
    assert (instance["kind"], instance["replace_paths"]) == ("replace", ["dbName"])
    assert instance["paths"] == [{"path": "dbName", "before": "app", "after": "ledger", "forces_replace": True}]
    rules = [h["rule"] for h in document["hazards"] if h["urn"] == INSTANCE]
    # protect + retainOnDelete + a fixed identifier replaced create-before-delete + a database at all.
    assert rules == ["protected", "retained", "name-collision", "stateful"]
    # What reads the database's endpoint or ARN gets new values the offline plan cannot show.
    assert any(INSTANCE in c["after_replacement_of"] for c in document["changes"])
    timed = document["deploy"]["creates_and_replacements"]
    assert timed["p50_minutes"] > 0 and INSTANCE in timed["critical_path"]
    # The migration task's container definitions carry DB_NAME: a replacement found inside the JSON string.
    task = next(c for c in document["changes"] if c["type"] == "aws:ecs/taskDefinition:TaskDefinition")
    assert task["kind"] == "replace"
    assert [(p["path"], p["json_path"], p["after"]) for p in task["paths"]] == [
        ("containerDefinitions", "[0].environment[2].value", "ledger")
    ]


def test_hazards_come_first_in_text_and_markdown(plan_file: PlanFile, capsys: pytest.CaptureFixture[str]) -> None:
    base = plan_file("production", "base")
    head = plan_file("production", "dbname", {"database": {"db_name": "ledger"}})
    assert cli.main(["diff", str(base), str(head)]) == 1
    text = capsys.readouterr().out
    assert text.index("Hazards (4):") < text.index("± replace")
    assert 'dbName: "app" -> "ledger"  (forces replacement)' in text
    assert cli.main(["diff", str(base), str(head), "--format", "markdown"]) == 1
    markdown = capsys.readouterr().out
    assert markdown.index("**stateful**") < markdown.index("<details><summary>Database amani-backend-production:")
    assert "<details>" in markdown and markdown.count("<details>") == markdown.count("</details>")
    assert re.search(r"Cost: (at least )?\$", markdown) and "Deploy time: fresh deploy" in markdown


def test_a_removed_database_deletes_a_protected_resource(
    plan_file: PlanFile, capsys: pytest.CaptureFixture[str]
) -> None:
    base = plan_file("production", "base")
    head = plan_file("production", "nodb", {"database": {"enabled": False}})
    code, document = _diff(capsys, str(base), str(head))
    assert code == 1
    assert _change(document, INSTANCE)["kind"] == "delete"
    assert ("protected", INSTANCE, "delete") in {(h["rule"], h["urn"], h["kind"]) for h in document["hazards"]}
    deleted = next(i for i in document["cost"]["items"] if i["urn"] == INSTANCE)
    # The database has no list price (docs/cost.md): deleting it lowers the bill by an unknown amount, so the
    # delta is an upper bound, never a made-up figure.
    assert deleted["before_usd"] is None and deleted["after_usd"] == 0.0
    assert deleted["delta_is"] == "upper_bound" and deleted["delta_usd"] <= 0
    assert document["cost"]["delta_is"] == "upper_bound" and document["cost"]["delta_usd"] <= 0


def test_format_json_and_json_print_the_same_document(plan_file: PlanFile, capsys: pytest.CaptureFixture[str]) -> None:
    base, head = str(plan_file("production", "base")), str(plan_file("production", "team", {"tags": {"team": "x"}}))
    assert cli.main(["diff", base, head, "--json"]) == 0
    first = capsys.readouterr().out
    assert cli.main(["diff", base, head, "--format", "json"]) == 0
    assert capsys.readouterr().out == first
    assert cli.main(["diff", base, head, "--json", "--format", "markdown"]) == 2


def _error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = cli.main(["diff", *argv, "--json"])
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert (code, document["exit_code"], document["error"]["kind"]) == (2, 2, "input")
    assert "Traceback" not in captured.err
    message: str = document["error"]["message"]
    return message


def test_bad_input_exits_2_with_an_error_document(
    plan_file: PlanFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = plan_file("production", "base")
    assert "cannot read" in _error(capsys, str(tmp_path / "missing.json"), str(base))
    (tmp_path / "text.json").write_text("not json")
    assert "is not JSON" in _error(capsys, str(base), str(tmp_path / "text.json"))
    (tmp_path / "other.json").write_text(json.dumps({"schema_version": 1, "include": []}))
    assert "is not a plan document" in _error(capsys, str(base), str(tmp_path / "other.json"))
    document = json.loads(base.read_text())
    (tmp_path / "v9.json").write_text(json.dumps({**document, "schema_version": 9}))
    assert "schema_version 9" in _error(capsys, str(base), str(tmp_path / "v9.json"))
    failed = {"schema_version": 1, "command": "plan", "exit_code": 2, "error": {"message": "bad key"}}
    (tmp_path / "failed.json").write_text(json.dumps(failed))
    assert "error document of a failed plan: bad key" in _error(capsys, str(base), str(tmp_path / "failed.json"))
    staging = plan_file("staging", "staging")
    assert "different stacks" in _error(capsys, str(base), str(staging))
    (tmp_path / "broken.json").write_text(json.dumps({**document, "resources": [{"urn": "u"}]}))
    assert "not a plan resource" in _error(capsys, str(base), str(tmp_path / "broken.json"))


def test_plan_against_a_base_plan_prints_the_diff(plan_file: PlanFile, capsys: pytest.CaptureFixture[str]) -> None:
    same = plan_file("production", "base")
    assert cli.main(["--cwd", str(ROOT), "plan", "production", "--against", str(same), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["head"] == "plan of production"
    assert document["counts"]["update"] == document["counts"]["replace"] == 0
    renamed = plan_file("production", "dbname", {"database": {"db_name": "ledger"}})
    assert cli.main(["--cwd", str(ROOT), "plan", "production", "--against", str(renamed), "--format", "markdown"]) == 1
    assert "**stateful**" in capsys.readouterr().out
    assert cli.main(["--cwd", str(ROOT), "plan", "production", "--format", "markdown"]) == 2
    assert "needs --against" in capsys.readouterr().err
