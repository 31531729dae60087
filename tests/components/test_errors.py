"""A component's input error names the argument and shows the value as a stack file would write it."""

from __future__ import annotations

from typing import Any

import pytest

from components.errors import ComponentInputError


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "null"), (True, "true"), ((1, 5, 4), "[1, 5, 4]"), ("it's", "'it''s'"), ({"Team": None}, "{'Team': null}")],
)
def test_the_bad_value_is_shown_as_yaml(value: Any, shown: str) -> None:
    error = ComponentInputError("Database", "port", value, "1150-65535")
    assert str(error) == f"Database: port={shown} is invalid: 1150-65535"
    assert error.value == value  # the original stays available to callers
