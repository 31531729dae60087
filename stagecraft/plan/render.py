"""Human-readable plan output: a resource tree like ``pulumi preview``, counts per type, and notes."""

from __future__ import annotations

from typing import Any

from stagecraft.estimates.cost import render_cost
from stagecraft.estimates.deploy_time import render_deploy
from stagecraft.plan.build import PlanResult
from stagecraft.plan.inventory import Inventory, RecordedResource


def _flags(resource: RecordedResource) -> str:
    flags = [
        flag for flag, on in (("protect", resource.protect), ("retain-on-delete", resource.retain_on_delete)) if on
    ]
    if resource.ignore_changes:
        flags.append("ignore-changes: " + ", ".join(resource.ignore_changes))
    return f"  [{'; '.join(flags)}]" if flags else ""


def render_tree(inventory: Inventory) -> list[str]:
    """The resources as a tree under the stack, children in URN order."""
    lines = [f"pulumi:pulumi:Stack  {inventory.project}-{inventory.stack}"]
    roots = [r for r in inventory.resources if r.parent is None]

    def walk(nodes: list[RecordedResource], indent: str) -> None:
        for i, node in enumerate(nodes):
            last = i == len(nodes) - 1
            lines.append(f"{indent}{'└─ ' if last else '├─ '}{node.type}  {node.name}{_flags(node)}")
            walk(inventory.children(node.urn), indent + ("   " if last else "│  "))

    walk(roots, "")
    return lines


def render_zones(outputs: dict[str, Any]) -> list[str]:
    """The stage's zones from its ``zones`` output (``infra/zones.py``): ID, name, and why; none for other layers."""
    choice = outputs.get("zones")
    if not isinstance(choice, dict):
        return []
    how = {
        "count": "the first zone IDs, in order, that offer",
        "zone_ids": "the configured zone_ids, each checked for",
        "availability_zones": "the configured zone names, each checked for",
    }.get(str(choice.get("source")), "checked for")
    checked = ", ".join(choice.get("checked_instance_types") or []) or "nothing (no instance types to check)"
    lines = [f"Zones: {how} {checked}"]
    lines += [f"  {zone['id']:<12} {zone['name']}" for zone in choice.get("zones") or []]
    lines += [f"  skipped {zone}: lacks {', '.join(types)}" for zone, types in (choice.get("skipped") or {}).items()]
    return [*lines, ""]


def render_plan(result: PlanResult) -> str:
    """The full text report of one plan."""
    inv = result.inventory
    lines = [
        f"Plan of {result.layer} stack {inv.stack!r} (project {inv.project}, profile {result.profile}, "
        f"region {result.region})",
        "Offline: the real program ran under mocks; no cloud credentials were used and nothing was changed.",
        "",
        *render_tree(inv),
        "",
        f"Resources: {len(inv.resources)} to create",
    ]
    lines += [f"  {count:>4}  {type_}" for type_, count in sorted(inv.type_counts().items())]
    lines.append("")
    lines += render_zones(inv.outputs)
    if result.acknowledged:
        lines.append("Acknowledged weakenings (floors this stage goes below on purpose):")
        lines += [f"  - {a.key}: {a.reason}" for a in result.acknowledged]
    else:
        lines.append("Acknowledged weakenings: none")
    if result.findings:
        lines.append("Findings:")
        lines += [f"  - [{f['level']}] {f['rule']}: {f['message']}" for f in result.findings]
    else:
        lines.append("Findings: none")
    lines.append("")
    lines += render_cost(result.cost)
    lines.append("")
    lines += render_deploy(result.deploy, inv)
    lines.append("")
    lines.append("Outputs:")
    lines += [f"  {name}: {value}" for name, value in inv.outputs.items()]
    return "\n".join(lines)
