from __future__ import annotations

from typing import Any

import pytest

from components.naming import RULES, name_problems
from infra.config.data import REPOSITORY_NAME_MAX
from infra.config.stage import APP_NAME_MAX, STAGE_NAME_MAX
from infra.naming import longest_names
from tests.infra.config.conftest import load, problems, values

S = "stagecraft:stage"
MAJORS = "must be a PostgreSQL major in standard support (14, 15, 16, 17, 18), optionally with .minor"
TAG_RULE = "use 1-128 of letters, digits and '._*-', with at most 2 '*' wildcards"


def _problems(profile: str = "staging", stack: str = "staging", **stage: Any) -> list[str]:
    return problems(values(profile=profile, **stage), stack=stack)


def test_profile_defaults() -> None:
    dev = load(values(profile="development"), stack="dev").settings
    stg = load(values()).settings
    prd = load(values(profile="production"), stack="production").settings
    assert [s.database.backup_retention_days for s in (dev, stg, prd)] == [1, 7, 14]
    assert [s.database.multi_az for s in (dev, stg, prd)] == [False, False, True]
    assert [s.database.deletion_protection for s in (dev, stg, prd)] == [False, True, True]
    assert [s.database.monitoring_interval for s in (dev, stg, prd)] == [0, 60, 60]
    assert [s.database.instance_class for s in (dev, stg, prd)] == ["db.t4g.micro", "db.t4g.micro", "db.t4g.medium"]
    assert [s.backups.retention_days for s in (dev, stg, prd)] == [30, 90, 365]
    assert [s.backups.object_lock.mode for s in (dev, stg, prd)] == ["none", "GOVERNANCE", "GOVERNANCE"]
    for s in (dev, stg, prd):
        protected = s is prd
        assert (s.key.protect, s.registries.protect, s.database.protect, s.backups.protect) == (protected,) * 4
        assert s.registries.repositories == ["app"]
        assert s.database.enabled and s.backups.enabled and s.database.restore is None


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("database.backup_retention_days", 10, "at least 14"),
        ("database.monitoring_interval", 0, "at least 1"),
        ("database.multi_az", False, "true"),
        ("database.deletion_protection", False, "true"),
        ("database.protect", False, "true"),
        ("key.protect", False, "true"),
        ("registries.protect", False, "true"),
        ("backups.protect", False, "true"),
        ("backups.enabled", False, "true"),
        ("backups.retention_days", 364, "at least 365"),
        ("backups.object_lock.mode", "none", "'GOVERNANCE' (scale: none, GOVERNANCE, COMPLIANCE)"),
    ],
)
def test_production_floors(key: str, value: Any, message: str) -> None:
    section, *rest = key.split(".")
    setting: Any = value
    for part in reversed(rest):
        setting = {part: setting}
    # as YAML writes it: true/false, numbers bare, strings quoted
    shown = str(value).lower() if isinstance(value, bool) else f"'{value}'" if isinstance(value, str) else str(value)
    assert _problems("production", "production", **{section: setting}) == [
        f"{S}.{key}: {shown} is below the production floor ({message}); raise it, or add "
        f"'acknowledge: {{{key}: <reason>}}' to accept the weaker setting"
    ]


def test_staging_floor_on_deletion_protection() -> None:
    assert _problems(database={"deletion_protection": False}) == [
        f"{S}.database.deletion_protection: false is below the staging floor (true); raise it, or add "
        "'acknowledge: {database.deletion_protection: <reason>}' to accept the weaker setting"
    ]


def test_development_may_turn_everything_down() -> None:
    config = load(values(profile="development", database={"enabled": False}, backups={"enabled": False}), stack="dev")
    assert not config.settings.database.enabled and not config.settings.backups.enabled


@pytest.mark.parametrize(
    ("database", "message"),
    [
        ({"backup_retention_days": 0}, "0 is not allowed: must be 1-35 days (0 would turn off point-in-time recovery)"),
        (
            {"backup_retention_days": 36},
            "36 is not allowed: must be 1-35 days (0 would turn off point-in-time recovery)",
        ),
        (
            {"engine_version": "13"},
            "'13' is not allowed: " + MAJORS,
        ),
        (
            {"engine_version": "17.x"},
            "'17.x' is not allowed: " + MAJORS,
        ),
        ({"instance_class": "t4g.micro"}, "'t4g.micro' is not allowed: must be db.<family>.<size>, e.g. db.t4g.medium"),
        ({"allocated_storage": 19}, "19 is not allowed: must be 20-65536 GiB (gp3)"),
        ({"max_allocated_storage": 70000}, "70000 is not allowed: must be 20-65536 GiB (gp3)"),
        ({"monitoring_interval": 45}, "45 is not allowed: must be one of 0, 1, 5, 10, 15, 30, 60 seconds (0 = off)"),
        (
            {"performance_insights_retention_days": 30},
            "30 is not allowed: must be 7, 731 or a multiple of 31 up to 713",
        ),
    ],
)
def test_database_field_rules(database: dict[str, Any], message: str) -> None:
    [(key, _)] = database.items()
    assert _problems(database=database) == [f"{S}.database.{key}: {message}"]


@pytest.mark.parametrize(
    ("database", "key", "message"),
    [
        (
            {"allocated_storage": 200, "max_allocated_storage": 100},
            "max_allocated_storage",
            "100 is not allowed: must be at least allocated_storage (200)",
        ),
        (
            {"backup_window": "3:00-4:00"},
            "backup_window",
            "'3:00-4:00' is not allowed: must be hh:mm-hh:mm in UTC, e.g. 03:00-04:00",
        ),
        (
            {"backup_window": "03:00-03:15"},
            "backup_window",
            "'03:00-03:15' is not allowed: must be at least 30 minutes long",
        ),
        (
            {"maintenance_window": "sunday 05:00"},
            "maintenance_window",
            "'sunday 05:00' is not allowed: must be ddd:hh:mm-ddd:hh:mm in UTC, e.g. sun:05:00-sun:06:00",
        ),
        (
            {"maintenance_window": "sun:05:00-sun:05:10"},
            "maintenance_window",
            "'sun:05:00-sun:05:10' is not allowed: must be at least 30 minutes long",
        ),
        (
            {"maintenance_window": "mon:03:30-mon:04:30"},
            "maintenance_window",
            "'mon:03:30-mon:04:30' is not allowed: must not overlap backup_window 03:00-04:00",
        ),
    ],
)
def test_database_cross_field_rules(database: dict[str, Any], key: str, message: str) -> None:
    assert _problems(database=database) == [f"{S}.database.{key}: {message}"]


def test_restore_source_must_be_another_instance() -> None:
    restore = {"source_identifier": "amani-backend-staging-pg"}
    assert _problems(database={"restore": restore}) == [
        f"{S}.database.restore.source_identifier: 'amani-backend-staging-pg' is not allowed: must name another "
        "instance than this stage's own (amani-backend-staging-pg); a restore creates a new instance side by side, "
        "in a recovery stage"
    ]


def test_restore_source_must_be_an_rds_identifier() -> None:
    assert _problems(database={"restore": {"source_identifier": "Prod_DB"}}) == [
        f"{S}.database.restore.source_identifier: 'Prod_DB' is not allowed: rds-identifier 'Prod_DB' does not "
        "match the rule: lowercase letters, digits and '-', starting with a letter, no '--', not ending in '-'"
    ]


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("2026-01-31 23:59:00", "must be 'latest' or an RFC 3339 UTC timestamp like 2026-01-31T23:59:00Z"),
        ("2026-01-31T23:59:00+02:00", "must be 'latest' or an RFC 3339 UTC timestamp like 2026-01-31T23:59:00Z"),
        ("2026-02-30T00:00:00Z", "must be 'latest' or an RFC 3339 UTC timestamp like 2026-01-31T23:59:00Z"),
        ("2999-01-01T00:00:00Z", "must be not in the future"),
    ],
)
def test_restore_time(time: str, message: str) -> None:
    restore = {"source_identifier": "amani-backend-production-pg", "time": time}
    assert _problems(database={"restore": restore}) == [
        f"{S}.database.restore.time: {time!r} is not allowed: {message}"
    ]


def test_restore_is_accepted_in_a_recovery_stage() -> None:
    restore = {"source_identifier": "amani-backend-production-pg", "time": "2026-01-31T23:59:00Z"}
    config = load(values(profile="production", database={"restore": restore}), stack="prod-r0131")
    assert config.settings.database.restore is not None
    assert config.settings.database.restore.time == "2026-01-31T23:59:00Z"


@pytest.mark.parametrize(
    ("registries", "key", "message"),
    [
        (
            {"repositories": ["api", "Worker"]},
            "repositories[1]",
            f"'Worker' is not allowed: must be 1-{REPOSITORY_NAME_MAX} lowercase letters and digits in segments "
            "separated by '.', '_', '-' or '/' (it names the ECR repository <app>-<stage>/<name>)",
        ),
        (
            {"repositories": ["api-"]},
            "repositories[0]",
            f"'api-' is not allowed: must be 1-{REPOSITORY_NAME_MAX} lowercase letters and digits in segments "
            "separated by '.', '_', '-' or '/' (it names the ECR repository <app>-<stage>/<name>)",
        ),
        (
            {"repositories": ["a" * 65]},
            "repositories[0]",
            f"{'a' * 65!r} is not allowed: must be 1-{REPOSITORY_NAME_MAX} lowercase letters and digits in segments "
            "separated by '.', '_', '-' or '/' (it names the ECR repository <app>-<stage>/<name>)",
        ),
        (
            {"repositories": ["api", "api"]},
            "repositories",
            "['api', 'api'] is not allowed: repository names must be unique",
        ),
        (
            {"moving_tags": ["la test"]},
            "moving_tags",
            "['la test'] is not allowed: tag 'la test': " + TAG_RULE,
        ),
        (
            {"release_tag_patterns": ["v*.*.*"]},
            "release_tag_patterns",
            "['v*.*.*'] is not allowed: tag 'v*.*.*': " + TAG_RULE,
        ),
        (
            {"commit_tag_prefixes": ["main*"]},
            "commit_tag_prefixes",
            "['main*'] is not allowed: prefix 'main*': use 1-127 of letters, digits and '._-' (no wildcards)",
        ),
        ({"untagged_days": 0}, "untagged_days", "0 is not allowed: must be at least 1 day"),
        (
            {"stage_tag_days": 120},
            "stage_tag_days",
            "120 is not allowed: must be at most commit_tag_days (90): stage builds live shorter than commits",
        ),
        (
            {"untagged_days": 40},
            "untagged_days",
            "40 is not allowed: must be at most stage_tag_days (30): untagged layers go first",
        ),
    ],
)
def test_registry_rules(registries: dict[str, Any], key: str, message: str) -> None:
    assert _problems(registries=registries) == [f"{S}.registries.{key}: {message}"]


def test_too_many_repositories() -> None:
    names = [f"r{i}" for i in range(21)]
    assert _problems(registries={"repositories": names}) == [
        f"{S}.registries.repositories: {names!r} is not allowed: must be at most 20 repositories"
    ]


@pytest.mark.parametrize(
    ("backups", "key", "message"),
    [
        ({"retention_days": 0}, "retention_days", "0 is not allowed: must be 1-36500 days"),
        ({"noncurrent_days": 0}, "noncurrent_days", "0 is not allowed: must be 1-36500 days"),
        (
            {"transition_days": 90},
            "transition_days",
            "90 is not allowed: must be below retention_days (90): objects are archived before they expire",
        ),
        (
            {"transition_storage_class": "STANDARD_IA", "transition_days": 10},
            "transition_days",
            "10 is not allowed: must be at least 30 for STANDARD_IA",
        ),
        (
            {"transition_storage_class": "GLACIER_DEEP"},
            "transition_storage_class",
            "'GLACIER_DEEP' is not allowed: input should be 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE', "
            "'STANDARD_IA', 'ONEZONE_IA' or 'INTELLIGENT_TIERING'",
        ),
        (
            {"object_lock": {"mode": "GOVERNANCE", "days": 120}},
            "object_lock.days",
            "120 is not allowed: must be at most retention_days (90): a locked object cannot expire before its "
            "lock ends",
        ),
        (
            {"object_lock": {"mode": "GOVERNANCE", "days": 0}},
            "object_lock.days",
            "0 is not allowed: must be at least 1 day",
        ),
        (
            {"object_lock": {"mode": "governance"}},
            "object_lock.mode",
            "'governance' is not allowed: input should be 'none', 'GOVERNANCE' or 'COMPLIANCE'",
        ),
        (
            {"replication_region": "us-east-1"},
            "replication_region",
            "'us-east-1' is not allowed: must be another region than aws:region (us-east-1)",
        ),
        (
            {"replication_region": "oregon"},
            "replication_region",
            "'oregon' is not allowed: must be an AWS region name (example: us-west-2)",
        ),
    ],
)
def test_backup_rules(backups: dict[str, Any], key: str, message: str) -> None:
    assert _problems(backups=backups) == [f"{S}.backups.{key}: {message}"]


def test_object_lock_days_are_not_checked_when_lock_is_off() -> None:
    config = load(values(backups={"object_lock": {"mode": "none", "days": 400}}))
    assert config.settings.backups.object_lock.mode == "none"


def test_unknown_data_key_suggests_the_closest_one() -> None:
    assert _problems(database={"multiaz": True}) == [f"{S}.database.multiaz: unknown key; did you mean 'multi_az'?"]


def test_longest_names_are_valid_for_every_kind() -> None:
    names = longest_names()
    assert (len(names.app), len(names.stage)) == (APP_NAME_MAX, STAGE_NAME_MAX)
    longest_repository = "r" * REPOSITORY_NAME_MAX
    checks = names.checks((longest_repository, "api/worker.v2_x"))
    kinds = {kind for kind, _ in checks}
    assert kinds >= {
        "kms-alias",
        "ecs-cluster",
        "eks-cluster",
        "rds-identifier",
        "s3-bucket",
        "iam-role",
        "k8s-namespace",
        "log-group",
        "ecr-repository",
    }
    assert kinds <= set(RULES)
    assert names.problems((longest_repository, "api/worker.v2_x")) == []
    assert ("ecr-repository", f"{names.prefix}/{longest_repository}") in checks
    # The checks can fail: one character more on the bucket prefix breaks S3's 63-character limit.
    assert len(names.backup_bucket) == 58 and len(names.backup_replica_bucket) == 58
    assert name_problems("s3-bucket", names.backup_bucket + "x" * 6)


def test_database_port_refuses_postgres_default() -> None:
    """The mandatory rule rds-custom-port (FSBP RDS.23) refuses 5432; config says so first, with the key (exit 2)."""
    assert _problems(database={"port": 5432}) == [
        f"{S}.database.port: 5432 is not allowed: must be 1150-65535 (RDS for PostgreSQL) and not PostgreSQL's "
        "default 5432 (FSBP RDS.23)"
    ]
    assert load(values(database={"port": 5431})).settings.database.port == 5431
