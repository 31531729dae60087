"""The deployment context is read from the shipped workflows, not written per stack."""

from __future__ import annotations

from pathlib import Path

from stagecraft.plan.build import plan_stack
from stagecraft.preflight.context import phases, runner_of
from stagecraft.stacks import entry_for
from tests.stagecraft.conftest import ROOT
from tests.stagecraft.preflight.conftest import edit


def _table(root: Path) -> set[tuple[str, str, str, str, str, str | None]]:
    return {(p.workflow, p.job, p.command, p.layer_dir, p.runner.kind, p.role_key) for p in phases(root)}


def test_the_shipped_workflows_run_the_stage_on_github_hosted_runners_and_the_cluster_layer_on_codebuild() -> None:
    assert _table(ROOT) == {
        ("deploy.yml", "repository", "up", "repository", "github-hosted", None),
        ("deploy.yml", "up", "up", ".", "github-hosted", "pulumi_deploy_role_arn"),
        ("deploy.yml", "preview-production", "preview", ".", "github-hosted", "pulumi_preview_role_arn"),
        ("deploy.yml", "up-production", "up", ".", "github-hosted", "pulumi_deploy_role_arn"),
        ("deploy.yml", "cluster", "up", "cluster", "codebuild", "pulumi_deploy_role_arn"),
        ("deploy.yml", "cluster-production", "up", "cluster", "codebuild", "pulumi_deploy_role_arn"),
        ("drift.yml", "detect", "preview", ".", "github-hosted", "pulumi_preview_role_arn"),
        ("preview.yml", "pulumi-preview", "preview", ".", "github-hosted", "pulumi_preview_role_arn"),
    }


def test_a_stack_gets_the_phases_whose_matrix_filter_selects_its_entry() -> None:
    for stack, jobs in {
        "staging": {"up", "cluster", "detect", "pulumi-preview"},
        "production": {"preview-production", "up-production", "cluster-production", "detect"},
    }.items():
        entry = entry_for(plan_stack(ROOT, stack).stage_config).to_json()
        assert {p.job for p in phases(ROOT) if p.layer_dir in (".", "cluster") and p.applies_to(entry)} == jobs


def test_the_codebuild_runner_label_takes_the_project_from_the_matrix_or_literally() -> None:
    from_matrix = runner_of("codebuild-${{ matrix.runner_project }}-${{ github.run_id }}-${{ github.run_attempt }}")
    assert (from_matrix.kind, from_matrix.egress) == ("codebuild", "vpc")
    assert from_matrix.project_for({"runner_project": "app-staging-runner"}) == "app-staging-runner"
    literal = runner_of("codebuild-app-prod-runner-${{ github.run_id }}-${{ github.run_attempt }}")
    assert literal.project_for({}) == "app-prod-runner"
    assert runner_of("ubuntu-24.04").egress == "internet"
    assert runner_of("my-self-hosted").kind == "self-hosted" and runner_of("my-self-hosted").project_for({}) is None


def test_a_pulumi_command_in_a_run_script_counts_but_not_the_words_in_an_echo(deployed: Path) -> None:
    workflow = deployed / ".github" / "workflows" / "extra.yml"
    workflow.write_text(
        "jobs:\n  apply:\n    runs-on: self-hosted\n    steps:\n"
        "      - run: |\n          echo 'pulumi up failed'\n"
        "          pulumi login x && pulumi up --cwd cluster/ --yes\n",
        encoding="utf-8",
    )
    extra = [p for p in phases(deployed) if p.workflow == "extra.yml"]
    assert [(p.command, p.layer_dir, p.runner.kind, p.matrix_filter) for p in extra] == [
        ("up", "cluster", "self-hosted", None)
    ]


def test_a_matrix_filter_not_understood_selects_every_stack(deployed: Path) -> None:
    edit(deployed / ".github" / "workflows" / "deploy.yml", 'select(.profile == "production")]}', "select(test(1))]}")
    [up_production] = [p for p in phases(deployed) if p.job == "up-production"]
    assert up_production.applies_to({"profile": "staging"})


def test_a_project_without_workflows_has_no_context(tmp_path: Path) -> None:
    assert phases(tmp_path) == ()
