from __future__ import annotations

import pulumi
import pulumi_github as github
import pytest

from components.branch_protection import BranchProtection, BranchProtectionArgs
from components.errors import ComponentInputError
from stagecraft.plan.runner import run_program
from tests.conftest import RunProgram

CLASSIC = "github:index/branchProtection:BranchProtection"
RULESET = "github:index/repositoryRuleset:RepositoryRuleset"


def _args(**overrides: object) -> BranchProtectionArgs:
    base: dict[str, object] = {
        "repository": "shop",
        "branch": "main",
        "status_checks": ["test", "lint"],
        "required_approving_reviews": 2,
    }
    base.update(overrides)
    return BranchProtectionArgs(**base)  # type: ignore[arg-type]


def _build(args: BranchProtectionArgs) -> None:
    provider = github.Provider("gh", owner="example")
    BranchProtection("production", args, opts=pulumi.ResourceOptions(providers={"github": provider}))


def test_classic_protection_inputs(run: RunProgram) -> None:
    # Classic protection cannot bind a check to an app: the contexts are names only, whatever the app id.
    inv = run(lambda: _build(_args(mode="classic", repository_node_id="R_kgDOabc", status_check_app_id=15368)))
    assert inv.of_type(RULESET) == []
    bp = inv.one(CLASSIC, "production-branch-protection")
    assert bp.provider == inv.one("pulumi:providers:github").urn
    assert bp.inputs == {
        "allowsDeletions": False,
        "allowsForcePushes": False,
        "enforceAdmins": True,
        "pattern": "main",
        "repositoryId": "R_kgDOabc",
        "requireConversationResolution": True,
        "requireSignedCommits": False,
        "requiredLinearHistory": True,
        "requiredPullRequestReviews": [
            {
                "dismissStaleReviews": True,
                "requireCodeOwnerReviews": True,
                "requireLastPushApproval": True,
                "requiredApprovingReviewCount": 2,
            }
        ],
        "requiredStatusChecks": [{"contexts": ["test", "lint"], "strict": True}],
    }


def test_classic_defaults_to_repository_name_and_omits_empty_checks(run: RunProgram) -> None:
    inv = run(
        lambda: _build(_args(mode="classic", status_checks=[], enforce_admins=False, require_signed_commits=True))
    )
    bp = inv.one(CLASSIC).inputs
    assert bp["repositoryId"] == "shop"
    assert "requiredStatusChecks" not in bp
    assert bp["enforceAdmins"] is False and bp["requireSignedCommits"] is True


def test_ruleset_is_the_default_and_binds_checks_to_github_actions(run: RunProgram) -> None:
    inv = run(lambda: _build(_args(required_deployments=["staging"])))
    assert inv.of_type(CLASSIC) == []
    rs = inv.one(RULESET, "production-ruleset")
    assert rs.provider == inv.one("pulumi:providers:github").urn
    assert rs.inputs == {
        "conditions": {"refName": {"excludes": [], "includes": ["refs/heads/main"]}},
        "enforcement": "active",
        "name": "production",
        "repository": "shop",
        "rules": {
            "deletion": True,
            "nonFastForward": True,
            "pullRequest": {
                "dismissStaleReviewsOnPush": True,
                "requireCodeOwnerReview": True,
                "requireLastPushApproval": True,
                "requiredApprovingReviewCount": 2,
                "requiredReviewThreadResolution": True,
            },
            "requiredDeployments": {"requiredDeploymentEnvironments": ["staging"]},
            "requiredLinearHistory": True,
            "requiredSignatures": False,
            "requiredStatusChecks": {
                "requiredChecks": [
                    {"context": "test", "integrationId": 15368},
                    {"context": "lint", "integrationId": 15368},
                ],
                "strictRequiredStatusChecksPolicy": True,
            },
        },
        "target": "branch",
    }


def test_ruleset_checks_from_any_app_or_another_one(run: RunProgram) -> None:
    inv = run(lambda: _build(_args(status_check_app_id=None, status_checks=["test"])))
    assert inv.one(RULESET).inputs["rules"]["requiredStatusChecks"]["requiredChecks"] == [{"context": "test"}]
    inv = run(lambda: _build(_args(status_check_app_id=254, status_checks=["codecov/patch"])))
    assert inv.one(RULESET).inputs["rules"]["requiredStatusChecks"]["requiredChecks"] == [
        {"context": "codecov/patch", "integrationId": 254}
    ]


@pytest.mark.parametrize("app_id", [0, -15368])
def test_app_id_must_be_positive(app_id: int) -> None:
    with pytest.raises(ComponentInputError) as err:
        _validate_only(_args(status_check_app_id=app_id))
    assert str(err.value) == (
        f"BranchProtection: status_check_app_id={app_id} is invalid: a positive GitHub App id, or None"
    )


def test_ruleset_without_enforce_admins_lets_the_admin_role_bypass(run: RunProgram) -> None:
    inv = run(lambda: _build(_args(mode="ruleset", enforce_admins=False, status_checks=[])))
    rs = inv.one(RULESET).inputs
    assert rs["bypassActors"] == [{"actorId": 5, "actorType": "RepositoryRole", "bypassMode": "always"}]
    assert "requiredStatusChecks" not in rs["rules"] and "requiredDeployments" not in rs["rules"]


def test_required_deployments_need_ruleset_mode() -> None:
    with pytest.raises(ComponentInputError) as err:
        _validate_only(_args(mode="classic", required_deployments=["staging"]))
    assert str(err.value) == (
        "BranchProtection: required_deployments=['staging'] is invalid: classic branch protection cannot "
        "require deployments; use mode 'ruleset'"
    )


@pytest.mark.parametrize("count", [-1, 7])
def test_review_count_range(count: int) -> None:
    with pytest.raises(ComponentInputError) as err:
        _validate_only(_args(required_approving_reviews=count))
    assert str(err.value) == (
        f"BranchProtection: required_approving_reviews={count} is invalid: GitHub allows 0-6 approving reviews"
    )


@pytest.mark.parametrize("branch", ["release/*", "ma?n", "refs/heads/main", "", "a..b", "feature/", "-x", "a b"])
def test_branch_must_be_a_concrete_name(branch: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        _validate_only(_args(branch=branch))
    assert err.value.argument == "branch"


@pytest.mark.parametrize("branch", ["main", "develop", "release/2024.1", "hotfix_x-1"])
def test_valid_branch_names(run: RunProgram, branch: str) -> None:
    inv = run(lambda: _build(_args(mode="classic", branch=branch)))
    assert inv.one(CLASSIC).inputs["pattern"] == branch
    inv = run(lambda: _build(_args(branch=branch)))
    assert inv.one(RULESET).inputs["conditions"]["refName"]["includes"] == [f"refs/heads/{branch}"]


@pytest.mark.parametrize(
    ("overrides", "argument"),
    [
        ({"mode": "rules"}, "mode"),
        ({"repository": "example/shop"}, "repository"),
        ({"status_checks": ["test", "test"]}, "status_checks"),
        ({"status_checks": [" "]}, "status_checks"),
        ({"mode": "ruleset", "required_deployments": ["stag;ing"]}, "required_deployments"),
        ({"mode": "ruleset", "required_deployments": ["staging", "staging"]}, "required_deployments"),
    ],
)
def test_other_bad_inputs_name_the_argument(overrides: dict[str, object], argument: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        _validate_only(_args(**overrides))
    assert err.value.argument == argument


def _validate_only(args: BranchProtectionArgs) -> None:
    run_program(lambda: _build(args), project="stagecraft", stack="staging")
