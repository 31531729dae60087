from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from components.ci_runner import CiRunner, CiRunnerArgs, validate_ci_runner_args
from components.errors import ComponentInputError
from components.github_connection import GithubConnection, GithubConnectionArgs
from stagecraft.plan.inventory import Inventory
from stagecraft.plan.mocks import digest
from tests.conftest import RunProgram

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/stage"
CONNECTION = f"arn:aws:codeconnections:us-east-1:{ACCOUNT}:connection/0b1c2d3e-aaaa-bbbb-cccc-0123456789ab"
SUBNETS = ["subnet-private-a", "subnet-private-b"]
CLUSTER_SG = "sg-eks-cluster"
EC2 = f"arn:aws:ec2:us-east-1:{ACCOUNT}"
# Actions IAM authorizes only against "*" (service authorization reference; see runner_policy).
STAR_ONLY = {
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeVpcs",
}


def _args(**overrides: Any) -> CiRunnerArgs:
    base = CiRunnerArgs(
        project_name="shop-staging-runner",
        repository_url="https://github.com/shop-labs/shop",
        connection_arn=CONNECTION,
        vpc_id="vpc-0123",
        subnet_ids=SUBNETS,
        cluster_security_group_id=CLUSTER_SG,
        kms_key_arn=KEY,
        region="us-east-1",
        account_id=ACCOUNT,
        tags={"stage": "staging"},
    )
    return dataclasses.replace(base, **overrides)


def _build(run: RunProgram, args: CiRunnerArgs) -> Inventory:
    return run(lambda: _make(args))


def _make(args: CiRunnerArgs) -> None:
    CiRunner("shop-staging", args)


def _sg_id(name: str) -> str:
    """The id the plan's mocks give a security group (what the engine would read back)."""
    return f"sg-{digest('sg', name, length=17)}"


def _statements(inv: Inventory) -> dict[str, dict[str, Any]]:
    policy = inv.one("aws:iam/rolePolicy:RolePolicy").inputs["policy"]
    document = policy if isinstance(policy, dict) else json.loads(policy)
    return {s["Sid"]: s for s in document["Statement"]}


def test_project_runs_in_the_private_subnets_with_its_own_security_group(run: RunProgram) -> None:
    inv = _build(run, _args())
    project = inv.one("aws:codebuild/project:Project")
    sg = inv.one("aws:ec2/securityGroup:SecurityGroup")
    assert project.inputs["name"] == "shop-staging-runner"
    assert project.inputs["vpcConfig"]["vpcId"] == "vpc-0123"
    assert project.inputs["vpcConfig"]["subnets"] == SUBNETS
    assert project.inputs["vpcConfig"]["securityGroupIds"] == [_sg_id(sg.name)]
    assert inv.depends_on(project.urn, sg.urn)
    assert sg.inputs["vpcId"] == "vpc-0123"
    assert "ingress" not in sg.inputs and "egress" not in sg.inputs


def test_runner_reaches_only_https_and_the_cluster_admits_it_on_443(run: RunProgram) -> None:
    inv = _build(run, _args())
    sg = inv.one("aws:ec2/securityGroup:SecurityGroup")
    egress = inv.one("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert inv.depends_on(egress.urn, sg.urn)
    assert (egress.inputs["ipProtocol"], egress.inputs["fromPort"], egress.inputs["toPort"]) == ("tcp", 443, 443)
    ingress = inv.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    # The rule lives on the cluster's group and names the runner's group as its source.
    assert ingress.inputs["securityGroupId"] == CLUSTER_SG
    assert inv.depends_on(ingress.urn, sg.urn)
    assert ingress.inputs["referencedSecurityGroupId"] == _sg_id(sg.name)
    assert "cidrIpv4" not in ingress.inputs
    assert (ingress.inputs["ipProtocol"], ingress.inputs["fromPort"], ingress.inputs["toPort"]) == ("tcp", 443, 443)


def test_webhook_starts_a_runner_per_queued_workflow_job(run: RunProgram) -> None:
    inv = _build(run, _args())
    webhook = inv.one("aws:codebuild/webhook:Webhook")
    assert webhook.inputs["projectName"] == "shop-staging-runner"
    assert webhook.inputs["filterGroups"] == [{"filters": [{"type": "EVENT", "pattern": "WORKFLOW_JOB_QUEUED"}]}]
    assert inv.depends_on(webhook.urn, inv.one("aws:codebuild/project:Project").urn)


def test_source_is_the_repository_through_the_connection(run: RunProgram) -> None:
    project = _build(run, _args()).one("aws:codebuild/project:Project")
    assert project.inputs["source"] == {
        "type": "GITHUB",
        "location": "https://github.com/shop-labs/shop",
        "gitCloneDepth": 1,
        "auth": {"type": "CODECONNECTIONS", "resource": CONNECTION},
    }


def test_nothing_persists_between_jobs(run: RunProgram) -> None:
    project = _build(run, _args(timeout_minutes=20)).one("aws:codebuild/project:Project")
    assert project.inputs["cache"] == {"type": "NO_CACHE"}
    assert project.inputs["artifacts"] == {"type": "NO_ARTIFACTS"}
    environment = project.inputs["environment"]
    assert environment["privilegedMode"] is False
    assert (environment["type"], environment["computeType"]) == ("LINUX_CONTAINER", "BUILD_GENERAL1_SMALL")
    assert environment["image"] == "aws/codebuild/amazonlinux-x86_64-standard:5.0"
    assert project.inputs["buildTimeout"] == 20
    assert project.inputs["queuedTimeout"] == 30


def test_logs_go_to_an_encrypted_retained_group_written_only_by_the_role(run: RunProgram) -> None:
    inv = _build(run, _args(log_retention_days=365))
    group = inv.one("aws:cloudwatch/logGroup:LogGroup")
    assert group.inputs["name"] == "/aws/codebuild/shop-staging-runner"
    assert group.inputs["kmsKeyId"] == KEY
    assert group.inputs["retentionInDays"] == 365
    project = inv.one("aws:codebuild/project:Project")
    assert project.inputs["logsConfig"] == {
        "cloudwatchLogs": {"status": "ENABLED", "groupName": "/aws/codebuild/shop-staging-runner"},
        "s3Logs": {"status": "DISABLED"},
    }
    assert inv.depends_on(project.urn, group.urn)
    writes = _statements(inv)["WriteBuildLogs"]
    assert writes["Resource"] == [f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/codebuild/shop-staging-runner:*"]


def test_service_role_trusts_codebuild_for_this_account_only(run: RunProgram) -> None:
    inv = _build(run, _args())
    role = inv.one("aws:iam/role:Role")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "codebuild.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ]
    # The project is created after the policy: CodeBuild checks the VPC configuration with the role.
    project = inv.one("aws:codebuild/project:Project")
    assert inv.depends_on(project.urn, inv.one("aws:iam/rolePolicy:RolePolicy").urn)


def test_policy_names_resources_wherever_iam_accepts_them(run: RunProgram) -> None:
    statements = _statements(_build(run, _args()))
    for statement in statements.values():
        actions = set(statement["Action"])
        resources = statement["Resource"]
        if "*" in ([resources] if isinstance(resources, str) else resources):
            assert actions <= STAR_ONLY, statement["Sid"]
    subnet_arns = [f"{EC2}:subnet/{s}" for s in SUBNETS]
    create = statements["CreateInterfacesInTheSubnets"]
    assert create["Resource"][0] == f"{EC2}:network-interface/*"
    assert create["Resource"][1:3] == subnet_arns
    assert create["Resource"][3] == f"{EC2}:security-group/{_sg_id('shop-staging-runner-sg')}"
    assert statements["DeleteInterfacesInTheSubnets"]["Condition"] == {"StringEquals": {"ec2:Subnet": subnet_arns}}
    permission = statements["LetCodeBuildUseTheInterfaces"]
    assert permission["Action"] == ["ec2:CreateNetworkInterfacePermission"]
    assert permission["Condition"] == {
        "StringEquals": {"ec2:Subnet": subnet_arns, "ec2:AuthorizedService": "codebuild.amazonaws.com"}
    }
    connection = statements["UseTheGitHubConnection"]
    assert connection["Action"] == ["codeconnections:GetConnectionToken", "codeconnections:GetConnection"]
    assert connection["Resource"] == [CONNECTION]


def test_a_codestar_connection_arn_gets_codestar_actions(run: RunProgram) -> None:
    legacy = CONNECTION.replace(":codeconnections:", ":codestar-connections:")
    connection = _statements(_build(run, _args(connection_arn=legacy)))["UseTheGitHubConnection"]
    # IAM matches the action's prefix against the ARN's service.
    assert connection["Action"] == ["codestar-connections:GetConnectionToken", "codestar-connections:GetConnection"]


def test_every_taggable_resource_is_tagged(run: RunProgram) -> None:
    inv = _build(run, _args())
    untagged = {"aws:iam/rolePolicy:RolePolicy", "aws:codebuild/webhook:Webhook"}
    for resource in inv.resources:
        if resource.custom and resource.type not in untagged:
            assert resource.inputs.get("tags") == {"stage": "staging"}, resource.name


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"project_name": "x"}, "project_name"),
        ({"project_name": "-runner"}, "project_name"),
        ({"project_name": "a" * 151}, "project_name"),
        ({"project_name": "shop.runner"}, "project_name"),
        ({"repository_url": "https://github.com/shop-labs/shop.git"}, "repository_url"),
        ({"repository_url": "git@github.com:shop-labs/shop"}, "repository_url"),
        ({"connection_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"}, "connection_arn"),
        ({"compute_type": "BUILD_GENERAL1_2XLARGE"}, "compute_type"),
        ({"image": "aws/codebuild/standard:5.0"}, "image"),
        ({"timeout_minutes": 4}, "timeout_minutes"),
        ({"timeout_minutes": 121}, "timeout_minutes"),
        ({"account_id": "12345"}, "account_id"),
        ({"region": "us-east"}, "region"),
        ({"log_retention_days": 45}, "log_retention_days"),
    ],
)
def test_inputs_codebuild_would_reject_fail_before_anything_is_created(
    overrides: dict[str, Any], argument: str
) -> None:
    with pytest.raises(ComponentInputError) as caught:
        validate_ci_runner_args(_args(**overrides))
    assert caught.value.argument == argument
    assert caught.value.value == overrides[argument]
    assert caught.value.allowed


def test_longest_valid_project_name_and_bounds_are_accepted() -> None:
    validate_ci_runner_args(_args(project_name="a" * 150, timeout_minutes=5))
    validate_ci_runner_args(_args(project_name="ab", timeout_minutes=120, image="aws/codebuild/standard:7.0"))


def test_connection_is_protected_and_named_for_lookup(run: RunProgram) -> None:
    inv = run(lambda: _connection())
    connection = inv.one("aws:codeconnections/connection:Connection")
    assert connection.inputs["name"] == "stagecraft-github"
    assert connection.inputs["providerType"] == "GitHub"
    assert connection.protect and connection.retain_on_delete
    with pytest.raises(ComponentInputError):
        GithubConnection("bad", GithubConnectionArgs(connection_name="x" * 33))


def _connection() -> None:
    GithubConnection("github", GithubConnectionArgs())
