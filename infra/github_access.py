"""GitHub API rules the provider does not check, looked up before the stage creates anything.

The GitHub provider sends an environment's reviewers and protection rules as given; GitHub then refuses
(or silently ignores) what its own rules do not allow. The program asks first, with the same token:

- every required reviewer must have at least read access to the repository ("Reviewers must have at least
  read access to the repository", GitHub docs, *Managing environments for deployment*,
  https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment#required-reviewers);
  a team is checked through the repositories it can reach, a user through the repository's collaborators
  (direct, outside and through teams or the organisation: ``affiliation=all``);
- required reviewers and wait timers on a private or internal repository need a plan that supports
  environment protection rules (same page, first note): the plan is not visible through the API, so this is
  a warning, not an error.

A reviewer without access is a :class:`ConfigError` raised before any resource is registered, so nothing
is created on the way there. The offline plan's mocks answer as if the repository were set up as configured.
"""

from __future__ import annotations

import pulumi
import pulumi_github as github

from infra.config import ConfigError, ConfigProblem, StageConfig
from infra.config.loader import STAGE_KEY

PROTECTION_PLAN_DOCS = (
    "https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/"
    "managing-environments-for-deployment"
)


def check_github_access(config: StageConfig) -> list[str]:
    """Refuse reviewers without access to the repository; return advisory warnings (also logged)."""
    settings = config.settings.github
    owner, name = config.github_owner, config.github_repository
    problems: list[ConfigProblem] = []
    users = [r.partition(":")[2] for r in settings.reviewers if r.startswith("user:")]
    teams = [r.partition(":")[2] for r in settings.reviewers if r.startswith("team:")]
    if users:
        collaborators = github.get_collaborators(owner=owner, repository=name, affiliation="all").collaborators
        logins = {c.login.lower() for c in collaborators or []}
        problems.extend(
            ConfigProblem(
                f"{STAGE_KEY}.github.reviewers",
                f"'user:{login}' has no access to {owner}/{name}; GitHub accepts only reviewers with at least read "
                "access: add them as collaborators (or to a team with access), or remove them",
            )
            for login in users
            if login.lower() not in logins
        )
    for slug in teams:
        team = github.get_team(slug=slug, summary_only=False)
        if name not in {r.repo_name for r in team.repositories_detaileds or []}:
            problems.append(
                ConfigProblem(
                    f"{STAGE_KEY}.github.reviewers",
                    f"'team:{slug}' has no access to {owner}/{name}; GitHub accepts only reviewers with at least "
                    "read access: give the team access to the repository, or remove it",
                )
            )
    if problems:
        raise ConfigError(problems)
    warnings: list[str] = []
    if settings.reviewers or settings.wait_timer_minutes:
        visibility = github.get_repository(full_name=f"{owner}/{name}").visibility
        if visibility != "public":
            warnings.append(
                f"{owner}/{name} is {visibility}: required reviewers and wait timers on a non-public repository "
                "need a GitHub plan with environment protection rules (GitHub Team or Enterprise; "
                f"{PROTECTION_PLAN_DOCS})"
            )
    for warning in warnings:
        pulumi.log.warn(warning)
    return warnings
