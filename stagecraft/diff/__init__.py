"""``stagecraft diff``: what would change between two offline plans of one stack (``plan --json`` documents).

Per resource, matched by URN: create, update (which input paths), replace (decided by the providers' own
rules, ``stagecraft.replace``), delete or unchanged; the hazards first (``hazards.py``); the cost and
deploy-time deltas (``cost.py``). ``render.py`` writes it as text or as a pull-request comment.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from stagecraft.diff.cost import CostDelta, DeployDelta, cost_delta, deploy_delta
from stagecraft.diff.hazards import Hazard, hazards_of
from stagecraft.diff.load import DiffInputError, Plan, check_comparable, load_plan, plan_from_json
from stagecraft.diff.model import KINDS, Change, changes_between

__all__ = [
    "DIFF_SCHEMA_VERSION",
    "KINDS",
    "Change",
    "Diff",
    "DiffInputError",
    "Hazard",
    "Plan",
    "diff_plans",
    "load_plan",
    "plan_from_json",
]

DIFF_SCHEMA_VERSION = 1
"""Version of ``diff --json``: keys are only ever added; a removal or a change of meaning bumps it."""


@dataclass(frozen=True)
class Diff:
    """Two plans of one stack compared."""

    base: Plan
    head: Plan
    changes: tuple[Change, ...]
    hazards: tuple[Hazard, ...]
    cost: CostDelta
    deploy: DeployDelta

    def counts(self) -> dict[str, int]:
        """How many resources of each kind, every kind listed."""
        found = Counter(c.kind for c in self.changes)
        return {kind: found[kind] for kind in KINDS}

    def to_json(self) -> dict[str, Any]:
        """The ``diff --json`` document."""
        layer, project, stack = self.head.identity
        return {
            "schema_version": DIFF_SCHEMA_VERSION,
            "layer": layer,
            "project": project,
            "stack": stack,
            "base": self.base.source,
            "head": self.head.source,
            "hazards": [h.to_json() for h in self.hazards],
            "counts": self.counts(),
            "changes": [c.to_json() for c in self.changes],
            "cost": self.cost.to_json(),
            "deploy": self.deploy.to_json(),
        }


def diff_plans(base: Plan, head: Plan) -> Diff:
    """Compare ``base`` (what is deployed, or the base branch's plan) with ``head`` (the proposed one).

    Raises ``DiffInputError`` when they are plans of different stacks.
    """
    check_comparable(base, head)
    changes = changes_between(base.inventory, head.inventory)
    return Diff(
        base,
        head,
        tuple(changes),
        tuple(hazards_of(changes)),
        cost_delta(base, head, changes),
        deploy_delta(base, head, changes),
    )
