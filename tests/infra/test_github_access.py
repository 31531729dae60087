"""GitHub rules the provider does not check, asked before the stage creates anything."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from infra.config import ConfigError, StageConfig
from infra.github_access import check_github_access
from infra.program import build_stage
from stagecraft.plan.mocks import PlanMocks
from stagecraft.plan.runner import run_program
from tests.infra.config.conftest import load, values

REVIEWERS = ["team:platform", "user:wanjiru-kamau"]


class CountingMocks(PlanMocks):
    """PlanMocks that count the resources the program registers."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(github_owner="amani-labs", **kwargs)
        self.created = 0

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.created += 1
        return super().new_resource(args)


def _config(**github: Any) -> StageConfig:
    return load(values(github={"reviewers": REVIEWERS, **github}))


def _check(config: StageConfig, mocks: PlanMocks) -> list[str]:
    found: list[str] = []
    run_program(lambda: found.extend(check_github_access(config)), project="stagecraft", stack="staging", mocks=mocks)
    return found


def test_reviewers_with_access_pass_and_a_public_repository_needs_no_warning() -> None:
    mocks = CountingMocks(github_repositories=["amani-backend"], github_collaborators=["Wanjiru-Kamau"])
    assert _check(_config(), mocks) == []


def test_a_reviewer_without_access_stops_the_stage_before_anything_is_created() -> None:
    mocks = CountingMocks(github_repositories=["another-repo"], github_collaborators=[])
    with pytest.raises(ConfigError) as caught:
        run_program(lambda: build_stage(_config()), project="stagecraft", stack="staging", mocks=mocks)
    assert [str(p) for p in caught.value.problems] == [
        "stagecraft:stage.github.reviewers: 'team:platform' has no access to amani-labs/amani-backend; GitHub "
        "accepts only reviewers with at least read access: give the team access to the repository, or remove it",
        "stagecraft:stage.github.reviewers: 'user:wanjiru-kamau' has no access to amani-labs/amani-backend; GitHub "
        "accepts only reviewers with at least read access: add them as collaborators (or to a team with access), "
        "or remove them",
    ]
    assert mocks.created == 0


def test_protection_rules_on_a_private_repository_are_a_warning() -> None:
    mocks = CountingMocks(
        github_repositories=["amani-backend"], github_collaborators=["wanjiru-kamau"], github_visibility="private"
    )
    [warning] = _check(_config(), mocks)
    assert warning.startswith("amani-labs/amani-backend is private: required reviewers and wait timers")
    assert "GitHub Team or Enterprise" in warning


def test_no_lookups_without_reviewers_or_wait_timer() -> None:
    mocks = CountingMocks(github_visibility="private")
    assert _check(load(values(github={"reviewers": []})), mocks) == []
