from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_github as github
import pytest

from components.errors import ComponentInputError
from components.github_environment import GithubEnvironment, GithubEnvironmentArgs, pattern_key
from stagecraft.plan.inventory import SECRET, Inventory
from stagecraft.plan.mocks import PlanMocks, numeric_id
from stagecraft.plan.runner import run_program
from tests.conftest import RunProgram

ENV = "github:index/repositoryEnvironment:RepositoryEnvironment"
POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
SECRET_T = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
VARIABLE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"
PROVIDER = "pulumi:providers:github"


def _production(**overrides: object) -> GithubEnvironmentArgs:
    base: dict[str, object] = {
        "repository": "shop",
        "environment": "production",
        "prevent_self_review": True,
        "reviewers": ["team:release-managers", "user:octocat", "user:hubot"],
        "wait_timer_minutes": 5,
        "branch_patterns": ["main"],
        "tag_patterns": ["v*"],
        "secrets": {"SENTRY_DSN": pulumi.Output.secret("https://s3cr3t-dsn@sentry.example")},
        "variables": {"AWS_REGION": "us-east-1", "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/deploy"},
    }
    base.update(overrides)
    return GithubEnvironmentArgs(**base)  # type: ignore[arg-type]


def _build(args: GithubEnvironmentArgs) -> None:
    provider = github.Provider("gh", owner="example")
    GithubEnvironment("production", args, opts=pulumi.ResourceOptions(providers={"github": provider}))


def test_environment_resolves_reviewers_to_numeric_ids(run: RunProgram) -> None:
    inv = run(lambda: _build(_production()))
    env = inv.one(ENV, "production-environment").inputs
    assert env["environment"] == "production" and env["repository"] == "shop"
    assert env["reviewers"] == [
        {
            "teams": [numeric_id("team", "release-managers")],
            "users": [numeric_id("user", "octocat"), numeric_id("user", "hubot")],
        }
    ]
    assert env["waitTimer"] == 5
    assert env["preventSelfReview"] is True and env["canAdminsBypass"] is False
    assert env["deploymentBranchPolicy"] == {"customBranchPolicies": True, "protectedBranches": False}


def test_without_patterns_only_protected_branches_deploy(run: RunProgram) -> None:
    inv = run(lambda: _build(_production(branch_patterns=[], tag_patterns=[], reviewers=[], prevent_self_review=False)))
    env = inv.one(ENV).inputs
    assert env["deploymentBranchPolicy"] == {"customBranchPolicies": False, "protectedBranches": True}
    assert "reviewers" not in env
    assert inv.of_type(POLICY) == []


def test_any_ref_sends_no_deployment_policy(run: RunProgram) -> None:
    inv = run(lambda: _build(_production(branch_patterns=[], tag_patterns=[], any_ref=True)))
    assert "deploymentBranchPolicy" not in inv.one(ENV).inputs
    assert inv.of_type(POLICY) == []


def test_prevent_self_review_without_reviewers_is_refused_before_anything_is_created() -> None:
    # GitHub answers 422 for prevent_self_review without a reviewer (github/safe-settings#628).
    with pytest.raises(ComponentInputError) as err:
        _validate_only(_production(reviewers=[], prevent_self_review=True))
    assert err.value.argument == "prevent_self_review"
    assert "at least one reviewer" in str(err.value)


def test_one_deployment_policy_per_pattern_with_stable_names(run: RunProgram) -> None:
    inv = run(lambda: _build(_production(branch_patterns=["main", "release/*"], tag_patterns=["v*"])))
    env = inv.one(ENV)
    policies = {r.name: r.inputs for r in inv.of_type(POLICY)}
    assert policies == {
        "production-branch-main": {
            "branchPattern": "main",
            "environment": "production",
            "repository": "shop",
        },
        f"production-branch-{pattern_key('release/*')}": {
            "branchPattern": "release/*",
            "environment": "production",
            "repository": "shop",
        },
        f"production-tag-{pattern_key('v*')}": {
            "environment": "production",
            "repository": "shop",
            "tagPattern": "v*",
        },
    }
    for policy in inv.of_type(POLICY):
        assert inv.depends_on(policy.urn, env.urn)


def test_pattern_keys_are_sanitised_and_distinct() -> None:
    keys = {pattern_key(p) for p in ("release/*", "release-*", "release_*", "v*", "main")}
    assert len(keys) == 5
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", k) for k in keys)
    assert pattern_key("v*") == pattern_key("v*") and pattern_key("v*").startswith("vstar-")


def test_secrets_are_secret_and_never_plain(run: RunProgram) -> None:
    inv = run(lambda: _build(_production()))
    env = inv.one(ENV)
    secret = inv.one(SECRET_T, "production-secret-SENTRY_DSN")
    assert secret.inputs == {
        "environment": "production",
        "repository": "shop",
        "secretName": "SENTRY_DSN",
        "value": SECRET,
    }
    assert inv.depends_on(secret.urn, env.urn)
    assert "s3cr3t" not in repr(inv)


def test_plain_secret_values_are_wrapped_as_secret(run: RunProgram) -> None:
    inv = run(lambda: _build(_production(secrets={"TOKEN": "plain-hunter2"})))
    assert inv.one(SECRET_T).inputs["value"] == SECRET
    assert "hunter2" not in repr(inv)


def test_variables_one_resource_each_after_the_environment(run: RunProgram) -> None:
    inv = run(lambda: _build(_production()))
    env = inv.one(ENV)
    variables = {r.inputs["variableName"]: r for r in inv.of_type(VARIABLE)}
    assert {k: v.inputs["value"] for k, v in variables.items()} == {
        "AWS_REGION": "us-east-1",
        "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/deploy",
    }
    assert variables["AWS_REGION"].name == "production-variable-AWS_REGION"
    assert all(inv.depends_on(v.urn, env.urn) for v in variables.values())


def test_every_github_resource_uses_the_given_provider(run: RunProgram) -> None:
    inv = run(lambda: _build(_production()))
    provider = inv.one(PROVIDER, "gh")
    github_resources = [r for r in inv.resources if r.type.startswith("github:")]
    assert len(github_resources) == 1 + 2 + 1 + 2
    assert {r.provider for r in github_resources} == {provider.urn}


class _CallRecorder(PlanMocks):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str]] = []

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        self.calls.append((args.token, args.provider))
        return super().call(args)


def test_reviewer_lookups_use_the_component_provider() -> None:
    mocks = _CallRecorder()
    inv: Inventory = run_program(lambda: _build(_production()), project="stagecraft", stack="staging", mocks=mocks)
    provider = inv.one(PROVIDER, "gh")
    assert sorted(token for token, _ in mocks.calls) == [
        "github:index/getTeam:getTeam",
        "github:index/getUser:getUser",
        "github:index/getUser:getUser",
    ]
    assert all(ref.startswith(provider.urn + "::") for _, ref in mocks.calls)


def test_more_than_six_reviewers_is_rejected() -> None:
    reviewers = [f"user:dev{i}" for i in range(5)] + ["team:a", "team:b"]
    with pytest.raises(ComponentInputError) as err:
        _validate_only(_production(reviewers=reviewers))
    assert str(err.value) == (
        f"GithubEnvironment: reviewers={reviewers!r} is invalid: GitHub allows at most 6 reviewers "
        "(users and teams together), got 7"
    )


@pytest.mark.parametrize("minutes", [-1, 43_201])
def test_wait_timer_out_of_range_is_rejected(minutes: int) -> None:
    with pytest.raises(ComponentInputError) as err:
        _validate_only(_production(wait_timer_minutes=minutes))
    assert str(err.value) == (
        f"GithubEnvironment: wait_timer_minutes={minutes} is invalid: GitHub allows 0-43200 minutes (30 days)"
    )


@pytest.mark.parametrize("reviewer", ["octocat", "org:ops", "team:Release Managers", "user:-bad", "user:"])
def test_reviewer_syntax_is_checked(reviewer: str) -> None:
    with pytest.raises(ComponentInputError, match=r"'user:<login>' or 'team:<slug>'"):
        _validate_only(_production(reviewers=[reviewer]))


def test_duplicate_reviewer_is_rejected() -> None:
    with pytest.raises(ComponentInputError, match="only once"):
        _validate_only(_production(reviewers=["user:octocat", "user:Octocat"]))


@pytest.mark.parametrize("name", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "aws_secret_access_key"])
def test_aws_keys_are_refused_pointing_to_the_deploy_role(name: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        _validate_only(_production(secrets={name: "x"}))
    assert f"secrets={name!r}" in str(err.value) and "deploy role" in str(err.value)
    with pytest.raises(ComponentInputError, match="deploy role"):
        _validate_only(_production(variables={name: "x"}))


@pytest.mark.parametrize("name", ["GITHUB_TOKEN", "1ABC", "MY-SECRET", ""])
def test_bad_secret_and_variable_names_are_rejected(name: str) -> None:
    with pytest.raises(ComponentInputError, match=r"secrets=") as secret:
        _validate_only(_production(secrets={name: "x"}))
    with pytest.raises(ComponentInputError, match=r"variables=") as variable:
        _validate_only(_production(variables={name: "x"}))
    # each judged by its own GitHub rule, and labelled with it
    assert "github-secret" in str(secret.value) and "github-variable" not in str(secret.value)
    assert "github-variable" in str(variable.value) and "github-secret" not in str(variable.value)


def test_variable_may_not_share_a_secret_name() -> None:
    with pytest.raises(ComponentInputError) as err:
        _validate_only(_production(secrets={"API_URL": "x"}, variables={"api_url": "y"}))
    assert "already used in secrets" in str(err.value)


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"environment": "prod;uction"}, "environment"),
        ({"prevent_self_review": True, "reviewers": []}, "prevent_self_review"),
        ({"any_ref": True}, "any_ref"),
        ({"repository": "example/shop"}, "repository"),
        ({"branch_patterns": ["main", "main"]}, "branch_patterns"),
        ({"tag_patterns": ["refs/tags/v*"]}, "tag_patterns"),
        ({"branch_patterns": [""]}, "branch_patterns"),
    ],
)
def test_other_bad_inputs_name_the_argument(overrides: dict[str, object], argument: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        _validate_only(_production(**overrides))
    assert err.value.argument == argument


def _validate_only(args: GithubEnvironmentArgs) -> None:
    """Validation runs before anything is created, so it raises synchronously under mocks too."""
    run_program(lambda: _build(args), project="stagecraft", stack="staging")
