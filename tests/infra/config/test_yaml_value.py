"""Config messages show values as the stack file writes them (YAML), never as Python reprs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml

from infra.config.errors import yaml_value
from tests.infra.config.conftest import problems, values


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (1.5, "1.5"),
        (float("inf"), ".inf"),
        ("3", "'3'"),
        ("it's", "'it''s'"),
        ("tab\there", '"tab\\there"'),
        ([1, "a", None], "[1, 'a', null]"),
        ({"Team": True}, "{'Team': true}"),
        ((), "[]"),
        (date(2026, 1, 31), "2026-01-31"),
    ],
)
def test_values_are_written_as_yaml(value: Any, shown: str) -> None:
    assert yaml_value(value) == shown


@pytest.mark.parametrize("value", [None, True, 7, 2.5, "x: y", "it's", "a\nb", [None, [False]], {"K": {"v": None}}])
def test_yaml_reads_back_the_same_value(value: Any) -> None:
    assert yaml.safe_load(yaml_value(value)) == value


def test_a_pydantic_type_error_shows_the_yaml_value() -> None:
    lines = problems(values(key={"protect": None}))
    assert lines == ["stagecraft:stage.key.protect: null is not allowed: input should be a valid boolean"]


def test_a_message_that_starts_with_a_name_keeps_its_case() -> None:
    seven = [f"user:Dev{i}" for i in range(7)]
    [line] = problems(values(github={"reviewers": seven}))
    assert ": GitHub allows at most 6 reviewers" in line
    assert "'user:Dev0'" in line
