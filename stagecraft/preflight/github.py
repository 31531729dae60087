"""Rule (c): GitHub API rules the GitHub provider sends through unchecked, judged on the recorded inputs.

``infra/github_access.py`` already asks GitHub, before anything is created, whether each reviewer has access to
the repository; the config caps reviewers and the wait timer. What remains is how the resources fit together,
which only the API refuses, mid-``up``:

- an environment's ``deployment_branch_policy`` has exactly one of ``protected_branches`` and
  ``custom_branch_policies`` true ("If ``custom_branch_policies`` is ``true``, ``protected_branches`` must be
  ``false``; if ``custom_branch_policies`` is ``false``, ``protected_branches`` must be ``true``":
  https://docs.github.com/en/rest/deployments/environments#create-or-update-an-environment);
- deployment branch and tag policies need their environment's ``custom_branch_policies`` true ("The
  ``deployment_branch_policy.custom_branch_policies`` property for the environment must be set to ``true`` to use
  these endpoints": https://docs.github.com/en/rest/deployments/branch-policies);
- at most six reviewers, users and teams together, and a wait timer of 0-43200 minutes (same environment page).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stagecraft.plan.inventory import Inventory

ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
DEPLOYMENT_POLICY = "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
MAX_REVIEWERS = 6
MAX_WAIT_TIMER = 43_200


def github_findings(inventory: Inventory) -> list[tuple[str | None, str]]:
    """What GitHub would refuse of the environments and deployment policies in ``inventory``."""
    findings: list[tuple[str | None, str]] = []
    environments = {
        (r.inputs.get("repository"), r.inputs.get("environment")): r for r in inventory.of_type(ENVIRONMENT)
    }
    for env in environments.values():
        label = f"{ENVIRONMENT} {env.name}"
        policy: Mapping[str, Any] | None = env.inputs.get("deploymentBranchPolicy")
        if policy is not None and (policy.get("protectedBranches") is True) == (
            policy.get("customBranchPolicies") is True
        ):
            findings.append(
                (
                    env.urn,
                    f"{label}: deploymentBranchPolicy has protectedBranches {_yaml(policy.get('protectedBranches'))} "
                    f"and customBranchPolicies {_yaml(policy.get('customBranchPolicies'))}; "
                    "GitHub needs exactly one true",
                )
            )
        reviewers = sum(
            len(r.get("users") or []) + len(r.get("teams") or []) for r in env.inputs.get("reviewers") or []
        )
        if reviewers > MAX_REVIEWERS:
            findings.append((env.urn, f"{label}: {reviewers} reviewers; GitHub allows at most {MAX_REVIEWERS}"))
        wait = env.inputs.get("waitTimer", 0)
        if isinstance(wait, int) and not 0 <= wait <= MAX_WAIT_TIMER:
            findings.append((env.urn, f"{label}: waitTimer {wait}; GitHub allows 0-{MAX_WAIT_TIMER} minutes"))
    for rule in inventory.of_type(DEPLOYMENT_POLICY):
        key = (rule.inputs.get("repository"), rule.inputs.get("environment"))
        target = environments.get(key)
        custom = ((target.inputs.get("deploymentBranchPolicy") or {}) if target else {}).get("customBranchPolicies")
        if target is None or custom is not True:
            state = "is not created by this stack" if target is None else f"has customBranchPolicies {_yaml(custom)}"
            findings.append(
                (
                    rule.urn,
                    f"{DEPLOYMENT_POLICY} {rule.name}: environment {key[1]!r} {state}; GitHub accepts deployment "
                    "branch and tag policies only on an environment with customBranchPolicies true",
                )
            )
    return findings


def _yaml(value: Any) -> str:
    return (
        {True: "true", False: "false", None: "null"}.get(value, repr(value))
        if isinstance(value, bool | None)
        else repr(value)
    )
