"""Plan one stack: validate its config, run the real program under mocks, and collect the result."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from infra.config import Acknowledgement, StageConfig, load_stage_config
from infra.config.loader import STAGE_KEY
from infra.config.secrets import SECRETS_KEY
from infra.program import main as program_main
from stagecraft.estimates.cost import CostEstimate, estimate_cost
from stagecraft.estimates.deploy_time import DeployEstimate, estimate_deploy
from stagecraft.plan.inventory import Inventory
from stagecraft.plan.mocks import ACCOUNT_ID, PlanMocks
from stagecraft.plan.runner import run_program
from stagecraft.rules import evaluate
from stagecraft.stackfiles import StackFile, load_stack


@dataclass
class PlanResult:
    """Everything ``stagecraft plan`` reports for one stack."""

    config: StageConfig
    inventory: Inventory
    cost: CostEstimate
    deploy: DeployEstimate
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def acknowledged(self) -> tuple[Acknowledgement, ...]:
        """Floors the stage goes below, with their reasons."""
        return self.config.acknowledged

    def to_json(self) -> dict[str, Any]:
        """The plan contract (``stagecraft plan --json``)."""
        return {
            "project": self.inventory.project,
            "stack": self.inventory.stack,
            "resources": [r.to_json() for r in self.inventory.resources],
            "outputs": self.inventory.outputs,
            "findings": self.findings,
            "acknowledged": [a.to_json() for a in self.acknowledged],
            "cost": self.cost.to_json(),
            "deploy": self.deploy.to_json(),
        }


UNSET_SECRET = {"secure": "<declared, not set yet>"}
"""What the plan gives a declared secret that has no value yet: shown as ``[secret]`` like any other."""


DECLARED_SECRETS: dict[str, tuple[tuple[str, ...], str]] = {
    STAGE_KEY: (("github", "secrets"), "environment"),
    "stagecraft:repository": (("secrets",), "repository"),
}
"""Per layer's settings key: where it declares its secret names, and their scope under ``stagecraft:secrets``."""


def with_declared_secrets(stack_file: StackFile) -> StackFile:
    """``stack_file`` with every declared secret that has no value given a placeholder ``secure:`` value.

    A real run refuses such a stack and names the missing values (``infra.config.secrets``); the offline
    plan shows what the layer will be once they are set, so a new stack plans before anyone holds its secrets.
    """
    values = copy.deepcopy(stack_file.values)
    changed = False
    for key, (path, scope) in DECLARED_SECRETS.items():
        node: Any = values.get(key)
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        secrets = values.get(SECRETS_KEY, {})
        if not isinstance(node, list) or not isinstance(secrets, dict):
            continue
        given = secrets.setdefault(scope, {})
        if not isinstance(given, dict):
            continue
        for name in node:
            if isinstance(name, str) and name not in given:
                given[name] = dict(UNSET_SECRET)
                changed = True
        values[SECRETS_KEY] = secrets
    return replace(stack_file, values=values) if changed else stack_file


def plan_stack(cwd: Path, stack: str) -> PlanResult:
    """Plan ``stack`` of the project in ``cwd``. Raises ``StackFileError`` or ``ConfigError`` on bad input."""
    stack_file = with_declared_secrets(load_stack(cwd, stack))
    config = load_stage_config(stack_file.stack, stack_file.placeholder_values())
    engine_config, secret_keys = stack_file.engine_config()
    inventory = run_program(
        program_main,
        project=stack_file.project,
        stack=stack_file.stack,
        config=engine_config,
        secret_keys=secret_keys,
        mocks=PlanMocks(
            region=config.region,
            github_owner=config.github_owner,
            account_id=config.account_ids[0] if config.account_ids else ACCOUNT_ID,
            # Offline, the repository is taken to be set up as configured: every reviewer has access to it.
            github_repositories=[config.github_repository],
            github_collaborators=[r.partition(":")[2] for r in config.settings.github.reviewers],
        ),
    )
    findings = evaluate(inventory, config.profile, [a.to_json() for a in config.acknowledged])
    return PlanResult(
        config=config,
        inventory=inventory,
        cost=estimate_cost(inventory, config.region),
        deploy=estimate_deploy(inventory),
        findings=[f.to_json() for f in findings],
    )
