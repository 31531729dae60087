"""The pull request's diff steps, run with bash as the runner runs them, against fakes (preview.yml job diff,
preview-comment.yml job comment)."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from tests.stagecraft.diff.conftest import PlanFile
from tests.test_workflows import _run_step, _script, needs_jq


def _executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


@needs_jq
def test_the_diff_step_diffs_each_stack_the_base_has_and_names_new_ones(plan_file: PlanFile, tmp_path: Path) -> None:
    base = plan_file("production", "base")
    head = plan_file("production", "dbname", {"database": {"db_name": "ledger"}})
    real = f"{shlex.quote(sys.executable)} -m stagecraft"
    _executable(
        tmp_path / ".venv/bin/stagecraft",
        "#!/bin/sh\n"
        'case "$1" in\n'
        '  stacks) echo \'{"include": [{"stack": "production"}, {"stack": "qa"}]}\' ;;\n'
        f"  plan) cat {head}; exit 1 ;;\n"  # a mandatory finding still prints the plan
        f'  diff) exec {real} "$@" ;;\n'
        "esac\n",
    )
    _executable(tmp_path / "base/.venv-base/bin/stagecraft", f"#!/bin/sh\ncat {base}\n")
    (tmp_path / "base/Pulumi.production.yaml").write_text("config: {}\n")
    summary = tmp_path / "summary.md"
    _run_step(
        _script("preview.yml", "diff", "diff"),
        tmp_path,
        {
            "PR_NUMBER": "42",
            "GITHUB_STEP_SUMMARY": str(summary),
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        },
    )
    comment = (tmp_path / "diff/comment.md").read_text(encoding="utf-8")
    assert (tmp_path / "diff/pr-number").read_text() == "42\n"
    assert "**stateful**" in comment and "<details>" in comment, "a hazard is reported, and the job stays green"
    assert "### `qa`: a new stack, nothing to diff against" in comment
    assert summary.read_text(encoding="utf-8") == comment


def _fake_gh(tmp_path: Path, head_sha: str, existing: str) -> Path:
    calls = tmp_path / "calls"
    (tmp_path / "pull.json").write_text(json.dumps({"head": {"sha": head_sha, "repo": {"full_name": "fork/app"}}}))
    _executable(
        tmp_path / "bin/gh",
        "#!/bin/sh\n"
        f'echo "$*" >> {calls}\n'
        'case "$*" in\n'
        f"  *--method*) exit 0 ;;\n"
        f"  *--paginate*) printf '%s' '{existing}' ;;\n"
        f"  *pulls/*) cat {tmp_path / 'pull.json'} ;;\n"
        "esac\n",
    )
    return calls


def _comment(tmp_path: Path, number: str, head_sha: str, existing: str = "", body: str = "diff") -> tuple[bool, str]:
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    (artifact / "pr-number").write_text(number)
    (artifact / "comment.md").write_text(body)
    calls = _fake_gh(tmp_path, head_sha, existing)
    env = {
        "REPOSITORY": "org/app",
        "RUN_HEAD_SHA": "abc123",
        "RUN_HEAD_REPOSITORY": "fork/app",
        "RUN_URL": "https://example.invalid/run/1",
        "DIFF_DIR": str(artifact),
        "RUNNER_TEMP": str(tmp_path),
        "GH_TOKEN": "t",
    }
    try:
        _run_step(_script("preview-comment.yml", "comment", "comment"), tmp_path, env)
    except Exception:
        return False, calls.read_text() if calls.exists() else ""
    return True, calls.read_text()


@needs_jq
def test_the_comment_is_created_once_then_updated(tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    ok, calls = _comment(tmp_path / "new", "7", "abc123")
    assert ok and "--method POST repos/org/app/issues/7/comments" in calls
    body = (tmp_path / "new/comment.md").read_text()
    assert body == "<!-- stagecraft-diff -->\ndiff"
    (tmp_path / "old").mkdir()
    ok, calls = _comment(tmp_path / "old", "7", "abc123", existing="99")
    assert ok and "--method PATCH repos/org/app/issues/comments/99" in calls and "POST" not in calls


@needs_jq
@pytest.mark.parametrize(("number", "head_sha"), [("7; rm -rf /", "abc123"), ("", "abc123"), ("7", "other")])
def test_an_artifact_that_does_not_match_the_run_posts_nothing(tmp_path: Path, number: str, head_sha: str) -> None:
    ok, calls = _comment(tmp_path, number, head_sha)
    assert not ok and "--method" not in calls


@needs_jq
def test_a_diff_too_long_for_a_comment_points_to_the_summary(tmp_path: Path) -> None:
    ok, _ = _comment(tmp_path, "7", "abc123", body="x" * 70_000)
    assert ok
    body = (tmp_path / "comment.md").read_text()
    assert len(body) < 200 and "too long for a comment (70000 bytes)" in body
