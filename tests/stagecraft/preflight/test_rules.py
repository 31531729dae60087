"""Each preflight rule: silent on the shipped stacks, an exact finding on a broken variant."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from infra.config import ConfigError
from stagecraft.plan.build import plan_stack
from stagecraft.plan.mocks import PlanMocks
from stagecraft.preflight import RULES
from stagecraft.preflight.context import phases
from stagecraft.preflight.reachability import INGRESS_RULE, kubernetes_findings
from stagecraft.stacks import entry_for
from tests.stagecraft.conftest import ROOT
from tests.stagecraft.preflight.conftest import edit

SHIPPED = [
    (".", "staging"),
    (".", "production"),
    ("cluster", "staging"),
    ("cluster", "production"),
    ("repository", "amani-backend"),
    ("bootstrap", "amani-staging"),
]
PREFLIGHT = {rule.id for rule in RULES}


def preflight(folder: Path, stack: str) -> list[tuple[str, str]]:
    """``(rule, message)`` of every preflight finding of one stack; each is mandatory."""
    findings = [f for f in plan_stack(folder, stack).findings if f["rule"] in PREFLIGHT]
    assert {f["level"] for f in findings} <= {"mandatory"}
    return [(f["rule"], f["message"]) for f in findings]


@pytest.mark.parametrize(("folder", "stack"), SHIPPED)
def test_the_shipped_stacks_would_deploy_from_where_the_workflows_run_them(folder: str, stack: str) -> None:
    assert preflight(ROOT / folder, stack) == []


@pytest.mark.parametrize(("folder", "stack"), SHIPPED[:4])
def test_a_full_copy_of_the_project_is_judged_the_same(deployed: Path, folder: str, stack: str) -> None:
    assert preflight(deployed / folder, stack) == []


PRODUCTION_UNREACHABLE = (
    "preflight-kubernetes-reachable",
    "deploy.yml job 'cluster-production' (pulumi up) runs the cluster layer on CodeBuild project "
    "'amani-backend-production-runner', which the stage does not create (stagecraft:stage.runner.enabled is false, "
    "or the stage has no runner): the job waits for a runner that never registers; no other runner may reach the "
    "API of EKS cluster 'amani-backend-production': its public endpoint is off (vpcConfig.endpointPublicAccess false)",
)


def test_production_without_its_runner_cannot_reach_its_private_endpoint(deployed: Path) -> None:
    edit(deployed / "Pulumi.production.yaml", "    github:\n", "    runner:\n      enabled: false\n    github:\n")
    assert preflight(deployed, "production") == [PRODUCTION_UNREACHABLE]
    assert preflight(deployed / "cluster", "production") == [PRODUCTION_UNREACHABLE]


def test_a_github_hosted_cluster_job_is_outside_staging_public_cidrs(deployed: Path) -> None:
    workflow = deployed / ".github" / "workflows" / "deploy.yml"
    label = "runs-on: codebuild-${{ matrix.runner_project }}-${{ github.run_id }}-${{ github.run_attempt }}"
    edit(workflow, label, "runs-on: ubuntu-latest")
    assert preflight(deployed / "cluster", "staging") == [
        (
            "preflight-kubernetes-reachable",
            "deploy.yml job 'cluster' (pulumi up) runs the cluster layer on GitHub-hosted 'ubuntu-latest' (egress: "
            "the internet, from GitHub's shared address ranges), which cannot reach the API of EKS cluster "
            "'amani-backend-staging': its public endpoint admits only 203.0.113.0/24 (vpcConfig.publicAccessCidrs)",
        )
    ]
    # Open to every address, the public endpoint admits GitHub-hosted runners too.
    edit(deployed / "Pulumi.staging.yaml", "[203.0.113.0/24]", "[0.0.0.0/0]")
    assert preflight(deployed / "cluster", "staging") == []


def _staging_context() -> tuple[Any, list[Any], dict[str, Any]]:
    result = plan_stack(ROOT, "staging")
    entry = entry_for(result.stage_config).to_json()
    cluster_phases = [p for p in phases(ROOT) if p.layer_dir == "cluster" and p.applies_to(entry)]
    return result.inventory, cluster_phases, entry


def test_without_the_443_rule_from_the_runner_the_private_path_fails() -> None:
    inventory, cluster_phases, entry = _staging_context()
    mocks = PlanMocks()
    assert kubernetes_findings(inventory, cluster_phases, entry, mocks) == []
    without = replace(inventory, resources=[r for r in inventory.resources if not r.name.endswith("runner-to-cluster")])
    [(urn, message)] = kubernetes_findings(without, cluster_phases, entry, mocks)
    assert urn == inventory.one("aws:eks/cluster:Cluster").urn
    [runner_sg] = inventory.one("aws:codebuild/project:Project").inputs["vpcConfig"]["securityGroupIds"]
    assert message.startswith("deploy.yml job 'cluster' (pulumi up) runs the cluster layer on CodeBuild project ")
    assert (
        f"no ingress rule admits TCP 443 from the runner's security groups ({runner_sg}) to the cluster security "
        "group (sg-" in message
    )
    assert message.endswith("and its public endpoint admits only 203.0.113.0/24 (vpcConfig.publicAccessCidrs)")


def test_a_rule_on_another_port_or_group_does_not_admit_the_runner() -> None:
    inventory, cluster_phases, entry = _staging_context()
    rule = next(r for r in inventory.of_type(INGRESS_RULE) if r.name.endswith("runner-to-cluster"))
    for change in ({"fromPort": 22, "toPort": 22}, {"referencedSecurityGroupId": "sg-other"}):
        broken = replace(rule, inputs={**rule.inputs, **change})
        resources = [broken if r is rule else r for r in inventory.resources]
        assert (
            len(kubernetes_findings(replace(inventory, resources=resources), cluster_phases, entry, PlanMocks())) == 1
        )
    # A CIDR rule covering the runner's subnets admits it as well as the group reference does.
    vpc_cidr = inventory.one("aws:ec2/vpc:Vpc").inputs["cidrBlock"]
    cidr_rule = replace(rule, inputs={**rule.inputs, "referencedSecurityGroupId": None, "cidrIpv4": vpc_cidr})
    resources = [cidr_rule if r is rule else r for r in inventory.resources]
    assert kubernetes_findings(replace(inventory, resources=resources), cluster_phases, entry, PlanMocks()) == []


def test_a_stage_whose_account_has_no_bootstrap_stack(deployed: Path) -> None:
    (deployed / "bootstrap" / "Pulumi.amani-staging.yaml").unlink()
    message = (
        "no bootstrap stack creates account 123456789012's prerequisites in us-east-1 (aws:allowedAccountIds, "
        "aws:region): bootstrap/Pulumi.*.yaml has amani-production (210987654321, us-east-1); without its state "
        "bucket 'stagecraft-state-123456789012-us-east-1' no phase can log in (docs/first-deploy.md: bootstrap first)"
    )
    assert preflight(deployed, "staging") == [("preflight-account-bootstrap", message)]
    assert preflight(deployed / "cluster", "staging") == [("preflight-account-bootstrap", message)]
    assert preflight(deployed, "production") == []


def test_a_bootstrap_of_another_region_does_not_count(deployed: Path) -> None:
    edit(deployed / "bootstrap" / "Pulumi.amani-staging.yaml", "aws:region: us-east-1", "aws:region: eu-west-1")
    [(rule, message)] = preflight(deployed, "staging")
    assert rule == "preflight-account-bootstrap"
    assert "has amani-production (210987654321, us-east-1), amani-staging (123456789012, eu-west-1)" in message


def test_a_bootstrap_without_the_stage_roles_or_the_connection(deployed: Path) -> None:
    bootstrap = deployed / "bootstrap" / "Pulumi.amani-staging.yaml"
    edit(bootstrap, "        stage: staging\n", "        stage: qa\n        environment: qa\n")
    edit(bootstrap, "    noncurrent_version_days: 90", "    noncurrent_version_days: 90\n    github_connection: false")
    where = "bootstrap stack 'amani-staging' (123456789012, us-east-1) creates no"
    assert preflight(deployed, "staging") == [
        (
            "preflight-account-bootstrap",
            f"{where} aws:codeconnections/connection:Connection with name 'stagecraft-github' (the runner's GitHub "
            "connection)",
        ),
        (
            "preflight-account-bootstrap",
            f"{where} aws:iam/role:Role with name 'amani-backend-staging-pulumi-deploy' (the role deploy.yml job 'up', "
            "deploy.yml job 'cluster' assume)",
        ),
        (
            "preflight-account-bootstrap",
            f"{where} aws:iam/role:Role with name 'amani-backend-staging-pulumi-preview' (the role drift.yml job "
            "'detect', preview.yml job 'pulumi-preview' assume)",
        ),
    ]


def test_a_stack_encrypted_with_another_key_than_the_bootstrap_creates(deployed: Path) -> None:
    edit(
        deployed / "Pulumi.staging.yaml",
        "secretsprovider: awskms://alias/stagecraft-secrets",
        "secretsprovider: awskms://alias/other",
    )
    assert preflight(deployed, "staging") == [
        (
            "preflight-account-bootstrap",
            "the stack's secretsprovider is 'awskms://alias/other?region=us-east-1', but bootstrap stack "
            "'amani-staging' (123456789012, us-east-1) creates 'awskms://alias/stagecraft-secrets?region=us-east-1': "
            "the stack's secrets cannot be decrypted",
        )
    ]


def test_a_stage_with_eks_and_no_cluster_stack(deployed: Path) -> None:
    (deployed / "cluster" / "Pulumi.staging.yaml").unlink()
    assert preflight(deployed, "staging") == [
        (
            "preflight-stack-references",
            "the stage has EKS, but cluster/Pulumi.staging.yaml does not exist: nothing applies its Kubernetes objects",
        )
    ]


def test_a_cluster_stack_filling_another_stage(deployed: Path) -> None:
    edit(deployed / "cluster" / "Pulumi.staging.yaml", "    stage: staging", "    stage: production")
    assert preflight(deployed, "staging") == [
        (
            "preflight-stack-references",
            "cluster/Pulumi.staging.yaml fills stage 'production' (stagecraft:cluster.stage), not 'staging'",
        )
    ]


def test_a_cluster_stack_naming_a_missing_stage_is_refused_before_anything_runs(deployed: Path) -> None:
    edit(deployed / "cluster" / "Pulumi.staging.yaml", "    stage: staging", "    stage: qa")
    with pytest.raises(ConfigError, match=r"stagecraft:cluster.stage: 'qa' names no readable stage stack"):
        plan_stack(deployed / "cluster", "staging")


def test_a_required_deployment_to_an_environment_no_stage_creates(deployed: Path) -> None:
    edit(
        deployed / "repository" / "Pulumi.amani-backend.yaml",
        "required_deployments: [staging]",
        "required_deployments: [qa]",
    )
    assert preflight(deployed / "repository", "amani-backend") == [
        (
            "preflight-stack-references",
            "github:index/repositoryRuleset:RepositoryRuleset amani-backend-branch-main-ruleset: requires a "
            "deployment to 'qa', which no stage of 'amani-backend' creates (stage environments: production, staging); "
            "merges would wait forever",
        )
    ]
