"""Offline lint of the repository's own GitHub workflows: zizmor, the workflow JSON schema, and our rules."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^\s*(?:- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
OIDC_ACTION = "aws-actions/configure-aws-credentials@"


def _tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{name} is missing from {BIN}; install requirements-dev.txt"
    return str(path)


def _load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return doc


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = job.get("steps", [])
    return steps


def test_the_expected_workflows_exist() -> None:
    assert [f.name for f in FILES] == ["ci.yml", "deploy.yml", "drift.yml", "preview.yml"]


def test_zizmor_finds_nothing() -> None:
    result = subprocess.run(
        [_tool("zizmor"), "--offline", "--no-progress", str(WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_match_the_github_workflow_schema() -> None:
    result = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, FILES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_with_its_version(path: Path) -> None:
    uses = [line for line in path.read_text(encoding="utf-8").splitlines() if re.match(r"^\s*(- )?uses:", line)]
    assert uses
    assert [line for line in uses if not PINNED.match(line)] == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_permissions_are_least_privilege_per_job(path: Path) -> None:
    doc = _load(path)
    assert doc["permissions"] in ({}, {"contents": "read"})
    for name, job in doc["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} sets no permissions"
        oidc = any(str(s.get("uses", "")).startswith(OIDC_ACTION) for s in _steps(job))
        assert (job["permissions"].get("id-token") == "write") is oidc, f"{path.name}: {name} id-token"
        writes = {k for k, v in job["permissions"].items() if v == "write"} - {"id-token"}
        assert writes <= {"pull-requests", "issues"}, f"{path.name}: {name} writes {writes}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_checkouts_drop_credentials_and_run_steps_take_no_event_data(path: Path) -> None:
    for job in _load(path)["jobs"].values():
        for step in _steps(job):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            assert "github.event" not in step.get("run", "")
            assert "${{" not in step.get("run", ""), "pass expressions to run steps through env"


def test_deploy_gates_production_behind_staging_and_its_environment() -> None:
    jobs = _load(WORKFLOWS / "deploy.yml")["jobs"]
    assert jobs["production"]["needs"] == "staging"
    assert (jobs["staging"]["environment"], jobs["production"]["environment"]) == ("staging", "production")
    for stack, job in jobs.items():
        assert job["concurrency"] == {"group": f"stack-{stack}", "cancel-in-progress": False}
        (up,) = [s for s in _steps(job) if str(s.get("uses", "")).startswith("pulumi/actions@")]
        assert up["with"]["command"] == "up" and up["with"]["stack-name"] == stack


def test_preview_runs_pulumi_only_with_credentials_and_plans_offline_for_forks() -> None:
    jobs = _load(WORKFLOWS / "preview.yml")["jobs"]
    assert jobs["pulumi-preview"]["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    assert "if" not in jobs["offline-plan"] and "id-token" not in jobs["offline-plan"]["permissions"]
    (preview,) = [s for s in _steps(jobs["pulumi-preview"]) if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert preview["with"]["command"] == "preview"
    assert preview["with"]["comment-on-pr"] is True and preview["with"]["policyPacks"] == "policy"
    run = "\n".join(s.get("run", "") for s in _steps(jobs["offline-plan"]))
    assert '.venv/bin/stagecraft plan "$STACK"' in run and '.venv/bin/stagecraft graph "$STACK"' in run


def test_drift_checks_every_stack_nightly_and_only_the_report_writes_issues() -> None:
    doc = _load(WORKFLOWS / "drift.yml")
    raw: dict[Any, Any] = doc
    triggers: dict[str, Any] = raw.get("on") or raw[True]  # PyYAML reads the `on` key as True
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    detect, report = doc["jobs"]["detect"], doc["jobs"]["report"]
    assert detect["strategy"]["matrix"]["stack"] == ["staging", "production"]
    run = "\n".join(s.get("run", "") for s in _steps(detect))
    assert "pulumi preview --stack" in run and "--refresh --expect-no-changes" in run
    assert report["permissions"] == {"issues": "write"}
    assert report["env"]["TITLE"] == "Infrastructure drift detected"
