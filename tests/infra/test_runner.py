"""The stage's in-VPC runner: when it exists, what it is wired to, and the config that governs it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.github_connection import GITHUB_CONNECTION_NAME
from infra import runner as runner_module
from infra.config import StageConfig
from infra.config.runner import runner_enabled, runner_retention
from infra.program import build_stage
from stagecraft import cli
from stagecraft.plan.inventory import Inventory
from stagecraft.plan.mocks import digest
from tests.conftest import RunProgram, ShippedPlan
from tests.infra.config.conftest import load, problems, values

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "aws:codebuild/project:Project"
ADMIN = "arn:aws:iam::123456789012:role/platform-admin"
EKS_ON = {"eks": {"enabled": True, "admin_principal_arns": [ADMIN], "public_access_cidrs": ["203.0.113.0/24"]}}


def _stage(run: RunProgram, **stage: Any) -> Inventory:
    config = load(values(github={}, **stage))  # no reviewers: the fixture's mocks know no team
    return run(lambda: build_stage(config))


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_shipped_stages_get_a_runner_in_their_private_subnets(shipped_plan: ShippedPlan, stack: str) -> None:
    inv = shipped_plan(ROOT, stack).inventory
    project = inv.one(PROJECT)
    assert project.inputs["name"] == f"amani-backend-{stack}-runner"
    assert inv.outputs["runner_project"] == f"amani-backend-{stack}-runner"
    assert project.inputs["vpcConfig"]["subnets"] == inv.outputs["private_subnet_ids"]
    assert project.inputs["vpcConfig"]["vpcId"] == inv.outputs["vpc_id"]
    assert project.inputs["source"]["location"] == "https://github.com/amani-labs/amani-backend"


def test_cluster_security_group_admits_the_runner_on_443(shipped_plan: ShippedPlan) -> None:
    inv = shipped_plan(ROOT, "production").inventory
    rule = inv.one(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "amani-backend-production-runner-to-cluster"
    )
    # The EKS-created cluster security group, as the engine reads it back from the cluster.
    assert rule.inputs["securityGroupId"] == f"sg-{digest('eks-sg', 'amani-backend-production', length=17)}"
    assert rule.inputs["referencedSecurityGroupId"] == inv.one(PROJECT).inputs["vpcConfig"]["securityGroupIds"][0]
    assert inv.depends_on(rule.urn, inv.one("aws:eks/cluster:Cluster").urn)


def test_connection_is_looked_up_by_name_not_copied(run: RunProgram) -> None:
    inv = _stage(run, compute=EKS_ON)
    auth = inv.one(PROJECT).inputs["source"]["auth"]
    # The ARN the mocks answer aws:codestarconnections/getConnection with for the bootstrap's name.
    h = digest("connection", GITHUB_CONNECTION_NAME, length=32)
    arn = f"arn:aws:codeconnections:us-east-1:123456789012:connection/{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    assert auth == {"type": "CODECONNECTIONS", "resource": arn}


def test_log_retention_follows_the_eks_logs_unless_set(run: RunProgram, shipped_plan: ShippedPlan) -> None:
    group = "amani-backend-staging-runner-logs"
    inv = _stage(run, compute=EKS_ON)
    assert inv.one("aws:cloudwatch/logGroup:LogGroup", group).inputs["retentionInDays"] == 90
    inv = _stage(run, compute=EKS_ON, runner={"log_retention_days": 30, "timeout_minutes": 60})
    assert inv.one("aws:cloudwatch/logGroup:LogGroup", group).inputs["retentionInDays"] == 30
    assert inv.one(PROJECT).inputs["buildTimeout"] == 60
    production = shipped_plan(ROOT, "production").inventory
    retained = production.one("aws:cloudwatch/logGroup:LogGroup", "amani-backend-production-runner-logs")
    assert retained.inputs["retentionInDays"] == 365


def test_ecs_only_stage_has_no_runner(run: RunProgram) -> None:
    inv = _stage(run)
    assert inv.of_type(PROJECT) == []
    assert inv.of_type("aws:codebuild/webhook:Webhook") == []
    assert "runner_project" not in inv.outputs


def test_runner_can_be_turned_off_on_an_eks_stage(run: RunProgram) -> None:
    inv = _stage(run, compute=EKS_ON, runner={"enabled": False})
    assert inv.of_type(PROJECT) == []
    assert "runner_project" not in inv.outputs
    assert inv.of_type("aws:eks/cluster:Cluster")


def test_enabled_defaults_to_whether_eks_is() -> None:
    with_eks: StageConfig = load(values(compute=EKS_ON))
    without: StageConfig = load(values())
    assert runner_enabled(with_eks.settings) and not runner_enabled(without.settings)
    assert runner_retention(with_eks.settings) == with_eks.settings.compute.eks.log_retention_days


def test_explicit_runner_without_eks_is_a_config_error() -> None:
    assert problems(values(runner={"enabled": True})) == [
        "stagecraft:stage.runner.enabled: true is not allowed while compute.eks.enabled is false: the runner exists "
        "to reach the EKS cluster's API from inside the VPC; enable EKS, or set runner.enabled to null or false"
    ]


@pytest.mark.parametrize(
    ("runner", "key", "shown"),
    [
        ({"compute_type": "BUILD_GENERAL1_2XLARGE"}, "compute_type", "'BUILD_GENERAL1_2XLARGE'"),
        ({"image": "ubuntu:latest"}, "image", "'ubuntu:latest'"),
        ({"timeout_minutes": 600}, "timeout_minutes", "600"),
        ({"log_retention_days": 45}, "log_retention_days", "45"),
        ({"enabled": "yes"}, "enabled", "'yes'"),
    ],
)
def test_bad_runner_settings_name_the_key_and_value(runner: dict[str, Any], key: str, shown: str) -> None:
    found = problems(values(compute=EKS_ON, runner=runner))
    assert len(found) == 1
    assert found[0].startswith(f"stagecraft:stage.runner.{key}: {shown} is not allowed")


def test_unknown_runner_key_suggests_the_known_one() -> None:
    assert problems(values(compute=EKS_ON, runner={"timeout": 30})) == [
        "stagecraft:stage.runner.timeout: unknown key; did you mean 'timeout_minutes'?"
    ]


def test_plan_exits_2_for_a_runner_without_eks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.staging.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    path = tmp_path / "Pulumi.staging.yaml"
    text = path.read_text()
    assert "        enabled: true\n" in text
    path.write_text(
        text.replace("        enabled: true\n", "        enabled: false\n") + "    runner:\n      enabled: true\n"
    )
    assert cli.main(["--cwd", str(tmp_path), "plan", "staging"]) == 2
    err = capsys.readouterr().err
    assert "stagecraft:stage.runner.enabled: true is not allowed while compute.eks.enabled is false" in err
    assert "Traceback" not in err


def test_a_pending_connection_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    warned: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *a, **k: warned.append(message))
    runner_module._warn_unless_available("AVAILABLE")
    assert warned == []
    runner_module._warn_unless_available("PENDING")
    assert len(warned) == 1 and "'stagecraft-github' is PENDING" in warned[0]
