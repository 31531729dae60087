"""Rule (c): what GitHub's API refuses of environments and deployment policies, on hand-made inventories."""

from __future__ import annotations

from stagecraft.plan.inventory import RecordedResource
from stagecraft.preflight.github import DEPLOYMENT_POLICY, ENVIRONMENT, github_findings
from tests.stagecraft.factory import inventory, res


def _environment(**inputs: object) -> RecordedResource:
    return res(ENVIRONMENT, "env", {"repository": "app", "environment": "staging", **inputs})


def _policy(environment: str = "staging") -> RecordedResource:
    return res(
        DEPLOYMENT_POLICY, "branch-main", {"repository": "app", "environment": environment, "branchPattern": "main"}
    )


CUSTOM = {"protectedBranches": False, "customBranchPolicies": True}


def test_a_custom_policy_environment_with_its_branch_policy_passes() -> None:
    assert github_findings(inventory(_environment(deploymentBranchPolicy=CUSTOM), _policy())) == []


def test_both_or_neither_branch_policy_kind_is_refused() -> None:
    for protected, custom in ((True, True), (False, False)):
        env = _environment(deploymentBranchPolicy={"protectedBranches": protected, "customBranchPolicies": custom})
        [(_urn, message)] = github_findings(inventory(env))
        flag = "true" if protected else "false"
        assert message == (
            f"{ENVIRONMENT} env: deploymentBranchPolicy has protectedBranches {flag} and customBranchPolicies {flag}; "
            "GitHub needs exactly one true"
        )


def test_a_branch_policy_needs_a_custom_policy_environment_of_the_stack() -> None:
    protected = _environment(deploymentBranchPolicy={"protectedBranches": True, "customBranchPolicies": False})
    [(_urn, message)] = github_findings(inventory(protected, _policy()))
    assert message == (
        f"{DEPLOYMENT_POLICY} branch-main: environment 'staging' has customBranchPolicies false; GitHub accepts "
        "deployment branch and tag policies only on an environment with customBranchPolicies true"
    )
    [(_urn, message)] = github_findings(inventory(_policy("qa")))
    assert "environment 'qa' is not created by this stack" in message


def test_reviewers_and_wait_timer_beyond_the_api_limits() -> None:
    env = _environment(reviewers=[{"users": [1, 2, 3, 4], "teams": [5, 6, 7]}], waitTimer=43_201)
    assert [m for _u, m in github_findings(inventory(env))] == [
        f"{ENVIRONMENT} env: 7 reviewers; GitHub allows at most 6",
        f"{ENVIRONMENT} env: waitTimer 43201; GitHub allows 0-43200 minutes",
    ]
