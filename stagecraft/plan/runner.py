"""Run a Pulumi program in-process under :class:`PlanMocks` and return what it registered."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
from pulumi.runtime import settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from stagecraft.plan.inventory import SECRET, Inventory
from stagecraft.plan.mocks import PlanMocks
from stagecraft.plan.monitor import RecordingMonitor, _redact


def run_program(
    program: Callable[[], None],
    *,
    project: str,
    stack: str,
    config: Mapping[str, str] | None = None,
    secret_keys: list[str] | None = None,
    mocks: PlanMocks | None = None,
) -> Inventory:
    """Run ``program`` as the engine would for ``project``/``stack`` and record every registration.

    ``config`` is the engine's flat config map (``"stagecraft:stage"`` to a JSON string, for example)
    and ``secret_keys`` the keys whose values are secrets. Resources are returned in URN order so the
    same program and config always give the same inventory.
    """
    pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys or []))
    plan_mocks = mocks or PlanMocks()
    monitor = RecordingMonitor(plan_mocks)
    settings.ROOT.set(None)
    pulumi.runtime.set_mocks(
        plan_mocks,
        project=project,
        stack=stack,
        preview=False,
        monitor=monitor,
        logger=logging.getLogger("stagecraft.plan.engine"),
    )
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()
    _sync_await(run_pulumi_func(program))
    root = settings.get_root_resource()
    exported: dict[str, Any] = dict(getattr(root, "outputs", {}) or {})
    outputs = {name: _sync_await(_resolve(value)) for name, value in sorted(exported.items())}
    inventory = Inventory(project=project, stack=stack, outputs=outputs)
    inventory.resources = sorted(monitor.recorded, key=lambda r: r.urn)
    inventory.output_references = monitor.output_references(exported)
    return inventory


async def _resolve(value: Any) -> Any:
    output = pulumi.Output.from_input(value)
    if await output.is_secret():
        return SECRET
    return _redact(await output.future())
