"""``stagecraft stacks``: the workflows' stack matrix, derived from the stack files alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from stagecraft import cli
from stagecraft.stacks import list_stacks, ref_matches
from tests.stagecraft.conftest import ROOT

STAGING = {
    "stack": "staging",
    "stage": "staging",
    "environment": "staging",
    "preview_environment": "staging-preview",
    "profile": "staging",
    "account": "123456789012",
    "region": "us-east-1",
    "repository": "amani-labs/amani-backend",
    "repository_owner": "amani-labs",
    "repository_name": "amani-backend",
    "backend_url": "s3://stagecraft-state-123456789012-us-east-1?region=us-east-1&awssdk=v2",
    "secrets_provider": "awskms://alias/stagecraft-secrets?region=us-east-1",
    "pulumi_preview_role_arn": "arn:aws:iam::123456789012:role/amani-backend-staging-pulumi-preview",
    "pulumi_deploy_role_arn": "arn:aws:iam::123456789012:role/amani-backend-staging-pulumi-deploy",
    "policy_config": "policy/profiles/staging.json",
    "preview_on_pull_request": True,
    "deploy_branch": "develop",
    "tag_patterns": [],
    "cluster_stack": "staging",
    "runner_project": "amani-backend-staging-runner",
}
PRODUCTION = {
    "stack": "production",
    "stage": "production",
    "environment": "production",
    "preview_environment": "production-preview",
    "profile": "production",
    "account": "210987654321",
    "region": "us-east-1",
    "repository": "amani-labs/amani-backend",
    "repository_owner": "amani-labs",
    "repository_name": "amani-backend",
    "backend_url": "s3://stagecraft-state-210987654321-us-east-1?region=us-east-1&awssdk=v2",
    "secrets_provider": "awskms://alias/stagecraft-secrets?region=us-east-1",
    "pulumi_preview_role_arn": "arn:aws:iam::210987654321:role/amani-backend-production-pulumi-preview",
    "pulumi_deploy_role_arn": "arn:aws:iam::210987654321:role/amani-backend-production-pulumi-deploy",
    "policy_config": "policy/profiles/production.json",
    "preview_on_pull_request": False,
    "deploy_branch": "main",
    "tag_patterns": ["v*"],
    "cluster_stack": "production",
    "runner_project": "amani-backend-production-runner",
}


def _stacks(capsys: pytest.CaptureFixture[str], cwd: Path, *argv: str) -> tuple[int, Any, str]:
    code = cli.main(["--cwd", str(cwd), "stacks", *argv])
    out, err = capsys.readouterr()
    return code, json.loads(out) if "--json" in argv and code == 0 else out, err


def _edit(path: Path, **stage: Any) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    config = doc["config"]
    for key, value in stage.items():
        if key in ("aws:region", "aws:allowedAccountIds"):
            config[key] = value
        elif key == "github":
            config["stagecraft:stage"].setdefault("github", {}).update(value)
        else:
            config["stagecraft:stage"][key] = value
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def test_the_shipped_stacks(capsys: pytest.CaptureFixture[str]) -> None:
    code, doc, _ = _stacks(capsys, ROOT, "--json")
    assert code == 0
    assert doc == {"schema_version": 1, "include": [PRODUCTION, STAGING]}


@pytest.mark.parametrize(
    ("ref", "stacks"),
    [
        ("refs/heads/develop", ["staging"]),
        ("refs/heads/main", ["production"]),
        ("refs/tags/v1.4.0", ["production"]),
        ("refs/tags/release-1", []),
        ("refs/heads/feature/x", []),
        ("refs/heads/maintenance", []),
    ],
)
def test_ref_selects_the_stacks_that_deploy_from_it(
    capsys: pytest.CaptureFixture[str], ref: str, stacks: list[str]
) -> None:
    code, doc, _ = _stacks(capsys, ROOT, "--json", "--ref", ref)
    assert code == 0
    assert [entry["stack"] for entry in doc["include"]] == stacks


def test_a_new_stage_joins_the_matrix_with_its_own_names(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A new stack file is all it takes: environment, account, region and profile flow into every name."""
    (project / "Pulumi.qa.yaml").write_text((project / "Pulumi.staging.yaml").read_text(encoding="utf-8"))
    _edit(
        project / "Pulumi.qa.yaml",
        **{"aws:region": "eu-west-1", "aws:allowedAccountIds": ["000011112222"]},
        profile="development",
        network={"cidr": "10.40.0.0/16"},
        github={"environment": "quality", "deploy_branch": "release/qa", "tag_patterns": ["qa-*"]},
    )
    # A stage with EKS needs its cluster stack: its Kubernetes objects are applied from the in-VPC runner.
    code, _, err = _stacks(capsys, project, "--json")
    assert code == 2
    assert "Pulumi.qa.yaml: stagecraft:stage.compute.eks.enabled: true, but cluster/Pulumi.qa.yaml is missing" in err
    (project / "cluster" / "Pulumi.qa.yaml").write_text("config:\n  stagecraft:cluster:\n    stage: qa\n")
    code, doc, _ = _stacks(capsys, project, "--json", "--ref", "refs/tags/qa-7")
    assert code == 0
    assert doc == {
        "schema_version": 1,
        "include": [
            {
                **STAGING,
                "stack": "qa",
                "stage": "qa",
                "environment": "quality",
                "preview_environment": "quality-preview",
                "profile": "development",
                "account": "000011112222",
                "region": "eu-west-1",
                "backend_url": "s3://stagecraft-state-000011112222-eu-west-1?region=eu-west-1&awssdk=v2",
                "secrets_provider": "awskms://alias/stagecraft-secrets?region=eu-west-1",
                "pulumi_preview_role_arn": "arn:aws:iam::000011112222:role/amani-backend-qa-pulumi-preview",
                "pulumi_deploy_role_arn": "arn:aws:iam::000011112222:role/amani-backend-qa-pulumi-deploy",
                "policy_config": "policy/profiles/development.json",
                "deploy_branch": "release/qa",
                "tag_patterns": ["qa-*"],
                "cluster_stack": "qa",
                "runner_project": "amani-backend-qa-runner",
            }
        ],
    }
    code, doc, _ = _stacks(capsys, project, "--json", "--ref", "refs/heads/release/qa")
    assert [entry["stack"] for entry in doc["include"]] == ["qa"]


def test_policy_config_and_pull_request_previews_follow_the_profile_not_the_name(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "Pulumi.live.yaml").write_text((project / "Pulumi.production.yaml").read_text(encoding="utf-8"))
    _edit(project / "Pulumi.live.yaml", network={"cidr": "10.50.0.0/16"})
    (project / "cluster" / "Pulumi.live.yaml").write_text("config:\n  stagecraft:cluster:\n    stage: live\n")
    code, doc, _ = _stacks(capsys, project, "--json")
    assert code == 0
    live = next(entry for entry in doc["include"] if entry["stack"] == "live")
    assert (live["policy_config"], live["preview_on_pull_request"]) == ("policy/profiles/production.json", False)
    assert live["pulumi_deploy_role_arn"] == "arn:aws:iam::210987654321:role/amani-backend-live-pulumi-deploy"


def test_a_stack_without_an_account_is_an_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "Pulumi.staging.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    del doc["config"]["aws:allowedAccountIds"]
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    code, out, err = _stacks(capsys, project, "--json")
    error = json.loads(out)  # with --json the error is a JSON document on stdout too; the workflow step fails on 2
    assert (code, error["exit_code"], error["error"]["kind"], error["schema_version"]) == (2, 2, "config", 1)
    assert [p["key"] for p in error["error"]["problems"]] == ["Pulumi.staging.yaml: aws:allowedAccountIds"]
    assert "Pulumi.staging.yaml: aws:allowedAccountIds: required key is missing" in err
    assert "pulumi config set --path 'aws:allowedAccountIds[0]'" in err


def test_an_invalid_stack_is_named_with_its_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(project / "Pulumi.production.yaml", profile="prod")
    code, _, err = _stacks(capsys, project)
    assert code == 2
    assert "Pulumi.production.yaml: stagecraft:stage.profile: 'prod' is not allowed" in err


def test_a_short_ref_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _stacks(capsys, ROOT, "--ref", "main")
    assert code == 2
    assert "--ref 'main' must be a full ref: refs/heads/<branch> or refs/tags/<tag>" in err


def test_the_text_listing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _stacks(capsys, ROOT)
    assert code == 0
    assert out.splitlines() == [
        "production: production, account 210987654321 us-east-1, environment production "
        "(previews in production-preview), deploys from main, tag v*",
        "staging: staging, account 123456789012 us-east-1, environment staging "
        "(previews in staging-preview), deploys from develop",
    ]


@pytest.mark.parametrize(
    ("pattern", "name", "matches"),
    [
        ("v*", "v1.2.3", True),
        ("v*", "release/v1", False),
        ("v*", "v1/hotfix", False),  # wildcards do not match "/" in GitHub's deployment rules
        ("release/*", "release/1.0", True),
        ("release/*", "release/1/rc", False),
        ("release/*/*", "release/1/rc", True),
        ("**/v*", "team/a/v1", True),
        ("v?.?", "v1.2", True),
        ("v?.?", "v1.10", False),
        ("v[0-9]*", "v7", True),
        ("v[!0-9]*", "v7", False),
        ("v[!0-9]*", "vx", True),
        ("v[!0-9]", "v/", False),
        (r"v\*", "v*", True),
        (r"v\*", "v1", False),
        ("main", "main", True),
        ("main", "maintenance", False),
        ("v1.0", "v1x0", False),  # a dot is literal
    ],
)
def test_ref_patterns_match_as_github_matches_them(pattern: str, name: str, matches: bool) -> None:
    assert ref_matches(pattern, name) is matches


def test_only_branch_and_tag_pushes_deploy() -> None:
    (production,) = [e for e in list_stacks(ROOT) if e.stack == "production"]
    assert production.deploys_from("refs/heads/main") and production.deploys_from("refs/tags/v1")
    assert not production.deploys_from("refs/pull/7/merge")
    assert not production.deploys_from("refs/heads/v1")  # tag patterns do not admit branches
