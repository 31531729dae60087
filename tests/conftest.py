"""Shared fixtures: run code under the plan's mocks and get the recorded inventory back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stagecraft.plan.build import PlanResult
from stagecraft.plan.inventory import Inventory
from stagecraft.plan.mocks import PlanMocks
from stagecraft.plan.runner import run_program
from tests.shipped import shipped_plan_of

RunProgram = Callable[[Callable[[], None]], Inventory]
ShippedPlan = Callable[[Path, str], PlanResult]


@pytest.fixture
def run() -> RunProgram:
    """Run a program (a no-argument callable creating resources) and return its inventory.

    The program runs as project ``stagecraft``, stack ``staging``, in ``us-east-1``.
    """

    def _run(program: Callable[[], None]) -> Inventory:
        return run_program(program, project="stagecraft", stack="staging", mocks=PlanMocks())

    return _run


@pytest.fixture(scope="session")
def shipped_plan() -> ShippedPlan:
    """``plan_stack(cwd, stack)`` for a stack the repository ships, planned once per session (per xdist worker).

    Each call returns its own deep copy (:func:`tests.shipped.shipped_plan_of`): a test may change what it got.
    """
    return shipped_plan_of
