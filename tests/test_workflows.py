"""Offline lint of the repository's own GitHub workflows: zizmor, the workflow JSON schema, actionlint, and
the invariants of docs/workflows.md, asserted on the parsed workflows."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
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
PULUMI_ACTION = "pulumi/actions@"
APP_TOKEN_ACTION = "actions/create-github-app-token@"
STACK_GROUP = "pulumi-${{ matrix.stack }}"
COMMENT_JOB = ("preview-comment.yml", "comment")
"""The only job that may write to pull requests: it posts the diff and runs none of the pull request's code."""
MATRIX_INCLUDE = re.compile(r"^\$\{\{ fromJSON\(needs\.(?P<job>[\w-]+)\.outputs\.(?P<output>\w+)\)\.include \}\}$")


def _tool(name: str) -> str:
    path = BIN / name
    assert path.exists(), f"{name} is missing from {BIN}; install requirements-dev.txt"
    return str(path)


def _load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return doc


def _jobs(name: str) -> dict[str, dict[str, Any]]:
    jobs: dict[str, dict[str, Any]] = _load(WORKFLOWS / name)["jobs"]
    return jobs


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = job.get("steps", [])
    return steps


def _uses(step: dict[str, Any], action: str) -> bool:
    return str(step.get("uses", "")).startswith(action)


def _all_jobs() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path in FILES:
        for name, job in _load(path)["jobs"].items():
            yield path.name, name, job


def _runs_pulumi(step: dict[str, Any]) -> bool:
    return (_uses(step, PULUMI_ACTION) and "command" in step.get("with", {})) or bool(
        re.search(r"^\s*pulumi (preview|up)\b", step.get("run", ""), re.MULTILINE)
    )


def test_the_expected_workflows_exist() -> None:
    assert [f.name for f in FILES] == ["ci.yml", "deploy.yml", "drift.yml", "preview-comment.yml", "preview.yml"]


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


def test_actionlint_finds_nothing() -> None:
    """Expressions, contexts, action inputs and runner labels (shellcheck is not installed here)."""
    result = subprocess.run(
        [_tool("actionlint"), "-shellcheck=", "-pyflakes=", *map(str, FILES)],
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
    assert doc["permissions"] == {}
    for name, job in doc["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} sets no permissions"
        oidc = any(_uses(s, OIDC_ACTION) for s in _steps(job))
        assert (job["permissions"].get("id-token") == "write") is oidc, f"{path.name}: {name} id-token"
        writes = {k for k, v in job["permissions"].items() if v == "write"} - {"id-token"}
        allowed = {"issues", "pull-requests"} if (path.name, name) == COMMENT_JOB else {"issues"}
        assert writes <= allowed, f"{path.name}: {name} writes {writes}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_checkouts_drop_credentials_and_run_steps_take_no_event_data(path: Path) -> None:
    for job in _load(path)["jobs"].values():
        for step in _steps(job):
            if _uses(step, "actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            assert "github.event" not in step.get("run", "")
            assert "${{" not in step.get("run", ""), "pass expressions to run steps through env"


CLUSTER_JOBS = {("deploy.yml", "cluster"), ("deploy.yml", "cluster-production")}
"""The jobs that apply a stage's Kubernetes objects: on the stage's in-VPC runner, after the stage's ``up``."""
RUNNER_LABEL = "codebuild-${{ matrix.runner_project }}-${{ github.run_id }}-${{ github.run_attempt }}"


def test_every_job_runs_on_a_fresh_runner_and_only_cluster_jobs_inside_the_vpc() -> None:
    """GitHub-hosted everywhere but the cluster layer: the stage's CodeBuild runner, a fresh container per job
    (the label names the run and attempt: docs.aws.amazon.com/codebuild/latest/userguide/action-runner-overview.html)
    """
    for path in FILES:
        assert "self-hosted" not in path.read_text(encoding="utf-8"), path.name
    runners = {(workflow, name): job["runs-on"] for workflow, name, job in _all_jobs()}
    assert {key for key, label in runners.items() if label != "ubuntu-latest"} == CLUSTER_JOBS
    assert {runners[key] for key in CLUSTER_JOBS} == {RUNNER_LABEL}


def test_every_job_with_an_oidc_token_runs_in_an_environment() -> None:
    """Every role trusts exactly one environment subject; a job without one could assume none."""
    for workflow, name, job in _all_jobs():
        if job["permissions"].get("id-token") == "write":
            assert job.get("environment"), f"{workflow}: {name}"


def test_each_stage_job_assumes_the_role_its_environment_is_trusted_for() -> None:
    pairs = {
        "${{ matrix.pulumi_deploy_role_arn }}": "${{ matrix.environment }}",
        "${{ matrix.pulumi_preview_role_arn }}": "${{ matrix.preview_environment }}",
    }
    seen = set()
    for workflow, name, job in _all_jobs():
        for step in _steps(job):
            if _uses(step, OIDC_ACTION) and "matrix" in step["with"]["role-to-assume"]:
                role = step["with"]["role-to-assume"]
                assert job["environment"] == pairs[role], f"{workflow}: {name}"
                assert step["with"]["aws-region"] == "${{ matrix.region }}"
                seen.add((workflow, name))
    assert seen == {
        ("deploy.yml", "up"),
        ("deploy.yml", "preview-production"),
        ("deploy.yml", "up-production"),
        ("drift.yml", "detect"),
        ("preview.yml", "pulumi-preview"),
        *CLUSTER_JOBS,
    }


def test_every_stack_matrix_comes_from_stagecraft_stacks_in_a_setup_job() -> None:
    """A new Pulumi.<stage>.yaml needs no workflow edit: no matrix lists stacks itself."""
    matrices = 0
    for path in FILES:
        jobs = _load(path)["jobs"]
        for name, job in jobs.items():
            if "strategy" not in job:
                continue
            matrices += 1
            assert set(job["strategy"]["matrix"]) == {"include"}, f"{path.name}: {name}"
            match = MATRIX_INCLUDE.fullmatch(job["strategy"]["matrix"]["include"])
            assert match, f"{path.name}: {name}"
            setup = jobs[match["job"]]
            assert match["job"] in job["needs"]
            assert match["output"] in setup["outputs"]
            run = "\n".join(s.get("run", "") for s in _steps(setup))
            assert ".venv/bin/stagecraft stacks --json" in run
    assert matrices == 8


def test_every_pulumi_run_uses_the_pinned_cli() -> None:
    spec = re.search(r"^pulumi~=(\d+)\.(\d+)$", (ROOT / "requirements.txt").read_text(encoding="utf-8"), re.M)
    assert spec
    uses = 0
    for path in FILES:
        doc = _load(path)
        for job in doc["jobs"].values():
            for step in _steps(job):
                if _uses(step, PULUMI_ACTION):
                    uses += 1
                    assert step["with"]["pulumi-version"] == "${{ env.PULUMI_VERSION }}", path.name
                    assert doc["env"]["PULUMI_VERSION"].startswith(f"{spec[1]}.{spec[2]}."), path.name
                    assert re.fullmatch(r"\d+\.\d+\.\d+", doc["env"]["PULUMI_VERSION"])
    assert uses == 8


def test_the_github_app_token_reaches_every_pulumi_step_as_github_token() -> None:
    checked = 0
    for workflow, name, job in _all_jobs():
        steps = _steps(job)
        pulumi = [i for i, s in enumerate(steps) if _runs_pulumi(s)]
        if (workflow, name) in CLUSTER_JOBS:  # Kubernetes objects only: no GitHub resource, so no GitHub token
            assert not any(_uses(s, APP_TOKEN_ACTION) or "GITHUB_TOKEN" in s.get("env", {}) for s in steps)
            continue
        if not pulumi:
            continue
        (mint,) = [i for i, s in enumerate(steps) if _uses(s, APP_TOKEN_ACTION)]
        token_id = steps[mint]["id"]
        for index in pulumi:
            assert mint < index, f"{workflow}: {name}"
            assert steps[index]["env"]["GITHUB_TOKEN"] == f"${{{{ steps.{token_id}.outputs.token }}}}"
            checked += 1
    assert checked == 6


def test_only_reviewed_deploy_jobs_mint_a_writing_token() -> None:
    """Preview environments admit unreviewed branches: they hold only the read-only App's key."""
    for workflow, name, job in _all_jobs():
        for step in _steps(job):
            if not _uses(step, APP_TOKEN_ACTION):
                continue
            inputs = step["with"]
            levels = {v for k, v in inputs.items() if k.startswith("permission-")}
            if job["environment"] in ("${{ matrix.environment }}", "repository"):
                assert inputs["private-key"] == "${{ secrets.STAGECRAFT_APP_PRIVATE_KEY }}", f"{workflow}: {name}"
                assert inputs["client-id"] == "${{ vars.STAGECRAFT_APP_ID }}"
                assert "write" in levels
            else:
                assert job["environment"] == "${{ matrix.preview_environment }}", f"{workflow}: {name}"
                assert inputs["private-key"] == "${{ secrets.STAGECRAFT_READER_APP_PRIVATE_KEY }}"
                assert inputs["client-id"] == "${{ vars.STAGECRAFT_READER_APP_ID }}"
                assert levels == {"read"}, f"{workflow}: {name}"


def test_policy_config_follows_the_stack_profile_and_stacks_must_exist() -> None:
    for workflow, name, job in _all_jobs():
        for step in _steps(job):
            if _uses(step, PULUMI_ACTION) and "command" in step["with"]:
                inputs = step["with"]
                assert inputs["upsert"] is False, f"{workflow}: {name}"
                if name == "repository":
                    assert inputs["work-dir"] == "repository"
                    continue
                if (workflow, name) in CLUSTER_JOBS:
                    # The policy pack judges AWS and GitHub resources; the cluster layer creates neither.
                    assert inputs["work-dir"] == "cluster" and "policyPacks" not in inputs
                    assert inputs["stack-name"] == "${{ matrix.cluster_stack }}"
                    assert inputs["cloud-url"] == "${{ matrix.backend_url }}"
                    continue
                assert inputs["policyPacks"] == "policy"
                assert inputs["policyPackConfigs"] == "${{ matrix.policy_config }}"
                assert inputs["cloud-url"] == "${{ matrix.backend_url }}"
                assert inputs["stack-name"] == "${{ matrix.stack }}"
                install = "\n".join(s.get("run", "") for s in _steps(job))
                assert "make policy-venv" in install, f"{workflow}: {name}"


def test_drift_and_deploy_of_a_stack_share_one_concurrency_group() -> None:
    groups = {
        (workflow, name): job.get("concurrency")
        for workflow, name, job in _all_jobs()
        if workflow in ("deploy.yml", "drift.yml") and "strategy" in job and (workflow, name) not in CLUSTER_JOBS
    }
    stack_jobs = [("deploy.yml", "up"), ("deploy.yml", "preview-production"), ("deploy.yml", "up-production")]
    expected = {"group": STACK_GROUP, "cancel-in-progress": False}
    assert groups == {key: dict(expected) for key in [*stack_jobs, ("drift.yml", "detect")]}


def test_deploy_orders_repository_then_stages_then_reviewed_production() -> None:
    jobs = _jobs("deploy.yml")
    raw: dict[Any, Any] = _load(WORKFLOWS / "deploy.yml")
    assert set(raw.get("on") or raw[True]) == {"push"}  # PyYAML reads the `on` key as True
    repository = jobs["repository"]
    assert repository["environment"] == "repository"
    assert repository["if"] == "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    assert repository["concurrency"] == {"group": "pulumi-repository", "cancel-in-progress": False}
    assert jobs["up"]["needs"] == jobs["preview-production"]["needs"] == ["stacks", "repository"]
    assert jobs["up-production"]["needs"] == ["stacks", "up", "preview-production"]
    # The cluster layer after its stage's up: the up creates the runner the cluster job is queued on.
    assert jobs["cluster"]["needs"] == ["stacks", "up"] and "needs.up.result == 'success'" in jobs["cluster"]["if"]
    assert jobs["cluster-production"]["needs"] == ["stacks", "up-production"]
    assert "needs.up-production.result == 'success'" in jobs["cluster-production"]["if"]
    for name in ("cluster", "cluster-production"):
        assert jobs[name]["concurrency"] == {
            "group": "pulumi-cluster-${{ matrix.cluster_stack }}",
            "cancel-in-progress": False,
        }
    assert "needs.preview-production.result == 'success'" in jobs["up-production"]["if"]
    assert jobs["up"]["environment"] == jobs["up-production"]["environment"] == "${{ matrix.environment }}"
    assert jobs["preview-production"]["environment"] == "${{ matrix.preview_environment }}"
    commands = {n: [s["with"]["command"] for s in _steps(j) if _runs_pulumi(s)] for n, j in jobs.items()}
    assert commands == {
        "stacks": [],
        "repository": ["up"],
        "up": ["up"],
        "preview-production": ["preview"],
        "up-production": ["up"],
        "cluster": ["up"],
        "cluster-production": ["up"],
    }


def test_pull_requests_preview_only_non_production_stacks_of_this_repository() -> None:
    jobs = _jobs("preview.yml")
    preview = jobs["pulumi-preview"]
    assert preview["if"].startswith("github.event.pull_request.head.repo.full_name == github.repository")
    assert MATRIX_INCLUDE.fullmatch(preview["strategy"]["matrix"]["include"])["output"] == "previewed"  # type: ignore[index]
    assert "select(.preview_on_pull_request)" in _steps(jobs["stacks"])[-1]["run"]
    offline = jobs["offline-plan"]
    assert "if" not in offline and offline["permissions"] == {"contents": "read"}
    assert "environment" not in offline and "secrets." not in yaml.safe_dump(offline)
    run = "\n".join(s.get("run", "") for s in _steps(offline))
    assert '.venv/bin/stagecraft plan "$STACK"' in run and '.venv/bin/stagecraft graph "$STACK"' in run


def test_drift_runs_nightly_and_only_the_report_writes_issues_when_all_are_clean() -> None:
    doc = _load(WORKFLOWS / "drift.yml")
    raw: dict[Any, Any] = doc
    triggers: dict[str, Any] = raw.get("on") or raw[True]
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    detect, report = doc["jobs"]["detect"], doc["jobs"]["report"]
    run = "\n".join(s.get("run", "") for s in _steps(detect))
    assert 'pulumi preview --stack "$STACK" --refresh --expect-no-changes' in run
    upload = next(s for s in _steps(detect) if _uses(s, "actions/upload-artifact@"))
    assert upload["if"] == "${{ !cancelled() }}"
    assert report["permissions"] == {"issues": "write"}
    assert report["env"]["EXPECTED"] == "${{ needs.stacks.outputs.names }}"
    steps = {s.get("name"): s for s in _steps(report)}
    assert steps["Close the issue"]["if"].startswith("steps.summary.outputs.all_clean == 'true'")
    assert "gh issue close" in steps["Close the issue"]["run"]
    closing = [s for s in _steps(report) if "gh issue close" in s.get("run", "")]
    assert closing == [steps["Close the issue"]]


# --- the scripts themselves, run with bash -e as the runner runs them, against fakes -----------------------------


def _script(workflow: str, job: str, step_id: str) -> str:
    (step,) = [s for s in _steps(_jobs(workflow)[job]) if s.get("id") == step_id]
    run: str = step["run"]
    return run


def _run_step(script: str, cwd: Path, env: dict[str, str]) -> dict[str, str]:
    """Run a step's script; returns what it wrote to $GITHUB_OUTPUT."""
    output = cwd / "github_output"
    output.touch()
    base = {"PATH": f"{cwd / 'bin'}:/usr/bin:/bin", "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": "/dev/null"}
    subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=base | env, check=True
    )
    return dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())


needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="jq (preinstalled on GitHub's runners) is missing")


def _fake_pulumi(tmp_path: Path, preview_json: str, code: int) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "preview-output").write_text(preview_json, encoding="utf-8")
    fake = tmp_path / "bin" / "pulumi"
    fake.write_text(
        '#!/bin/sh\n[ "$1" = login ] && exit 0\ncat "$(dirname "$0")/../preview-output"\n'
        f'echo "error: preview failed" >&2\nexit {code}\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)


CHANGES = '{"steps": [{"op": "%s", "urn": "urn:x"}], "changeSummary": {"same": 40, "%s": 1}}'


@needs_jq
@pytest.mark.parametrize(
    ("preview_json", "code", "status"),
    [
        ('{"changeSummary": {"same": 41}}', 0, "clean"),
        (CHANGES % ("update", "update"), 255, "drift"),
        (CHANGES % ("replace", "replace"), 255, "drift"),
        (CHANGES % ("delete", "delete"), 255, "drift"),
        ('{"changeSummary": {"same": 40, "read": 1}}', 255, "error"),  # no change counted: it failed otherwise
        (
            '{"diagnostics": [{"severity": "error", "message": "AccessDenied"}], "changeSummary": {"update": 1}}',
            255,
            "error",
        ),
        ("not json: the CLI crashed", 255, "error"),
        ("", 1, "error"),
    ],
)
def test_drift_detection_tells_drift_from_failure(tmp_path: Path, preview_json: str, code: int, status: str) -> None:
    _fake_pulumi(tmp_path, preview_json, code)
    script = _script("drift.yml", "detect", "check")
    outputs = _run_step(script, tmp_path, {"STACK": "staging", "BACKEND_URL": "s3://bucket", "GITHUB_TOKEN": "t"})
    assert outputs == {"status": status}
    recorded = json.loads((tmp_path / "drift" / "staging.status.json").read_text(encoding="utf-8"))
    assert recorded == {"stack": "staging", "status": status, "exit_code": code}
    assert (tmp_path / "drift" / "staging.md").exists() is (status != "clean")


@needs_jq
@pytest.mark.parametrize(
    ("statuses", "all_clean", "drifted", "failed"),
    [
        ({"staging": "clean", "production": "clean"}, "true", "", ""),
        ({"staging": "drift", "production": "clean"}, "false", "staging", ""),
        ({"staging": "clean", "production": "error"}, "false", "", "production"),
        ({"staging": "clean"}, "false", "", "production"),  # production's job died before recording anything
        ({"staging": "drift", "production": "error"}, "false", "staging", "production"),
    ],
)
def test_the_drift_report_closes_only_when_every_stack_reported_clean(
    tmp_path: Path, statuses: dict[str, str], all_clean: str, drifted: str, failed: str
) -> None:
    (tmp_path / "drift").mkdir()
    for stack, status in statuses.items():
        (tmp_path / "drift" / f"{stack}.status.json").write_text(json.dumps({"status": status}), encoding="utf-8")
        (tmp_path / "drift" / f"{stack}.md").write_text(f"### {stack}: {status}\n", encoding="utf-8")
    (tmp_path / "bin").mkdir()
    env = {"EXPECTED": '["production", "staging"]', "RUN_URL": "https://run"}
    outputs = _run_step(_script("drift.yml", "report", "summary"), tmp_path, env)
    assert outputs == {"all_clean": all_clean, "drifted": drifted, "failed": failed}
    body = (tmp_path / "body.md").read_text(encoding="utf-8")
    assert ("### staging: drift" in body) is bool(drifted)


@needs_jq
@pytest.mark.parametrize(
    ("ref", "stages", "production"),
    [
        ("refs/heads/develop", ["staging"], []),
        ("refs/heads/main", [], ["production"]),
        ("refs/tags/v2.0.0", [], ["production"]),
        ("refs/heads/feature/x", [], []),
    ],
)
def test_deploy_splits_the_stacks_of_the_pushed_ref(
    tmp_path: Path, ref: str, stages: list[str], production: list[str]
) -> None:
    (tmp_path / "bin").mkdir()
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.staging.yaml", "Pulumi.production.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "cluster", tmp_path / "cluster", ignore=shutil.ignore_patterns(".venv", "__pycache__"))
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "stagecraft").symlink_to(BIN / "stagecraft")
    outputs = _run_step(_script("deploy.yml", "stacks", "list"), tmp_path, {"REF": ref})
    assert [e["stack"] for e in json.loads(outputs["stages"])["include"]] == stages
    assert [e["stack"] for e in json.loads(outputs["production"])["include"]] == production
    assert (outputs["stages_count"], outputs["production_count"]) == (str(len(stages)), str(len(production)))


PIP_INSTALL = re.compile(r"^(?P<venv>\S+)/bin/pip install --disable-pip-version-check --quiet (?P<args>.+)$", re.M)


def test_every_install_is_the_hashed_lock_then_the_project_without_dependencies() -> None:
    """The lock goes first, with --require-hashes and --no-deps (it holds its closure: pip resolving it again
    refuses an extra's newest release as unpinned, pypa/pip#9644), then the repository with --no-deps (hash-checking
    mode refuses an editable install); nothing resolves a range at deploy time."""
    installs = 0
    for workflow, name, job in _all_jobs():
        run = "\n".join(s.get("run", "") for s in _steps(job))
        assert "pip install -r" not in run and "requirements.txt" not in run, f"{workflow}: {name}"
        found = [(m["venv"], m["args"]) for m in PIP_INSTALL.finditer(run)]
        assert len(found) == run.count("pip install"), f"{workflow}: {name}: an install with other options"
        for venv in {v for v, _ in found}:
            steps = [a for v, a in found if v == venv]
            assert steps == ["--require-hashes --no-deps -r requirements.lock", "--no-deps -e ."]
            assert re.search(rf"^python3?(\.\d+)? -m venv {re.escape(venv)}$", run, re.M), f"{workflow}: {name}"
            installs += 1
    assert installs == 14


# --- the pull request's diff comment (preview.yml job diff, preview-comment.yml) ----------------------------------


def test_the_pull_request_diff_runs_unprivileged_and_plans_each_side_with_its_own_code() -> None:
    diff = _jobs("preview.yml")["diff"]
    assert diff["permissions"] == {"contents": "read"}
    assert "environment" not in diff and "if" not in diff, "it must run for forks too"
    assert "secrets." not in yaml.safe_dump(diff) and "id-token" not in yaml.safe_dump(diff)
    checkouts = [s for s in _steps(diff) if _uses(s, "actions/checkout@")]
    assert [c["with"].get("ref") for c in checkouts] == [None, "${{ github.event.pull_request.base.sha }}"]
    assert checkouts[1]["with"]["path"] == "base"
    base_install = next(s for s in _steps(diff) if s.get("working-directory") == "base")
    assert "--require-hashes --no-deps -r requirements.lock" in base_install["run"]
    run = _script("preview.yml", "diff", "diff")
    assert "(cd base && .venv-base/bin/stagecraft plan" in run, "the base is planned by the base's own program"
    assert '.venv/bin/stagecraft diff "plans/base-$stack.json" "plans/head-$stack.json" --format markdown' in run
    assert 'cat diff/comment.md >> "$GITHUB_STEP_SUMMARY"' in run
    upload = next(s for s in _steps(diff) if _uses(s, "actions/upload-artifact@"))
    assert (upload["with"]["name"], upload["with"]["path"], upload["if"]) == ("stagecraft-diff", "diff/", "always()")


def test_the_comment_workflow_never_runs_pull_request_code() -> None:
    doc = _load(WORKFLOWS / "preview-comment.yml")
    raw: dict[Any, Any] = doc
    triggers: dict[str, Any] = raw.get("on") or raw[True]
    assert triggers == {"workflow_run": {"workflows": ["preview"], "types": ["completed"]}}
    assert list(doc["jobs"]) == ["comment"]
    job = doc["jobs"]["comment"]
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    assert job["if"].startswith("github.event.workflow_run.event == 'pull_request'")
    steps = _steps(job)
    # No checkout at all (so no pull request ref), no other action than the artifact download.
    assert [s["uses"].split("@")[0] for s in steps if "uses" in s] == ["actions/download-artifact"]
    download = steps[0]["with"]
    assert download["run-id"] == "${{ github.event.workflow_run.id }}" and download["name"] == "stagecraft-diff"
    text = yaml.safe_dump(doc)
    assert "secrets." not in text and "head_branch" not in text
    run = _script("preview-comment.yml", "comment", "comment")
    for word in ("pip ", "python", "stagecraft ", "make ", "source ", "bash ", "sh ", "eval", "chmod"):
        assert word not in run, f"the comment step runs {word!r}: it must only read the artifact as text"
    env = steps[1]["env"]
    assert env["RUN_HEAD_SHA"] == "${{ github.event.workflow_run.head_sha }}"
    assert env["RUN_HEAD_REPOSITORY"] == "${{ github.event.workflow_run.head_repository.full_name }}"


def test_each_action_is_pinned_to_one_commit_across_the_workflows() -> None:
    pins: dict[str, set[str]] = {}
    for path in FILES:
        for match in re.finditer(r"uses: ([\w.-]+/[\w./-]+)@([0-9a-f]{40}) # (v[\d.]+)", path.read_text()):
            pins.setdefault(match[1], set()).add(f"{match[2]} {match[3]}")
    assert {action: sha for action, sha in pins.items() if len(sha) > 1} == {}
