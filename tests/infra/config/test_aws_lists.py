"""Regions, RDS classes and engine versions checked against the AWS lists shipped as data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
        f"{len(aws_lists.regions())} regions of the aws partition in {DATA}"
    ]


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("us-isof-south-1", "aws-iso-f"),
    ],
)
def test_a_region_of_another_partition_is_a_config_error(region: str, partition: str) -> None:
    """The components write arn:aws: ARNs, and S3 replication and one set of credentials stay in one partition."""
    assert aws_lists.partition(region) == partition
    config = values()
    config["aws:region"] = region
    assert problems(config) == [
        f"aws:region: '{region}' is a region of the {partition} partition; allowed: the "
        f"{len(aws_lists.regions())} regions of the aws partition in {DATA} (stagecraft writes arn:aws: ARNs)"
    ]
    (replica,) = problems(values(backups={"replication_region": region}))
    assert replica.startswith(
        f"stagecraft:stage.backups.replication_region: '{region}' is a region of the {partition} partition"
    )


def test_every_shipped_region_of_the_aws_partition_is_allowed() -> None:
    assert aws_lists.partition("eusc-de-east-1") == "aws-eusc"  # not even a region name's shape to the loader
    assert "eusc-de-east-1" not in aws_lists.regions()
    assert set(aws_lists.regions()) >= {"us-east-1", "eu-west-1", "ap-southeast-2", "mx-central-1"}
    assert all(aws_lists.region_problem(region) is None for region in aws_lists.regions())


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
