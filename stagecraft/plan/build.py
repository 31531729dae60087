"""Plan one stack: validate its config, run the real program under mocks, and collect the result."""

from __future__ import annotations

from contextlib import chdir
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from infra.cluster import STAGE_OUTPUTS
from infra.config import Acknowledgement, ConfigError, ConfigProblem, StageConfig
from infra.config.account import AccountConfig
from infra.config.cluster import CLUSTER_KEY, ClusterConfig
from infra.config.stackfiles import load_stack
from stagecraft.estimates.cost import CostEstimate, estimate_cost
from stagecraft.estimates.deploy_time import DeployEstimate, estimate_deploy
from stagecraft.plan.inventory import Inventory, references_json
from stagecraft.plan.layers import (
    LayerConfig,
    acknowledged_of,
    check_program,
    layer_of,
    mocks_for,
    profile_of,
    region_of,
    with_declared_secrets,
)
from stagecraft.plan.runner import run_program
from stagecraft.preflight import preflight_findings
from stagecraft.preflight.account import BootstrapPlan, bootstrap_stacks, plan_of
from stagecraft.rules import Finding, evaluate

__all__ = ["PLAN_SCHEMA_VERSION", "PlanResult", "plan_stack"]

PLAN_SCHEMA_VERSION = 1
"""Version of the plan contract (``plan --json``): keys are only ever added; a removal or a change of meaning
would bump it."""


@dataclass
class PlanResult:
    """Everything ``stagecraft plan`` reports for one stack."""

    config: LayerConfig
    """The stack's validated config (a stage's, the account bootstrap's or the repository layer's)."""
    inventory: Inventory
    cost: CostEstimate
    deploy: DeployEstimate
    findings: list[dict[str, Any]] = field(default_factory=list)
    layer: str = "stage"
    """Which layer the stack belongs to: ``stage``, ``bootstrap`` or ``repository``."""

    @property
    def acknowledged(self) -> tuple[Acknowledgement, ...]:
        """Floors the stage goes below, with their reasons."""
        return acknowledged_of(self.config)

    @property
    def profile(self) -> str:
        """The profile the stack's resources were judged at."""
        return profile_of(self.config)

    @property
    def region(self) -> str:
        """The AWS region the stack deploys into."""
        return region_of(self.config)

    @property
    def stage_config(self) -> StageConfig:
        """The config of a stage stack; a ``TypeError`` for the other layers."""
        if not isinstance(self.config, StageConfig):
            raise TypeError(f"stack {self.inventory.stack!r} is a {self.layer} stack, not a stage")
        return self.config

    def to_json(self) -> dict[str, Any]:
        """The plan contract (``stagecraft plan --json``)."""
        return {
            "schema_version": PLAN_SCHEMA_VERSION,
            "layer": self.layer,
            "project": self.inventory.project,
            "stack": self.inventory.stack,
            "resources": [r.to_json() for r in self.inventory.resources],
            "outputs": self.inventory.outputs,
            "output_references": references_json(self.inventory.output_references),
            "findings": self.findings,
            "acknowledged": [a.to_json() for a in self.acknowledged],
            "cost": self.cost.to_json(),
            "deploy": self.deploy.to_json(),
        }


def plan_stack(cwd: Path, stack: str) -> PlanResult:
    """Plan ``stack`` of the project in ``cwd``, whichever layer it is (``stagecraft.plan.layers``).

    The program runs in the project's directory, as the CLI runs it (``infra/config/cluster.py``). A layer
    that reads another stack through a StackReference (the cluster layer) gets that stack's own plan as the
    outputs it reads. Raises ``StackFileError`` or ``ConfigError`` on bad input.
    """
    stack_file = with_declared_secrets(load_stack(cwd, stack))
    layer = layer_of(stack_file)
    check_program(cwd, layer)
    with chdir(cwd):
        config = layer.load(stack_file.stack, stack_file.placeholder_values())
    referenced, stage_inventory = _referenced_outputs(config)
    engine_config, secret_keys = stack_file.engine_config()
    with chdir(cwd):
        inventory = run_program(
            layer.program,
            project=stack_file.project,
            stack=stack_file.stack,
            config=engine_config,
            secret_keys=secret_keys,
            mocks=mocks_for(config, referenced),
        )
    profile = profile_of(config)
    acknowledged = acknowledged_of(config)
    findings = evaluate(inventory, profile, [a.to_json() for a in acknowledged])
    findings = sorted(
        findings
        + preflight_findings(
            config,
            cwd,
            inventory,
            secrets_provider=stack_file.secrets_provider,
            stage_inventory=stage_inventory,
            bootstrap_plans=_bootstrap_plans,
        ),
        key=Finding.sort_key,
    )
    region = region_of(config)
    return PlanResult(
        config=config,
        inventory=inventory,
        cost=estimate_cost(inventory, region),
        deploy=estimate_deploy(inventory),
        findings=[f.to_json() for f in findings],
        layer=layer.name,
    )


def _referenced_outputs(config: LayerConfig) -> tuple[dict[str, dict[str, Any]], Inventory | None]:
    """The outputs of the stacks ``config``'s program reads by StackReference, from their own plans, and the
    referenced stage's inventory (preflight judges the cluster layer's reach from it).

    A cluster stack reads its stage's outputs (:data:`infra.cluster.STAGE_OUTPUTS`); one the stage does not
    export is a config error here, where a real run would fail only on the runner after the stage's ``up``.
    """
    if not isinstance(config, ClusterConfig):
        return {}, None
    stage = plan_stack(config.stage_dir, config.stage.stack)
    outputs = stage.inventory.outputs
    missing = [name for name in STAGE_OUTPUTS if name not in outputs]
    if missing:
        raise ConfigError(
            [
                ConfigProblem(
                    f"{CLUSTER_KEY}.stage",
                    f"stage stack {config.stage.stack!r} exports no {', '.join(map(repr, missing))}; "
                    f"it exports {', '.join(sorted(outputs)) or 'nothing'}",
                )
            ]
        )
    return {config.stage_reference: dict(outputs)}, stage.inventory


def _bootstrap_plans(directory: Path) -> list[BootstrapPlan]:
    """The offline plans of the bootstrap stacks in ``directory`` (cached per stack file content)."""
    stacks = tuple((stack, (directory / f"Pulumi.{stack}.yaml").read_bytes()) for stack in bootstrap_stacks(directory))
    return list(_cached_bootstrap_plans(directory.resolve(), stacks))


@lru_cache(maxsize=16)
def _cached_bootstrap_plans(directory: Path, stacks: tuple[tuple[str, bytes], ...]) -> tuple[BootstrapPlan, ...]:
    plans = []
    for stack, _content in stacks:
        result = plan_stack(directory, stack)
        if isinstance(result.config, AccountConfig):
            plans.append(plan_of(stack, result.config, result.inventory))
    return tuple(plans)
