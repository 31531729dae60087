"""Human-readable plan output: components with counts (the resource tree with ``--verbose``), notes, outputs.

The default view is one line per component with how many resources it holds and of which kinds, so a stage
of 150 resources reads in a screen; ``--verbose`` adds the tree of every resource (like ``pulumi preview``)
and the counts per type; ``--show NAME`` prints one resource whole. Mandatory findings are always listed,
advisory ones are counted per rule unless ``--all-findings``. Colour only when asked (a terminal, and no
``NO_COLOR``: https://no-color.org). Inputs and outputs the mocks made up (ids, ARNs, endpoints) print as their
source, ``<- NAME.OUTPUT`` (:mod:`stagecraft.plan.shown`), as ``pulumi preview`` prints ``output<string>``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import yaml

from stagecraft.estimates.cost import render_cost
from stagecraft.estimates.deploy_time import render_deploy
from stagecraft.plan.build import PlanResult
from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.plan.references import References
from stagecraft.plan.shown import display_names, shown

_RED, _YELLOW, _BOLD, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[0m"
_COMPUTED = "  (<- SOURCE: a resource output is known after deploy, a lookup at preview; offline values are made up)"


@dataclass(frozen=True)
class View:
    """How much of the plan to show."""

    verbose: bool = False
    """The full resource tree and the counts per type."""
    all_findings: bool = False
    """Every advisory finding, not only their count per rule."""
    color: bool = False
    """ANSI colour for finding levels (the caller decides: a terminal without NO_COLOR)."""


def _paint(text: str, code: str, view: View) -> str:
    return f"{code}{text}{_RESET}" if view.color else text


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


def _short_type(type_: str) -> str:
    return type_.rsplit(":", 1)[-1]


def render_components(inventory: Inventory) -> list[str]:
    """One line per component (nested ones indented): its resources, how many of each kind, protected ones."""
    lines = [f"pulumi:pulumi:Stack  {inventory.project}-{inventory.stack}"]

    def own(component: RecordedResource) -> list[RecordedResource]:
        return [r for r in inventory.children(component.urn) if r.custom]

    def walk(component: RecordedResource, depth: int) -> None:
        resources = own(component)
        kinds = Counter(_short_type(r.type) for r in resources)
        summary = ", ".join(f"{n} {kind}" if n > 1 else kind for kind, n in sorted(kinds.items()))
        protected = sum(1 for r in resources if r.protect)
        note = f"; {protected} protected" if protected else ""
        lines.append(f"{'   ' * depth}├─ {component.type}  {component.name}  ({len(resources)}: {summary}{note})")
        for child in inventory.children(component.urn):
            if not child.custom:
                walk(child, depth + 1)

    for root in (r for r in inventory.resources if r.parent is None and not r.custom):
        walk(root, 0)
    loose = [r for r in inventory.resources if r.parent is None and r.custom]
    if loose:
        kinds = Counter(_short_type(r.type) for r in loose)
        summary = ", ".join(f"{n} {kind}" if n > 1 else kind for kind, n in sorted(kinds.items()))
        lines.append(f"└─ (no component)  ({len(loose)}: {summary})")
    return lines


def render_zones(
    outputs: dict[str, Any], references: References | None = None, names: dict[str, str] | None = None
) -> list[str]:
    """The stage's zones from its ``zones`` output (``infra/zones.py``): ID, name, and why; none for other layers.

    What the config fixes prints as written; what the account decides (which zone IDs offer the types, which
    name each ID has in this account) prints as its lookup, ``<- aws.getAvailabilityZones().zoneIds[0]``: the
    offline plan's zones are the mocks', not the account's.
    """
    choice = outputs.get("zones")
    if not isinstance(choice, dict):
        return []
    source = str(choice.get("source"))
    how = {
        "count": "the first zone IDs, in order, that offer",
        "zone_ids": "the configured zone_ids, each checked for",
        "availability_zones": "the configured zone names, each checked for",
    }.get(source, "checked for")
    checked = ", ".join(choice.get("checked_instance_types") or []) or "nothing (no instance types to check)"
    configured = {"zone_ids": "id", "availability_zones": "name"}.get(source)
    lookups = {
        path: refs
        for path, refs in (references or {}).items()
        if configured is None or not path.endswith(f"].{configured}")
    }
    zones = shown(choice, lookups, names or {}, "zones").get("zones") or []
    lines = [f"Zones: {how} {checked}"]
    lines += [f"  {zone['id']:<12}  {zone['name']}" for zone in zones]
    lines += [f"  skipped {zone}: lacks {', '.join(types)}" for zone, types in (choice.get("skipped") or {}).items()]
    return [*lines, ""]


def _yaml(value: Any) -> list[str]:
    """``value`` as indented YAML lines (``null``, ``true``, lists and maps as a person writes them)."""
    text = yaml.safe_dump(value, sort_keys=True, default_flow_style=False, allow_unicode=True, width=110)
    return ["  " + line for line in text.rstrip("\n").split("\n")]


def render_findings(findings: list[dict[str, Any]], view: View) -> list[str]:
    """Mandatory findings whole; advisory ones whole with ``all_findings``, else counted per rule."""
    if not findings:
        return ["Findings: none"]
    mandatory = [f for f in findings if f["level"] == "mandatory"]
    advisory = [f for f in findings if f["level"] != "mandatory"]
    lines = ["Findings:"]
    tag = _paint("[mandatory]", _RED + _BOLD, view)
    lines += [f"  - {tag} {f['rule']}: {f['message']}" for f in mandatory]
    if view.all_findings:
        lines += [f"  - {_paint('[advisory]', _YELLOW, view)} {f['rule']}: {f['message']}" for f in advisory]
    elif advisory:
        per_rule = Counter(f["rule"] for f in advisory)
        counted = ", ".join(f"{rule} x{n}" for rule, n in sorted(per_rule.items()))
        lines.append(f"  {_paint(f'{len(advisory)} advisory', _YELLOW, view)}: {counted} (--all-findings lists them)")
    return lines


def render_plan(result: PlanResult, view: View | None = None) -> str:
    """The full text report of one plan."""
    view = view or View()
    inv = result.inventory
    components = sum(1 for r in inv.resources if not r.custom)
    lines = [
        f"Plan of {result.layer} stack {inv.stack!r} (project {inv.project}, profile {result.profile}, "
        f"region {result.region})",
        "Offline: the real program ran under mocks; no cloud credentials were used and nothing was changed.",
        "",
        *(render_tree(inv) if view.verbose else render_components(inv)),
        "",
        f"Resources: {sum(1 for r in inv.resources if r.custom)} to create in {components} components"
        + ("" if view.verbose else " (--verbose: every resource and the counts per type)"),
    ]
    if view.verbose:
        lines += [f"  {count:>4}  {type_}" for type_, count in sorted(inv.type_counts().items())]
    lines.append("")
    lines += render_zones(inv.outputs, inv.output_references, display_names(inv))
    if result.acknowledged:
        lines.append("Acknowledged weakenings (floors this stage goes below on purpose):")
        lines += [f"  - {a.key}: {a.reason}" for a in result.acknowledged]
    else:
        lines.append("Acknowledged weakenings: none")
    lines += render_findings(result.findings, view)
    lines.append("")
    lines += render_cost(result.cost)
    lines.append("")
    lines += render_deploy(result.deploy, inv)
    lines.append("")
    lines.append("Outputs:" + (_COMPUTED if inv.output_references else ""))
    lines += _yaml(shown(inv.outputs, inv.output_references, display_names(inv))) if inv.outputs else ["  none"]
    return "\n".join(lines)


class UnknownResourceError(LookupError):
    """``--show`` named no resource, or several."""


def find_resource(result: PlanResult, name: str) -> RecordedResource:
    """The one resource ``name`` names: its logical name, the label the plan prints for it (``name[Subnet]`` when
    several resources share a name) or its URN; :class:`UnknownResourceError` for none or several."""
    labels = display_names(result.inventory)
    matches = [r for r in result.inventory.resources if name in (r.name, r.urn, labels[r.urn])]
    if len(matches) != 1:
        known = sorted({labels[r.urn] for r in result.inventory.resources if name in r.name})[:10]
        hint = f"; labels containing it: {', '.join(known)}" if known else ""
        raise UnknownResourceError(f"--show {name!r}: {len(matches)} resources have that name or URN{hint}")
    return matches[0]


def render_resource(result: PlanResult, name: str) -> str:
    """One resource whole: type, URN, inputs, options and what it waits for (``name`` as :func:`find_resource`)."""
    resource = find_resource(result, name)
    options = {
        "parent": resource.parent,
        "provider": resource.provider,
        "protect": resource.protect,
        "retainOnDelete": resource.retain_on_delete,
        "ignoreChanges": list(resource.ignore_changes),
        "deleteBeforeReplace": resource.delete_before_replace,
    }
    lines = [f"{resource.type}  {resource.name}", f"urn: {resource.urn}"]
    lines.append("inputs:" + (_COMPUTED if resource.references else ""))
    names = display_names(result.inventory)
    lines += _yaml(shown(resource.inputs, resource.references, names)) if resource.inputs else ["  {}"]
    lines += ["options:", *_yaml(options), "dependencies:"]
    lines += [f"  - {d}" for d in resource.dependencies] or ["  none"]
    return "\n".join(lines)
