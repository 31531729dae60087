"""Regions, RDS classes and engine versions checked against the AWS lists shipped as data."""

from __future__ import annotations

import json
from pathlib import Path

from infra.config import aws_lists
from tests.infra.config.conftest import load, problems, values
from tools.gen_aws_lists import build

ROOT = Path(__file__).resolve().parents[3]
DATA = "cfn-lint " + aws_lists.source().split()[1] + " data"


def test_the_shipped_lists_are_the_installed_cfn_lints() -> None:
    """Regenerate with `python tools/gen_aws_lists.py` after upgrading cfn-lint."""
    assert json.loads((ROOT / "infra" / "config" / "aws_lists.json").read_text()) == build()


def test_a_typod_region_is_a_config_error_with_a_suggestion() -> None:
    config = values()
    config["aws:region"] = "us-east-7"
    assert problems(config) == [
        f"aws:region: 'us-east-7' is not an AWS region (did you mean 'us-east-2'?); allowed: the "
        f"{len(aws_lists.regions())} regions of {DATA}"
    ]


def test_a_typod_instance_class_is_a_config_error_with_a_suggestion() -> None:
    assert problems(values(database={"instance_class": "db.t4g.mirco"})) == [
        "stagecraft:stage.database.instance_class: 'db.t4g.mirco' is not an RDS for PostgreSQL instance class in "
        "us-east-1 (did you mean 'db.t4g.micro'?); see `aws rds describe-orderable-db-instance-options --engine "
        f"postgres --region us-east-1` ({DATA})"
    ]


def test_an_engine_version_rds_does_not_offer_is_a_config_error() -> None:
    assert problems(values(database={"engine_version": "17.99"})) == [
        "stagecraft:stage.database.engine_version: '17.99' is not an RDS for PostgreSQL engine version (did you "
        f"mean '17.9'?) ({DATA})"
    ]


def test_real_values_pass() -> None:
    config = load(values(database={"instance_class": "db.m7g.large", "engine_version": "17.2"}))
    assert config.settings.database.instance_class == "db.m7g.large"
    assert "db.t4g.micro" in (aws_lists.postgres_instance_classes("us-east-1") or ())
