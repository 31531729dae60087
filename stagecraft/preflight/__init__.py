"""Preflight: would ``pulumi up`` succeed from where the workflows run it?

Rules of their own kind, judged from a stack's offline plan plus its deployment context
(:mod:`stagecraft.preflight.context`: which runner runs which phase of which layer, read from the shipped
workflows and the ``stagecraft stacks`` entry), the account's bootstrap stacks and the other layers' stack files.
Their findings have the shape of every other finding and are mandatory in every profile: each says why a deploy
would fail. A project without ``.github/workflows`` (a copy of stack files) has no deployment context, so nothing
is judged there.
"""

from __future__ import annotations

from pathlib import Path

from infra.config import ConfigError, StageConfig
from infra.config.account import AccountConfig
from infra.config.cluster import ClusterConfig
from infra.config.repository import RepositoryConfig
from stagecraft.plan.inventory import Inventory
from stagecraft.plan.mocks import PlanMocks
from stagecraft.preflight.account import BootstrapPlanner, bootstrap_findings
from stagecraft.preflight.context import STAGE_DIR, Phase, has_workflows, phases
from stagecraft.preflight.github import github_findings
from stagecraft.preflight.reachability import CODEBUILD_PROJECT, kubernetes_findings
from stagecraft.preflight.references import CLUSTER_DIR, cluster_reference_findings, required_deployment_findings
from stagecraft.rules.model import Finding, Level
from stagecraft.rules.preflight import ACCOUNT, GITHUB, KUBERNETES, REFERENCES, RULES, PreflightRule

__all__ = ["RULES", "PreflightRule", "preflight_findings"]

LEVEL: Level = "mandatory"
"""Every preflight finding: each says why a deploy would fail, in any profile."""


def preflight_findings(
    config: StageConfig | AccountConfig | RepositoryConfig | ClusterConfig,
    cwd: Path,
    inventory: Inventory,
    *,
    secrets_provider: str | None,
    stage_inventory: Inventory | None,
    bootstrap_plans: BootstrapPlanner,
) -> list[Finding]:
    """The preflight findings of one planned stack (``stage_inventory``: a cluster stack's stage's plan)."""
    if isinstance(config, StageConfig):
        return _stage(config, cwd, inventory, secrets_provider, bootstrap_plans)
    if isinstance(config, ClusterConfig) and stage_inventory is not None:
        return _cluster(config, inventory, stage_inventory, secrets_provider, bootstrap_plans)
    if isinstance(config, RepositoryConfig) and has_workflows(cwd.parent):
        from stagecraft.check import load_stages  # check imports the plan machinery

        stages, _errors = load_stages(cwd.parent)
        environments = [(s.config.settings.repository.split("/", 1)[1], s.config.environment) for s in stages]
        return _findings(REFERENCES, required_deployment_findings(inventory, environments))
    return []


def _context(stage: StageConfig, root: Path) -> tuple[dict[str, object], list[Phase]] | None:
    from stagecraft.stacks import entry_for  # stacks imports the plan machinery

    if not has_workflows(root):
        return None
    try:
        entry = entry_for(stage).to_json()
    except ConfigError:
        return None  # no account: `stagecraft stacks` refuses the stack, no workflow can run it
    return entry, [p for p in phases(root) if p.applies_to(entry)]


def _mocks(stage: StageConfig) -> PlanMocks:
    return PlanMocks(region=stage.region, account_id=stage.account_ids[0] if stage.account_ids else "")


def _stage(
    config: StageConfig, root: Path, inventory: Inventory, secrets_provider: str | None, plans: BootstrapPlanner
) -> list[Finding]:
    context = _context(config, root)
    if context is None:
        return []
    entry, found = context
    stage_phases = [p for p in found if p.layer_dir == STAGE_DIR]
    cluster_phases = [p for p in found if p.layer_dir == CLUSTER_DIR and entry.get("cluster_stack")]
    kubernetes_phases = cluster_phases + (
        stage_phases if any(r.type.startswith("kubernetes:") for r in inventory.resources) else []
    )
    connection = any(_uses_connection(p.inputs) for p in inventory.of_type(CODEBUILD_PROJECT))
    findings = _findings(KUBERNETES, kubernetes_findings(inventory, kubernetes_phases, entry, _mocks(config)))
    findings += _findings(
        ACCOUNT, bootstrap_findings(root, entry, stage_phases + cluster_phases, secrets_provider, connection, plans)
    )
    findings += _findings(GITHUB, github_findings(inventory))
    if entry.get("cluster_stack"):
        findings += _findings(REFERENCES, cluster_reference_findings(root, config.stack, inventory.outputs))
    return findings


def _cluster(
    config: ClusterConfig,
    inventory: Inventory,
    stage_inventory: Inventory,
    secrets_provider: str | None,
    plans: BootstrapPlanner,
) -> list[Finding]:
    context = _context(config.stage, config.stage_dir)
    if context is None:
        return []
    entry, found = context
    cluster_phases = [p for p in found if p.layer_dir == CLUSTER_DIR]
    uses_kubernetes = any(r.type.startswith("kubernetes:") for r in inventory.resources)
    findings = _findings(
        KUBERNETES,
        kubernetes_findings(stage_inventory, cluster_phases if uses_kubernetes else [], entry, _mocks(config.stage)),
    )
    findings += _findings(
        ACCOUNT, bootstrap_findings(config.stage_dir, entry, cluster_phases, secrets_provider, False, plans)
    )
    return findings


def _uses_connection(inputs: dict[str, object]) -> bool:
    source = inputs.get("source")
    auth = source.get("auth") if isinstance(source, dict) else None
    return isinstance(auth, dict) and auth.get("type") == "CODECONNECTIONS"


def _findings(rule: PreflightRule, found: list[tuple[str | None, str]]) -> list[Finding]:
    return [Finding(rule.id, LEVEL, urn, message) for urn, message in found]
