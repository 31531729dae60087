"""The repository layer run under the plan's mocks: what GitHub would receive, and the layout the CLI loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pulumi
import pytest
import yaml
from pulumi.runtime import rpc

from infra.config import ConfigError
from infra.config.stackfiles import load_stack
from infra.repository import main
from stagecraft.plan.inventory import SECRET, Inventory
from stagecraft.plan.layers import with_declared_secrets
from stagecraft.plan.mocks import PlanMocks, numeric_id
from stagecraft.plan.runner import run_program
from stagecraft.rules import PROFILES, evaluate

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "repository"
RULESET = "github:index/repositoryRuleset:RepositoryRuleset"
ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
SECRET_TYPE = "github:index/actionsSecret:ActionsSecret"


class _Capturing(PlanMocks):
    """Mocks that keep the (unredacted) inputs the engine receives, by resource name."""

    def __init__(self) -> None:
        super().__init__(github_owner="amani-labs")
        self.inputs: dict[str, dict[str, object]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, object]]:
        self.inputs[args.name] = dict(args.inputs)
        return super().new_resource(args)


def _plan(
    *,
    offline: bool = True,
    extra: dict[str, str] | None = None,
    secret_keys: list[str] | None = None,
    mocks: PlanMocks | None = None,
) -> Inventory:
    stack = load_stack(LAYER, "amani-backend")
    if offline:  # as `stagecraft plan` reads it: declared secrets without a value are placeholders
        stack = with_declared_secrets(stack)
    config, keys = stack.engine_config()
    return run_program(
        main,
        project=stack.project,
        stack="amani-backend",
        config={**config, **(extra or {})},
        secret_keys=[*keys, *(secret_keys or [])],
        mocks=mocks or PlanMocks(github_owner="amani-labs"),
    )


@pytest.fixture(scope="module")
def shipped() -> Inventory:
    return _plan()


@pytest.mark.parametrize("profile", PROFILES)
def test_shipped_stack_passes_every_mandatory_rule(shipped: Inventory, profile: str) -> None:
    assert [str(f) for f in evaluate(shipped, profile) if f.level == "mandatory"] == []


def test_default_github_provider_only(shipped: Inventory) -> None:
    # An explicit provider would copy GITHUB_TOKEN into the state; the default one reads it at run time.
    assert [r for r in shipped.resources if r.type.startswith("pulumi:providers:")] == []
    assert {r.provider for r in shipped.resources if r.custom} == {None}


def test_branch_rulesets(shipped: Inventory) -> None:
    develop = shipped.one(RULESET, "amani-backend-branch-develop-ruleset").inputs
    main_ = shipped.one(RULESET, "amani-backend-branch-main-ruleset").inputs
    assert develop["conditions"]["refName"]["includes"] == ["refs/heads/develop"]
    assert main_["conditions"]["refName"]["includes"] == ["refs/heads/main"]
    checks = main_["rules"]["requiredStatusChecks"]["requiredChecks"]
    assert [c["context"] for c in checks] == [
        "lint",
        "test (Python 3.11)",
        "integration",
        "migration-test",
        "security",
        "container-scan",
    ]
    # Only GitHub Actions jobs can satisfy a required check.
    assert {c["integrationId"] for c in [*checks, *develop["rules"]["requiredStatusChecks"]["requiredChecks"]]} == {
        15368
    }
    assert main_["rules"]["requiredDeployments"] == {"requiredDeploymentEnvironments": ["staging"]}
    assert "requiredDeployments" not in develop["rules"]
    assert "bypassActors" not in main_ and "bypassActors" not in develop


def test_release_tags_only_by_the_release_team(shipped: Inventory) -> None:
    tags = shipped.one(RULESET, "amani-backend-tags-release-ruleset").inputs
    assert tags["target"] == "tag"
    assert tags["conditions"]["refName"]["includes"] == ["refs/tags/v*"]
    assert tags["rules"] == {"creation": True, "deletion": True, "nonFastForward": True, "update": True}
    assert tags["bypassActors"] == [
        {"actorId": numeric_id("team", "release"), "actorType": "Team", "bypassMode": "always"}
    ]


def test_preview_environments(shipped: Inventory) -> None:
    staging = shipped.one(ENVIRONMENT, "amani-backend-staging-preview-environment").inputs
    production = shipped.one(ENVIRONMENT, "amani-backend-production-preview-environment").inputs
    # Staging previews run for pull requests from any branch; production's only from protected branches.
    # No deployment policy at all: every ref may use it (GitHub's patterns cannot say "any branch" in one).
    assert "deploymentBranchPolicy" not in staging
    assert production["deploymentBranchPolicy"] == {"customBranchPolicies": False, "protectedBranches": True}
    for env in (staging, production):
        assert env["preventSelfReview"] is False and "reviewers" not in env
    assert shipped.of_type(POLICY) == []
    assert shipped.outputs["preview_environments"] == ["production-preview", "staging-preview"]


def test_offline_an_unset_secret_is_planned_as_secret(shipped: Inventory) -> None:
    secret = shipped.one(SECRET_TYPE, "amani-backend-secret-CODECOV_TOKEN")
    assert secret.inputs == {"repository": "amani-backend", "secretName": "CODECOV_TOKEN", "value": SECRET}


def test_a_real_run_stops_before_creating_anything_when_a_secret_is_unset() -> None:
    with pytest.raises(ConfigError) as caught:
        _plan(offline=False)
    assert [str(p) for p in caught.value.problems] == [
        "stagecraft:secrets.repository.CODECOV_TOKEN: is declared in stagecraft:repository.secrets but has no "
        "value; set it with `pulumi config set --secret --path 'stagecraft:secrets.repository.CODECOV_TOKEN' <value>`"
    ]


def test_a_set_secret_reaches_github_as_a_secret() -> None:
    value = json.dumps({"repository": {"CODECOV_TOKEN": "tok-123"}})
    mocks = _Capturing()
    inv = _plan(offline=False, extra={"stagecraft:secrets": value}, secret_keys=["stagecraft:secrets"], mocks=mocks)
    secret = inv.one(SECRET_TYPE)
    assert secret.inputs["value"] == SECRET
    # The engine receives the value itself, wrapped as a secret (so the state encrypts it).
    assert mocks.inputs[secret.name]["value"] == {rpc._special_sig_key: rpc._special_secret_sig, "value": "tok-123"}
    assert "tok-123" not in json.dumps([r.to_json() for r in inv.resources]) + json.dumps(inv.outputs)


def test_project_file_is_a_root_program_with_its_own_virtualenv() -> None:
    project = yaml.safe_load((LAYER / "Pulumi.yaml").read_text())
    assert project["name"] == "stagecraft-repository"
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    # Without `main:` the language host runs repository/__main__.py and installs repository/requirements.txt.
    assert "main" not in project
    assert (LAYER / "__main__.py").read_text().splitlines()[-1] == "main()"


def test_stack_file_has_no_ciphertext_and_names_the_secrets_provider() -> None:
    doc = yaml.safe_load((LAYER / "Pulumi.amani-backend.yaml").read_text())
    assert doc["secretsprovider"] == "awskms://alias/stagecraft-secrets?region=us-east-1"
    assert "secure:" not in (LAYER / "Pulumi.amani-backend.yaml").read_text()
    assert doc["config"]["github:owner"] == "amani-labs"


def test_requirements_install_this_repository_when_pip_runs_in_the_layer_folder() -> None:
    # The Pulumi CLI runs `python -m pip install -r requirements.txt` with the project folder as cwd
    # (https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/sdk/python/toolchain/pip.go#L499-L551),
    # and pip resolves a local path in a requirements file against the cwd. Ask pip itself where `..` points.
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--no-index", "-r", "requirements.txt"],
        cwd=LAYER,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert f"Obtaining file://{ROOT} (from -r requirements.txt (line " in result.stdout + result.stderr
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'name = "stagecraft"' in pyproject and 'include = ["components*", "infra*", "stagecraft*"]' in pyproject
