"""Every limit docs/configuration.md states is a config error: the full key, the bad value as YAML, what is allowed.

The entries are ``stage_limits.LIMITS``; ``test_every_documented_limit_is_covered`` reads the doc's tables and
fails for a clause of a Limits cell that no entry breaks, so a new limit in the doc needs an entry.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

from infra.config import ConfigError
from infra.config.loader import load_stage_config
from stagecraft import cli
from tests.infra.config import doc_limits
from tests.infra.config.conftest import BASE
from tests.infra.config.stage_limits import LIMITS, NOT_LIMIT_CLAUSES, NOT_LIMITS, Limit, S
from tests.stagecraft.conftest import ROOT

CLUSTER = "stagecraft:cluster."  # the cluster layer's rows: tests/infra/config/test_layer_limits.py


def stage_rows() -> dict[str, str]:
    """The stage's rows of docs/configuration.md (the cluster layer's section aside)."""
    table = doc_limits.rows((doc_limits.DOCS / "configuration.md").read_text())
    return {k: v for k, v in table.items() if not k.startswith(CLUSTER)}


def _merge(target: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    for dotted, value in over.items():
        *parents, leaf = dotted.split(".") if not dotted.startswith(("aws:", "stagecraft:")) else [dotted]
        node = target
        for part in parents:
            node = node.setdefault(part, {})
        if isinstance(value, dict) and isinstance(node.get(leaf), dict):
            _merge(node[leaf], value)
        else:
            node[leaf] = copy.deepcopy(value)
    return target


def _stage_values(limit: Limit) -> dict[str, Any]:
    values = copy.deepcopy(BASE)
    values[S]["profile"] = limit.profile
    _merge(values[S], limit.stage)
    return _merge(values, limit.top)


def problem_at(load: Any, key: str) -> str:
    """The message of the problem ``load()`` reports at ``key`` (it must raise ConfigError with one there)."""
    with pytest.raises(ConfigError) as caught:
        load()
    found = {p.key: p.message for p in caught.value.problems}
    assert key in found, f"no problem at {key}: {found}"
    return found[key]


@pytest.mark.parametrize("limit", LIMITS, ids=lambda limit: f"{limit.key.removeprefix(S + '.')}={limit.value}")
def test_breaking_a_documented_limit_is_a_config_error(limit: Limit) -> None:
    stack = "production" if limit.profile == "production" else "staging"
    message = problem_at(lambda: load_stage_config(stack, _stage_values(limit)), limit.key)
    assert limit.value in message and limit.allowed in message, message


def test_a_limits_cell_splits_into_clauses_outside_parentheses_and_backticks() -> None:
    assert doc_limits.clauses("5-120 (CodeBuild allows 2160; too long); `;` and `,` banned; null: off") == [
        "5-120 (CodeBuild allows 2160; too long)",
        "`;` and `,` banned",
        "null: off",
    ]


def test_a_table_of_list_items_keys_its_rows_by_the_list() -> None:
    text = "A group (`groups[]`):\n\n| Key | Limits |\n|---|---|\n| `name` | 1-32 |\n\nAfter:\n\n| Key | Limits |\n"
    assert doc_limits.rows(text + "|---|---|\n| `name` | 2-3 |\n") == {"groups[].name": "1-32", "name": "2-3"}


def test_every_documented_limit_is_covered() -> None:
    table = stage_rows()
    assert len(table) > 90
    missing, stray, stale = doc_limits.uncovered(
        table, [(limit.row, limit.clause) for limit in LIMITS], NOT_LIMITS, NOT_LIMIT_CLAUSES
    )
    assert missing == []  # a stated clause no entry breaks
    assert stray == []  # an entry naming no row, or no clause of its row
    assert stale == []  # an exemption naming no clause, or every clause of its row


def test_a_broken_limit_exits_2_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.staging.yaml"):
        shutil.copy(ROOT / name, project / name)
    path = project / "Pulumi.staging.yaml"
    path.write_text(
        path.read_text().replace("cidr: 10.20.0.0/16", "cidr: 10.20.0.0/16\n    database:\n      port: 5432", 1)
    )
    assert cli.main(["--cwd", str(project), "plan", "staging"]) == 2
    err = capsys.readouterr().err
    assert "stagecraft:stage.database.port: 5432 is not allowed: must be 1150-65535" in err
    assert "Traceback" not in err
