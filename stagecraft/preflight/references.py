"""Rule (d): what one stack names in another resolves.

- A stage with EKS is filled by its cluster stack (``cluster/Pulumi.<stack>.yaml``): that stack must exist, name
  this stage (``stagecraft:cluster.stage``), and the stage must export every output the cluster layer reads
  (:data:`infra.cluster.STAGE_OUTPUTS`) through its StackReference. From the cluster side, a cluster stack naming a
  missing stage or reading a missing output is a config error already (``infra.config.cluster``,
  ``stagecraft.plan.build``).
- A ruleset's ``required_deployments`` names environments some stage of the same repository creates; otherwise no
  deployment can ever succeed there and merges wait forever.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from infra.cluster import STAGE_OUTPUTS
from infra.config.cluster import CLUSTER_KEY
from infra.config.stackfiles import StackFileError, load_stack
from stagecraft.plan.inventory import Inventory

RULESET = "github:index/repositoryRuleset:RepositoryRuleset"
CLUSTER_DIR = "cluster"


def cluster_reference_findings(root: Path, stack: str, outputs: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """Whether the cluster stack of stage ``stack`` exists, names it, and finds every output it reads."""
    path = f"{CLUSTER_DIR}/Pulumi.{stack}.yaml"
    try:
        values = load_stack(root / CLUSTER_DIR, stack).values
    except StackFileError:
        return [(None, f"the stage has EKS, but {path} does not exist: nothing applies its Kubernetes objects")]
    named = (values.get(CLUSTER_KEY) or {}).get("stage") if isinstance(values.get(CLUSTER_KEY), dict) else None
    findings: list[tuple[str | None, str]] = []
    if named != stack:
        findings.append((None, f"{path} fills stage {named!r} ({CLUSTER_KEY}.stage), not {stack!r}"))
    missing = [name for name in STAGE_OUTPUTS if name not in outputs]
    if missing:
        findings.append(
            (None, f"{path} reads {', '.join(map(repr, missing))} from this stage, which does not export it")
        )
    return findings


def required_deployment_findings(
    inventory: Inventory, environments: Iterable[tuple[str, str]]
) -> list[tuple[str | None, str]]:
    """Rulesets requiring a deployment to an environment no stage of that repository creates.

    ``environments`` are ``(repository name, environment)`` pairs of the project's stages.
    """
    known = set(environments)
    findings: list[tuple[str | None, str]] = []
    for ruleset in inventory.of_type(RULESET):
        repository = str(ruleset.inputs.get("repository"))
        rules: Mapping[str, Any] = ruleset.inputs.get("rules") or {}
        wanted = (rules.get("requiredDeployments") or {}).get("requiredDeploymentEnvironments") or []
        for environment in wanted:
            if (repository, environment) not in known:
                have = ", ".join(sorted(e for r, e in known if r == repository)) or "none"
                findings.append(
                    (
                        ruleset.urn,
                        f"{RULESET} {ruleset.name}: requires a deployment to {environment!r}, which no stage of "
                        f"{repository!r} creates (stage environments: {have}); merges would wait forever",
                    )
                )
    return findings
