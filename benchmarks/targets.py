"""Cost and fresh-deploy targets of the shipped example stacks (Operations issue).

    .venv/bin/python benchmarks/targets.py

Targets: staging at most $200/month list price and 15 minutes p50 fresh deploy; production at most
$800/month and 20 minutes. The numbers come from `stagecraft plan` (list prices in
stagecraft/data/prices.json, durations in stagecraft/data/durations.json). A miss means changing the
design (for example a dependency that serializes EKS and RDS), never the tables. Exits 1 on a miss.

A total that is only a lower bound (resources without a price, docs/cost.md) cannot show a cost target is met:
it reads UNPROVEN, and MISSED once the lower bound alone exceeds the target.
"""

from __future__ import annotations

import sys
from pathlib import Path

from stagecraft.plan.build import plan_stack

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"staging": (200.0, 15.0), "production": (800.0, 20.0)}


def main() -> int:
    """Plan each example stack and compare its estimates with the targets."""
    missed = 0
    for stack, (max_usd, max_minutes) in TARGETS.items():
        result = plan_stack(ROOT, stack)
        usd = result.cost.monthly_usd
        minutes = result.deploy.p50_minutes
        cost = _cost_verdict(usd, result.cost.lower_bound, max_usd)
        time_ok = minutes <= max_minutes
        missed += (cost == "MISSED") + (not time_ok)
        total = "unknown" if usd is None else f"{'at least ' if result.cost.lower_bound else ''}${usd:,.2f}"
        print(
            f"{stack:<11} cost {total}/month (target <= ${max_usd:.0f}: {cost})  "
            f"deploy p50 {minutes} min, p90 {result.deploy.p90_minutes} min "
            f"(target p50 <= {max_minutes:.0f}: {'ok' if time_ok else 'MISSED'})"
        )
    return 1 if missed else 0


def _cost_verdict(usd: float | None, lower_bound: bool, max_usd: float) -> str:
    if usd is not None and usd > max_usd:
        return "MISSED"
    if usd is None or lower_bound:
        return "UNPROVEN"
    return "ok"


if __name__ == "__main__":
    sys.exit(main())
