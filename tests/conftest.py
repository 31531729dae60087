"""Shared fixtures: run code under the plan's mocks and get the recorded inventory back."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from stagecraft.plan.inventory import Inventory
from stagecraft.plan.mocks import PlanMocks
from stagecraft.plan.runner import run_program

RunProgram = Callable[[Callable[[], None]], Inventory]


@pytest.fixture
def run() -> RunProgram:
    """Run a program (a no-argument callable creating resources) and return its inventory.

    The program runs as project ``stagecraft``, stack ``staging``, in ``us-east-1``.
    """

    def _run(program: Callable[[], None]) -> Inventory:
        return run_program(program, project="stagecraft", stack="staging", mocks=PlanMocks())

    return _run
