"""docs/components covers every component, with args tables generated from the dataclasses and in step."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tools.gen_component_docs import DOCS, PAGES, discover, main, render

ROOT = Path(__file__).resolve().parents[2]


def test_every_component_has_a_page() -> None:
    assert {c.name for c in discover()} == set(PAGES)


def test_every_page_is_in_step_with_the_args_dataclasses() -> None:
    """Regenerate with `python tools/gen_component_docs.py`."""
    assert main(["--check"]) == 0


def test_each_table_lists_every_field_of_its_args() -> None:
    for component in discover():
        text = (DOCS / PAGES[component.name]).read_text()
        for field in dataclasses.fields(component.args):
            assert f"| `{field.name}` |" in text, (component.name, field.name)


def test_a_stale_table_is_found() -> None:
    page = PAGES["Network"]
    text = (DOCS / page).read_text()
    stale = text.replace("| `cidr` | `str` | required |", "| `cidr` | `int` | required |", 1)
    assert stale != text and render(page, stale) == text
