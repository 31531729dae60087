from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stagecraft import cli
from stagecraft.check import find_conflicts, load_stages
from tests.stagecraft.conftest import ROOT


def _edit(project: Path, stack: str, old: str, new: str) -> None:
    path = project / f"Pulumi.{stack}.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _conflicts(project: Path) -> list[str]:
    stages, errors = load_stages(project)
    assert errors == []
    return [str(c) for c in find_conflicts(stages)]


def test_shipped_stacks_do_not_conflict(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--cwd", str(ROOT), "check"]) == 0
    assert capsys.readouterr().out == "No conflicts between 2 stacks: production, staging\n"


def test_overlapping_cidrs(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(project, "production", "cidr: 10.30.0.0/16", "cidr: 10.20.128.0/17")
    assert _conflicts(project) == [
        "stacks 'production' and 'staging': VPC CIDRs overlap (stagecraft:stage.network.cidr: 10.20.128.0/17 and "
        "10.20.0.0/16); stages that may peer need distinct ranges"
    ]
    assert cli.main(["--cwd", str(project), "check"]) == 1
    assert capsys.readouterr().out.startswith("conflict: stacks 'production' and 'staging': VPC CIDRs overlap")


def test_same_deploy_branch(project: Path) -> None:
    _edit(project, "staging", "    github:\n", "    github:\n      deploy_branch: main\n")
    assert _conflicts(project) == [
        "stacks 'production' and 'staging': both protect branch 'main' of amani-labs/amani-backend "
        "(stagecraft:stage.github.deploy_branch); each stage needs its own deploy branch"
    ]


def test_same_branch_of_different_repositories_is_fine(project: Path) -> None:
    _edit(project, "staging", "    github:\n", "    github:\n      deploy_branch: main\n")
    _edit(project, "staging", "repository: amani-labs/amani-backend", "repository: amani-labs/amani-web")
    assert _conflicts(project) == []


def test_shared_repository_secret(project: Path) -> None:
    _edit(
        project,
        "production",
        "  stagecraft:secrets:\n",
        "  stagecraft:secrets:\n    repository:\n      CODECOV_TOKEN:\n        secure: v1:x\n",
    )
    assert _conflicts(project) == [
        "stacks 'production' and 'staging': both set repository secret 'CODECOV_TOKEN' "
        "(stagecraft:secrets.repository.CODECOV_TOKEN); repository secrets are shared by every stage, so one "
        "would overwrite the other: use an environment secret or distinct names"
    ]


def test_two_oidc_providers_in_one_account(project: Path) -> None:
    _edit(project, "production", 'aws:allowedAccountIds: ["210987654321"]', 'aws:allowedAccountIds: ["123456789012"]')
    assert _conflicts(project) == [
        "stacks 'production' and 'staging': both create the GitHub OIDC provider "
        "(stagecraft:stage.github.oidc_provider: create) in the same AWS account (123456789012); it exists once "
        "per account: let one create it and give the other its ARN, or declare distinct accounts"
    ]


def test_two_oidc_providers_with_undeclared_accounts(project: Path) -> None:
    _edit(project, "production", '  aws:allowedAccountIds: ["210987654321"]\n', "")
    [conflict] = _conflicts(project)
    assert "in possibly the same AWS account (aws:allowedAccountIds is not set in both)" in conflict


def test_adopting_the_provider_resolves_the_conflict(project: Path) -> None:
    _edit(project, "production", 'aws:allowedAccountIds: ["210987654321"]', 'aws:allowedAccountIds: ["123456789012"]')
    _edit(
        project,
        "production",
        "      protection: ruleset\n",
        "      protection: ruleset\n      oidc_provider: "
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\n",
    )
    assert _conflicts(project) == []


def test_shared_namespace(project: Path) -> None:
    _edit(
        project,
        "production",
        "        - allow_ingress_from: [ingress-nginx]",
        "        - name: amani-backend-staging\n          allow_ingress_from: [ingress-nginx]",
    )
    assert _conflicts(project) == [
        "stacks 'production' and 'staging': both claim Kubernetes namespace 'amani-backend-staging' "
        "(stagecraft:stage.compute.namespaces); a shared cluster or a later merge of clusters would mix their "
        "workloads and RBAC"
    ]


def test_app_and_stage_names_that_collide(project: Path) -> None:
    shutil.copy(project / "Pulumi.staging.yaml", project / "Pulumi.backend-staging.yaml")
    _edit(project, "backend-staging", "app: amani-backend", "app: amani")
    _edit(project, "backend-staging", "cidr: 10.20.0.0/16", "cidr: 10.40.0.0/16")
    _edit(project, "backend-staging", "    github:\n", "    github:\n      deploy_branch: release\n")
    _edit(project, "backend-staging", "CODECOV_TOKEN:", "CODECOV_UPLOAD_TOKEN:")
    conflicts = _conflicts(project)
    assert (
        "stacks 'backend-staging' and 'staging': both derive the ecr-repository name 'amani-backend-staging/api' "
        "(from stagecraft:stage.app and the stack name); rename one app or stage"
    ) in conflicts


def test_invalid_stack_is_reported_and_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(project, "staging", "app: amani-backend", "app: Amani")
    assert cli.main(["--cwd", str(project), "check"]) == 2
    assert "error: staging: invalid stack configuration" in capsys.readouterr().err
