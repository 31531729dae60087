"""The delivery builders under the plan's mocks: what GitHub and AWS would receive, per profile."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from components.ecs_cluster import EcsCluster, EcsClusterArgs
from components.stage_key import StageKey, StageKeyArgs
from infra.config import ConfigError, StageConfig
from infra.config.delivery import FIXED_VARIABLES, registry_variable, wired_variables
from infra.config.stackfiles import StackFile
from infra.context import StageContext
from infra.delivery import build_delivery, build_identity
from stagecraft.plan.build import plan_stack
from stagecraft.plan.inventory import SECRET, Inventory
from stagecraft.plan.mocks import ACCOUNT_ID, PlanMocks, numeric_id
from stagecraft.plan.runner import run_program
from tests.infra.config.conftest import load, values
from tests.stagecraft.conftest import ROOT

ENV = "github:index/repositoryEnvironment:RepositoryEnvironment"
POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
ENV_SECRET = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
ENV_VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
REPO_SECRET = "github:index/actionsSecret:ActionsSecret"
CLASSIC = "github:index/branchProtection:BranchProtection"
RULESET = "github:index/repositoryRuleset:RepositoryRuleset"
PROVIDER = "pulumi:providers:github"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
PLAINTEXT = "https://s3cr3t-dsn-value@sentry.example/42"
SUBJECT = "repo:amani-labs/amani-backend:environment:production"
WIRED = {"AWS_REGION": "us-east-1", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/amani-backend-staging-deploy"}


def _config(stack: str, secrets: dict[str, Any] | None = None, **github: Any) -> tuple[StageConfig, dict[str, Any]]:
    profile = stack if stack in ("staging", "production") else "development"
    if profile == "production":
        github = {"reviewers": ["team:platform", "user:wanjiru-kamau"], **github}
    if "secrets_" in github:
        github["secrets"] = github.pop("secrets_")
    elif secrets is not None:
        github["secrets"] = sorted(secrets.get("environment", {}))
    raw = values(profile=profile, github=github)
    if secrets is not None:
        raw["stagecraft:secrets"] = secrets
    return load(raw, stack=stack), raw


def _run(
    stack: str,
    program: Callable[[StageContext], None],
    secrets: dict[str, Any] | None = None,
    **github: Any,
) -> Inventory:
    """Load the stack's config like ``stagecraft plan`` and run ``program`` with the engine's config map."""
    config, raw = _config(stack, secrets, **github)
    engine, secret_keys = StackFile("stagecraft", stack, None, raw).engine_config()  # type: ignore[arg-type]
    ctx = StageContext(config=config, account_id=ACCOUNT_ID, zones=["us-east-1a", "us-east-1b", "us-east-1c"])
    return run_program(
        lambda: program(ctx),
        project="stagecraft",
        stack=stack,
        config=engine,
        secret_keys=secret_keys,
        mocks=PlanMocks(github_owner="amani-labs"),
    )


def _key(ctx: StageContext) -> StageKey:
    return StageKey(
        ctx.name, StageKeyArgs(alias_name=ctx.names.key_alias, account_id=ctx.account_id, region="us-east-1")
    )


def _ecs(ctx: StageContext, key: StageKey) -> EcsCluster:
    return EcsCluster(
        ctx.name, EcsClusterArgs(cluster_name=ctx.names.ecs_cluster, vpc_id="vpc-1", kms_key_arn=key.key_arn)
    )


def _stage(ctx: StageContext, *, ecs: bool = True, eks: bool = False, variables: dict[str, str] | None = None) -> None:
    key = _key(ctx)
    identity = build_identity(
        ctx, key, _ecs(ctx, key) if ecs else None, repositories=["api", "worker"], eks_enabled=eks
    )
    build_delivery(ctx, identity, variables if variables is not None else WIRED)


# --- environment ---------------------------------------------------------------------------------------------


def test_staging_environment_deploys_from_develop_without_approval() -> None:
    inv = _run("staging", _stage)
    env = inv.one(ENV).inputs
    assert (env["repository"], env["environment"], env["waitTimer"]) == ("amani-backend", "staging", 0)
    assert "reviewers" not in env or not env["reviewers"]
    assert env["deploymentBranchPolicy"] == {"customBranchPolicies": True, "protectedBranches": False}
    assert [p.inputs.get("branchPattern") or p.inputs.get("tagPattern") for p in inv.of_type(POLICY)] == ["develop"]


def test_production_environment_resolves_reviewers_and_allows_main_and_release_tags() -> None:
    inv = _run("production", _stage)
    env = inv.one(ENV).inputs
    assert env["reviewers"] == [
        {"teams": [numeric_id("team", "platform")], "users": [numeric_id("user", "wanjiru-kamau")]}
    ]
    assert (env["waitTimer"], env["preventSelfReview"], env["canAdminsBypass"]) == (5, True, False)
    policies = {(p.name, p.inputs.get("branchPattern"), p.inputs.get("tagPattern")) for p in inv.of_type(POLICY)}
    assert {(b, t) for _, b, t in policies} == {("main", None), (None, "v*")}


def test_github_resources_use_the_default_provider_so_no_token_reaches_state() -> None:
    # An explicit github.Provider reads GITHUB_TOKEN into its inputs (stored in state); the default provider,
    # configured by github:owner, reads it at run time only.
    inv = _run(
        "production", _stage, secrets={"environment": {"SENTRY_DSN": {"secure": "v1:x"}}}, secrets_=["SENTRY_DSN"]
    )
    assert inv.of_type(PROVIDER) == []
    github_resources = [r for r in inv.resources if r.custom and r.type.startswith("github:")]
    assert github_resources and all(not r.provider or "::default" in r.provider for r in github_resources)


def test_a_stage_deploying_from_tags_only_gets_no_branch_policy() -> None:
    inv = _run("production", _stage, deploy_branch=None)
    assert [(p.inputs.get("branchPattern"), p.inputs.get("tagPattern")) for p in inv.of_type(POLICY)] == [(None, "v*")]


def test_the_environment_name_can_differ_from_the_stage() -> None:
    inv = _run("staging", _stage, environment="stage-eu")
    assert inv.one(ENV).inputs["environment"] == "stage-eu"
    trust = json.loads(inv.one(ROLE, "amani-backend-staging-deploy-role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        "repo:amani-labs/amani-backend:environment:stage-eu"
    )


def test_staging_without_reviewers_never_sends_prevent_self_review() -> None:
    # GitHub answers 422 for prevent_self_review without a reviewer (github/safe-settings#628).
    assert _run("staging", _stage).one(ENV).inputs["preventSelfReview"] is False
    assert _run("staging", _stage, reviewers=["team:platform"]).one(ENV).inputs["preventSelfReview"] is True


def test_wired_and_user_variables() -> None:
    inv = _run("staging", _stage, variables={"LOG_LEVEL": "debug"})
    got = {r.inputs["variableName"]: r.inputs["value"] for r in inv.of_type(ENV_VARIABLE)}
    assert got == {**WIRED, "LOG_LEVEL": "debug"}


def test_a_user_variable_may_not_override_a_wired_one() -> None:
    with pytest.raises(ConfigError) as caught:
        _run("staging", _stage, variables={"aws_region": "eu-west-1"})
    assert [str(p) for p in caught.value.problems] == [
        "stagecraft:stage.github.variables.aws_region: 'aws_region' is not allowed: stagecraft wires AWS_REGION "
        "from the stage's outputs (docs/configuration.md, Variables); use another name"
    ]


# --- secrets -------------------------------------------------------------------------------------------------


def test_secrets_come_from_stagecraft_secrets_and_are_secret() -> None:
    inv = _run(
        "staging",
        _stage,
        secrets={"environment": {"SENTRY_DSN": {"secure": "v1:aaa"}, "SECRET_KEY": {"secure": "v1:bbb"}}},
    )
    env = {r.inputs["secretName"]: r.inputs for r in inv.of_type(ENV_SECRET)}
    assert set(env) == {"SENTRY_DSN", "SECRET_KEY"}
    assert all(inputs["value"] == SECRET and inputs["environment"] == "staging" for inputs in env.values())


def test_a_stage_creates_no_repository_settings() -> None:
    inv = _run("production", _stage)
    assert not inv.of_type(REPO_SECRET) and not inv.of_type(CLASSIC) and not inv.of_type(RULESET)


def test_decrypted_values_never_reach_the_inventory() -> None:
    """As under ``pulumi up``: the engine hands over decrypted values and marks the key secret."""
    decrypted = {"environment": {"SENTRY_DSN": PLAINTEXT}}
    config, raw = _config("staging", secrets={"environment": {"SENTRY_DSN": {"secure": "v1:x"}}})
    raw["stagecraft:secrets"] = decrypted
    engine = {key: json.dumps(value) if isinstance(value, dict) else str(value) for key, value in raw.items()}
    pulumi.runtime.set_all_config(engine, ["stagecraft:secrets"])
    try:
        config = load(raw)  # the engine path: decrypted, and the engine marks the key secret
    finally:
        pulumi.runtime.set_all_config({}, [])
    ctx = StageContext(config=config, account_id=ACCOUNT_ID, zones=["us-east-1a", "us-east-1b"])
    inv = run_program(
        lambda: _stage(ctx),
        project="stagecraft",
        stack="staging",
        config=engine,
        secret_keys=["stagecraft:secrets"],
        mocks=PlanMocks(github_owner="amani-labs"),
    )
    assert inv.one(ENV_SECRET).inputs["value"] == SECRET
    dumped = json.dumps([r.to_json() for r in inv.resources]) + json.dumps(inv.outputs)
    assert "s3cr3t" not in dumped


def test_secret_names_without_a_secret_key_are_refused() -> None:
    config, _ = _config("staging", secrets={"environment": {"SENTRY_DSN": {"secure": "v1:x"}}})
    ctx = StageContext(config=config, account_id=ACCOUNT_ID, zones=["us-east-1a", "us-east-1b"])
    with pytest.raises(ConfigError) as caught:
        run_program(lambda: _stage(ctx), project="stagecraft", stack="staging", config={}, secret_keys=[])
    assert [str(p) for p in caught.value.problems] == [
        "stagecraft:secrets: is not secret in the stack; set each value with `pulumi config set --secret`"
    ]


# --- deploy identity -----------------------------------------------------------------------------------------


def _policy(inv: Inventory) -> dict[str, Any]:
    policy = inv.one(ROLE_POLICY, f"{inv.stack and 'amani-backend-' + inv.stack}-deploy-permissions").inputs["policy"]
    return dict(json.loads(policy) if isinstance(policy, str) else policy)


def test_trust_policy_pins_the_stage_environment() -> None:
    inv = _run("production", _stage)
    assert inv.of_type(OIDC) == []  # the account bootstrap's; IAM fixes its ARN
    role = inv.one(ROLE, "amani-backend-production-deploy-role").inputs
    assert role["name"] == "amani-backend-production-deploy" and role["maxSessionDuration"] == 3600
    assert json.loads(role["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {
                    "Federated": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com"
                },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                        "token.actions.githubusercontent.com:sub": SUBJECT,
                    }
                },
            }
        ],
    }


def test_permissions_name_the_stage_resources() -> None:
    inv = _run("staging", lambda ctx: _stage(ctx, eks=True))
    by_sid = {s["Sid"]: s for s in _policy(inv)["Statement"]}
    prefix = f"{ACCOUNT_ID}"
    assert by_sid["EcrPushPull"]["Resource"] == [
        f"arn:aws:ecr:us-east-1:{prefix}:repository/amani-backend-staging/api",
        f"arn:aws:ecr:us-east-1:{prefix}:repository/amani-backend-staging/worker",
    ]
    assert by_sid["EksDescribe"]["Resource"] == [f"arn:aws:eks:us-east-1:{prefix}:cluster/amani-backend-staging"]
    assert by_sid["EcsServices"]["Resource"] == [f"arn:aws:ecs:us-east-1:{prefix}:service/amani-backend-staging/*"]
    assert by_sid["BackupWrite"]["Resource"] == [f"arn:aws:s3:::amani-backend-staging-backups-{prefix}/*"]
    assert by_sid["DbSnapshot"]["Resource"] == [
        f"arn:aws:rds:us-east-1:{prefix}:db:amani-backend-staging-pg",
        f"arn:aws:rds:us-east-1:{prefix}:snapshot:amani-backend-staging-pg-*",
    ]
    # The cluster's execution and application task roles, and the migration task role (named: it is
    # created after the deploy role); nothing else may be passed, and only to ECS tasks.
    passed = by_sid["EcsPassTaskRoles"]["Resource"]
    assert len(passed) == 3 and all(":role/" in arn for arn in passed)
    assert passed[2] == f"arn:aws:iam::{prefix}:role/amani-backend-staging-migrate"
    assert by_sid["EcsPassTaskRoles"]["Condition"] == {
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    }
    assert by_sid["EcsRunOneOffTasks"]["Resource"] == [
        f"arn:aws:ecs:us-east-1:{prefix}:task-definition/amani-backend-staging-migrate:*"
    ]
    assert by_sid["EcsRunOneOffTasks"]["Condition"] == {
        "ArnEquals": {"ecs:cluster": f"arn:aws:ecs:us-east-1:{prefix}:cluster/amani-backend-staging"}
    }
    assert by_sid["EcsRegisterStageTaskDefinitions"]["Resource"] == [
        f"arn:aws:ecs:us-east-1:{prefix}:task-definition/amani-backend-staging-*:*"
    ]
    assert by_sid["ReadOneOffTaskLogs"]["Resource"] == [
        f"arn:aws:logs:us-east-1:{prefix}:log-group:/ecs/amani-backend-staging-migrate:*"
    ]
    assert by_sid["KmsForStageData"]["Resource"][0].startswith(f"arn:aws:kms:us-east-1:{prefix}:key/")


def test_no_wildcard_action_on_a_wildcard_resource() -> None:
    inv = _run("staging", lambda ctx: _stage(ctx, eks=True))
    for statement in _policy(inv)["Statement"]:
        actions = statement["Action"]
        assert not any("*" in a for a in actions), statement
        if statement["Resource"] == "*" or "*" in statement["Resource"]:
            assert actions == ["ecr:GetAuthorizationToken"] or (
                actions == ["ecs:DescribeTaskDefinition"]
                and statement["Condition"] == {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
            ), statement


def test_without_ecs_or_eks_there_is_no_cluster_permission() -> None:
    inv = _run("staging", lambda ctx: _stage(ctx, ecs=False, eks=False))
    sids = {s["Sid"] for s in _policy(inv)["Statement"]}
    assert not sids & {
        "EksDescribe", "EcsServices", "EcsDescribeTaskDefinitions", "EcsRegisterStageTaskDefinitions",
        "EcsRunOneOffTasks", "EcsPassTaskRoles",
    }  # fmt: skip
    assert {"EcrLogin", "EcrPushPull", "BackupWrite", "DbSnapshot", "KmsForStageData"} <= sids


def test_region_and_role_arn_are_always_wired() -> None:
    inv = _run("production", lambda ctx: _stage(ctx, variables={"ECS_CLUSTER_NAME": ctx.names.ecs_cluster}))
    got = {r.inputs["variableName"]: r.inputs["value"] for r in inv.of_type(ENV_VARIABLE)}
    assert got == {
        "AWS_REGION": "us-east-1",
        "AWS_ROLE_ARN": f"arn:aws:iam::{ACCOUNT_ID}:role/amani-backend-production-deploy",
        "ECS_CLUSTER_NAME": "amani-backend-production",
    }


def test_without_a_database_the_pipeline_runs_no_migration_task() -> None:
    def stage(ctx: StageContext) -> None:
        key = _key(ctx)
        identity = build_identity(
            ctx, key, _ecs(ctx, key), repositories=["api"], eks_enabled=False, database_enabled=False
        )
        build_delivery(ctx, identity, WIRED)

    by_sid = {s["Sid"]: s for s in _policy(_run("staging", stage))["Statement"]}
    assert "EcsRunOneOffTasks" not in by_sid and "ReadOneOffTaskLogs" not in by_sid
    assert len(by_sid["EcsPassTaskRoles"]["Resource"]) == 2
    assert "EcsRegisterStageTaskDefinitions" in by_sid  # the application's own families


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_the_loader_knows_every_variable_the_program_wires(stack: str) -> None:
    """The loader refuses a user variable by ``wired_variables`` before anything is registered, so that list
    must hold every name the program wires; the shipped stages turn every wired part on, so it is exact."""
    result = plan_stack(ROOT, stack)
    wired = {*result.inventory.outputs["github_variables"], "AWS_ROLE_ARN"}  # the role ARN: build_delivery's
    repositories = result.stage_config.settings.registries.repositories
    assert wired == set(wired_variables(repositories))
    assert {registry_variable(r) for r in repositories} <= wired and set(FIXED_VARIABLES) <= wired


def test_a_user_variable_reusing_a_registry_variable_is_refused_at_load() -> None:
    with pytest.raises(ConfigError) as caught:
        load(values(registries={"repositories": ["api/web"]}, github={"variables": {"ecr_repository_api_web": "x"}}))
    assert [p.key for p in caught.value.problems] == ["stagecraft:stage.github.variables.ecr_repository_api_web"]
    assert "stagecraft wires ECR_REPOSITORY_API_WEB" in caught.value.problems[0].message
