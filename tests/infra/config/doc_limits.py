"""The limits the docs state, read from their tables, so a test can require a config error for each clause.

A table with a ``Limits`` column states one row per key (its first cell's first backticked key); a table of list
items, introduced by a line like ``A node group (`compute.eks.node_groups[]`):``, keys its rows by that prefix
(``compute.eks.node_groups[].name``). A Limits cell holds clauses separated by ``;``; each clause that states a
limit must be broken by some test entry, and a clause that only explains (``null: the stage name``) is exempted
by name, with why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

DOCS = Path(__file__).resolve().parents[3] / "docs"


def rows(text: str) -> dict[str, str]:
    """``{row key: Limits cell}`` of every table of ``text`` with a Limits column; a key may head one row only."""
    found: dict[str, str] = {}
    header: list[str] = []
    within = ""
    for line in text.splitlines():
        if not line.startswith("|"):
            header = []
            if line.strip():
                items = re.fullmatch(r"A .*\(`([^`]+)`[^)]*\):", line.strip())
                within = items[1] + "." if items else ""
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if cells[0] == "Key":
            header = cells
        elif header and "Limits" in header and not set(line) <= set("|- "):
            key = within + re.findall(r"`([^`]+)`", cells[0])[0]
            assert key not in found, f"two rows start with `{key}`: name the second by its own key first"
            found[key] = cells[header.index("Limits")]
    return found


def clauses(cell: str) -> list[str]:
    """The clauses of a Limits cell: split on ``;`` outside parentheses and backticks."""
    found, depth, quoted, start = [], 0, False, 0
    for at, char in enumerate(cell):
        if char == "`":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and depth == 0 and char == ";":
            found.append(cell[start:at].strip())
            start = at + 1
    return [c for c in [*found, cell[start:].strip()] if c]


def stated(cell: str, exempt: Iterable[str] = ()) -> list[str]:
    """The clauses of ``cell`` that state a limit: all but those containing the words of an ``exempt`` entry."""
    notes = tuple(exempt)
    return [c for c in clauses(cell) if not any(words in c for words in notes)]


def covered_clause(table: Mapping[str, str], row: str, clause: str, exempt: Iterable[str] = ()) -> str | None:
    """The stated clause of ``row`` an entry breaks: the one containing ``clause``, or (empty) the row's first."""
    found = stated(table.get(row, ""), exempt)
    if not clause:
        return found[0] if found else None
    return next((c for c in found if clause in c), None)


def uncovered(
    table: Mapping[str, str],
    entries: Iterable[tuple[str, str]],
    not_limits: Iterable[str],
    not_clauses: Mapping[str, Mapping[str, str]],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[str]]:
    """``(stated clauses no entry breaks, entries naming no stated clause, stale exemptions)``; all empty when
    the doc and the entries agree. ``entries`` are ``(row, clause words)``; ``not_limits`` rows state no limit."""
    entries = list(entries)
    skip = set(not_limits)
    want = {(k, c) for k, cell in table.items() if k not in skip for c in stated(cell, not_clauses.get(k, {}))}
    got = {(row, covered_clause(table, row, words, not_clauses.get(row, {}))) for row, words in entries}
    stale = [
        f"{k}: {words}"
        for k, notes in not_clauses.items()
        for words in notes
        if not any(words in c for c in clauses(table.get(k, "")))
    ]
    stale += [k for k in skip if not table.get(k)]
    stale += [k for k in not_clauses if k in table and not stated(table[k], not_clauses[k])]  # then: not_limits
    return (
        sorted(want - {(r, c) for r, c in got if c is not None}),
        sorted((r, w) for (r, w) in entries if covered_clause(table, r, w, not_clauses.get(r, {})) is None),
        sorted(stale),
    )
