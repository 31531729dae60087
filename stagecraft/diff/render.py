"""``stagecraft diff`` as text (a terminal) or as Markdown (a pull-request comment, the job summary)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from stagecraft.diff import Diff
from stagecraft.diff.model import KINDS, Change
from stagecraft.diff.paths import ABSENT, PathChange
from stagecraft.plan.inventory import RecordedResource

__all__ = ["MARKDOWN_LIMIT", "render_markdown", "render_text"]

MARKDOWN_LIMIT = 60_000
"""Characters a Markdown diff keeps under: GitHub refuses comment bodies over 65,536."""
_SIGN = {"create": "+", "replace": "±", "update": "~", "delete": "-", "unchanged": " ", "may change": "?"}
_VALUE_WIDTH = 60
_PATHS_SHOWN = 10
_BOUND_WORDS = {"exact": "", "lower_bound": "at least ", "upper_bound": "at most ", "unknown": ""}


def _value(value: Any) -> str:
    if value is ABSENT:
        return "(none)"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"


def _usd(value: float | None, *, sign: bool = False) -> str:
    if value is None:
        return "unpriced"
    return f"{'+' if sign and value >= 0 else '-' if value < 0 else ''}${abs(value):,.2f}"


def _label(change: Change) -> str:
    """The kind, or ``may change`` for an unchanged resource that depends on a replaced one."""
    return "may change" if change.kind == "unchanged" and change.after_replacement_of else change.kind


def _summary(diff: Diff) -> str:
    counts = diff.counts()
    return ", ".join(f"{counts[k]} {k}" for k in KINDS)


def _cost_line(diff: Diff) -> str:
    cost = diff.cost
    if cost.known_usd is None:
        return "Cost: delta unknown (a plan has no prices for its region, or changed resources are unpriced)"
    base = f"{'at least ' if cost.base_is_lower_bound else ''}{_usd(cost.base_usd)}"
    head = f"{'at least ' if cost.head_is_lower_bound else ''}{_usd(cost.head_usd)}"
    line = f"Cost: {base} -> {head} per month (list price, fixed charges): "
    if cost.delta_is == "unknown":
        return line + f"delta unknown ({_usd(cost.known_usd, sign=True)} from priced resources; unpriced ones changed)"
    return line + f"{_BOUND_WORDS[cost.delta_is]}{_usd(cost.delta_usd, sign=True)}"


def _deploy_line(diff: Diff) -> str:
    d = diff.deploy
    return (
        f"Deploy time: fresh deploy {d.base_p50:.1f} -> {d.head_p50:.1f} min p50 ({d.base_p90:.1f} -> "
        f"{d.head_p90:.1f} p90); this change's creates and replacements take about {d.change_p50:.1f} min p50, "
        f"{d.change_p90:.1f} p90 (updates and deletes not timed)"
    )


def _path_text(change: Change, path: PathChange) -> str:
    forces = "  (forces replacement)" if change.forces(path) else ""
    where = f" (JSON {path.json_path})" if path.json_path else ""
    return f"{path.path}{where}: {_value(path.before)} -> {_value(path.after)}{forces}"


def _details(change: Change) -> list[str]:
    lines = [_path_text(change, p) for p in change.paths[:_PATHS_SHOWN]]
    if len(change.paths) > _PATHS_SHOWN:
        lines.append(f"... and {len(change.paths) - _PATHS_SHOWN} more paths (--json has them all)")
    lines += [f"option {o.option}: {_value(o.before)} -> {_value(o.after)}" for o in change.options]
    lines += [f"may change too: depends on replaced {u.rsplit('::', 1)[-1]}" for u in change.after_replacement_of]
    if change.note:
        lines.append(f"note: {change.note}")
    return lines


def render_text(diff: Diff) -> str:
    """The diff for a terminal: hazards first, then every changed resource with its paths, cost, deploy time."""
    layer, project, stack = diff.head.identity
    lines = [f"Diff of {project}/{stack} ({layer} layer): {diff.base.source} -> {diff.head.source}"]
    if diff.hazards:
        lines.append(f"Hazards ({len(diff.hazards)}):")
        for h in diff.hazards:
            r = h.change.resource
            lines.append(f"  ! {h.rule}: {r.type} {r.name}: {h.message}")
    else:
        lines.append("No hazards.")
    lines.append(f"Resources: {_summary(diff)}")
    for change in diff.changes:
        if change.kind == "unchanged" and not change.after_replacement_of:
            continue
        r = change.resource
        lines.append(f"  {_SIGN[_label(change)]} {_label(change):<10} {r.type} {r.name}")
        lines += [f"        {line}" for line in _details(change)]
    lines.append(_cost_line(diff))
    for item in diff.cost.items:
        r = item.change.resource
        delta = _usd(item.delta_usd, sign=True) if item.delta_usd is not None else "unknown"
        bound = _BOUND_WORDS[item.delta_is]
        lines.append(f"  {bound}{delta}  {r.type} {r.name} ({_usd(item.before_usd)} -> {_usd(item.after_usd)})")
    lines.append(_deploy_line(diff))
    return "\n".join(lines)


def _md(text: str) -> str:
    """``text`` safe inside a Markdown table cell or inline code."""
    return text.replace("|", "\\|").replace("`", "'").replace("<", "&lt;").replace("\n", " ")


def _component(change: Change, diff: Diff) -> str:
    """The component chain a resource sits in, outermost first (``stack`` for top-level resources)."""
    known: dict[str, RecordedResource] = {**diff.base.inventory.by_urn(), **diff.head.inventory.by_urn()}
    chain = []
    parent = change.resource.parent
    while parent is not None and parent in known:
        chain.append(f"{known[parent].type.rsplit(':', 1)[-1]} {known[parent].name}")
        parent = known[parent].parent
    return " / ".join(reversed(chain)) or "stack"


def _group(diff: Diff, component: str, changes: list[Change], values: bool) -> str:
    counts = ", ".join(f"{n} {k}" for k in (*KINDS, "may change") if (n := sum(_label(c) == k for c in changes)))
    rows = ["| | Resource | Type | Changes |", "|---|---|---|---|"]
    for change in changes:
        r = change.resource
        details = _details(change) if values else [p.path for p in change.paths]
        cell = "<br>".join(f"`{_md(d)}`" for d in details)
        rows.append(f"| {_SIGN[_label(change)]} {_label(change)} | `{_md(r.name)}` | `{_md(r.type)}` | {cell} |")
    body = "\n".join(rows)
    return f"<details><summary>{_md(component)}: {counts}</summary>\n\n{body}\n\n</details>"


def render_markdown(diff: Diff, limit: int = MARKDOWN_LIMIT) -> str:
    """The diff as a pull-request comment: hazards, per component a collapsible table, cost, deploy time.

    Kept under ``limit`` characters: values are dropped first, then whole components (the comment says so).
    """
    layer, project, stack = diff.head.identity
    head = [f"### `stagecraft diff` of {_md(project)}/{_md(stack)} ({layer} layer)", ""]
    if diff.hazards:
        head += [
            f"**{len(diff.hazards)} hazard(s)**, review before merging:",
            "",
            "| Hazard | Resource | What |",
            "|---|---|---|",
        ]
        for h in diff.hazards:
            r = h.change.resource
            head.append(f"| **{h.rule}** | `{_md(r.name)}` (`{_md(r.type)}`) | {_md(h.message)} |")
    else:
        head.append("No hazards.")
    head += ["", f"Resources: {_summary(diff)}.", ""]
    tail = ["", _md(_cost_line(diff))]
    if diff.cost.items:
        tail += ["", "| Resource | Before | After | Delta |", "|---|---|---|---|"]
        for item in diff.cost.items:
            delta = (
                "unknown" if item.delta_usd is None else _BOUND_WORDS[item.delta_is] + _usd(item.delta_usd, sign=True)
            )
            tail.append(
                f"| `{_md(item.change.resource.name)}` | {_usd(item.before_usd)} | {_usd(item.after_usd)} | {delta} |"
            )
    tail += ["", _md(_deploy_line(diff))]
    groups: dict[str, list[Change]] = defaultdict(list)
    for change in diff.changes:
        if change.kind != "unchanged" or change.after_replacement_of:
            groups[_component(change, diff)].append(change)
    for values in (True, False):
        blocks = [_group(diff, name, changes, values) for name, changes in groups.items()]
        text = "\n".join([*head, "\n\n".join(blocks), *tail])
        if len(text) <= limit:
            return text
    kept: list[str] = []
    note = "\n\n_Some components are left out to fit a comment; the job summary has the whole diff._"
    budget = limit - len("\n".join([*head, *tail])) - len(note) - 2
    for block in blocks:
        if len(block) + 2 > budget:
            break
        kept.append(block)
        budget -= len(block) + 2
    return "\n".join([*head, "\n\n".join(kept) + note, *tail])
