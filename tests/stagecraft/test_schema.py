"""The stack files' JSON Schemas: in step with the models, and true of the shipped stacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from stagecraft import cli
from stagecraft.schema import LAYERS, stack_file_schema

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {
    "stage": ["Pulumi.staging.yaml", "Pulumi.production.yaml"],
    "bootstrap": ["bootstrap/Pulumi.amani-staging.yaml", "bootstrap/Pulumi.amani-production.yaml"],
    "repository": ["repository/Pulumi.amani-backend.yaml"],
    "cluster": ["cluster/Pulumi.staging.yaml", "cluster/Pulumi.production.yaml"],
}


def _validator(layer: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(stack_file_schema(layer))


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_the_committed_schema_is_the_models(layer: str) -> None:
    """Regenerate with `stagecraft schema --layer LAYER > schema/LAYER.stack.schema.json`."""
    committed = json.loads((ROOT / "schema" / f"{layer}.stack.schema.json").read_text())
    assert committed == stack_file_schema(layer)
    jsonschema.Draft202012Validator.check_schema(committed)


@pytest.mark.parametrize(("layer", "path"), [(layer, path) for layer, paths in SHIPPED.items() for path in paths])
def test_the_shipped_stack_files_validate(layer: str, path: str) -> None:
    errors = [e.message for e in _validator(layer).iter_errors(yaml.safe_load((ROOT / path).read_text()))]
    assert errors == []


def _staging() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "Pulumi.staging.yaml").read_text())
    return document


def test_a_misspelt_key_or_a_missing_cidr_is_caught_in_the_editor() -> None:
    misspelt = _staging()
    misspelt["config"]["stagecraft:stage"]["netwrok"] = {}
    assert [e.message for e in _validator("stage").iter_errors(misspelt)] == [
        "Additional properties are not allowed ('netwrok' was unexpected)"
    ]
    missing = _staging()
    del missing["config"]["stagecraft:stage"]["network"]["cidr"]
    assert [e.message for e in _validator("stage").iter_errors(missing)] == ["'cidr' is a required property"]


def test_only_what_no_profile_fills_is_required() -> None:
    stage = stack_file_schema("stage")["properties"]["config"]["properties"]["stagecraft:stage"]
    assert stage["required"] == ["profile", "app", "repository", "network"]


def test_the_cli_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema", "--layer", "cluster"]) == 0
    assert json.loads(capsys.readouterr().out) == stack_file_schema("cluster")
