"""``stagecraft:stage.key``, ``.registries``, ``.database``, ``.backups``: the stage's stateful data tier.

Single-field rules are field validators (the loader names the key and value); rules that relate two
fields, or need the stage name or region, are in :func:`data_problems`, which the loader calls with them.
The rules mirror the components' own checks (``components/database.py`` and friends), so a bad value is
reported with its config key before any component runs.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from components.backup_bucket import ARCHIVE_CLASSES
from components.database import (
    DEFAULT_PORT,
    MAX_PORT,
    MAX_STORAGE_GIB,
    MIN_PORT,
    MIN_STORAGE_GIB,
    MONITORING_INTERVALS,
    SUPPORTED_MAJORS,
    db_name_problem,
    parse_restore_time,
    username_problem,
    window_problem,
)
from components.log_retention import LOG_RETENTION_DAYS
from components.migration_task import ARCHITECTURES, fargate_size_problem
from components.naming import name_problems
from infra.config import aws_lists
from infra.config.base import Settings
from infra.config.errors import yaml_value

if TYPE_CHECKING:
    from infra.config.stage import StageSettings

REPOSITORY_NAME_MAX = 64
"""Longest configured repository name; with the longest app and stage it stays far below ECR's 256."""
MAX_REPOSITORIES = 20
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")
_REPOSITORY = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*")
_TAG_FILTER = re.compile(r"[A-Za-z0-9._*-]{1,128}")
_PREFIX = re.compile(r"[A-Za-z0-9._-]{1,127}")
_INSTANCE_CLASS = re.compile(r"db\.[a-z0-9-]+\.[a-z0-9]+")


def _repository(value: str) -> str:
    if len(value) > REPOSITORY_NAME_MAX or not _REPOSITORY.fullmatch(value):
        raise ValueError(
            f"must be 1-{REPOSITORY_NAME_MAX} lowercase letters and digits in segments separated by '.', '_', '-' "
            "or '/' (it names the ECR repository <app>-<stage>/<name>)"
        )
    # Imported here: infra.naming imports infra.config.stage, which imports this module.
    from infra.naming import longest_names

    problems = name_problems("ecr-repository", longest_names().registry(value))
    if problems:
        raise ValueError("; ".join(problems))
    return value


class KeySettings(Settings):
    """The stage's KMS key (one key per stage: see docs/components/data.md)."""

    protect: bool
    """Pulumi ``protect`` and ``retain_on_delete`` on the key."""


class RegistrySettings(Settings):
    """ECR repositories ``<app>-<stage>/<name>``, one per name, and their image retention."""

    repositories: list[Annotated[str, AfterValidator(_repository)]] = Field(default_factory=lambda: ["app"])
    """Repository names; each becomes the ECR repository ``<app>-<stage>/<name>``."""
    moving_tags: list[str] | None = None
    """Mutable tags kept by the lifecycle; ``None`` means ``latest`` and ``<stage>-latest`` (seed 001)."""
    release_tag_patterns: list[str] = Field(default_factory=lambda: ["v*"])
    """Release tags (wildcards), never expired."""
    commit_tag_prefixes: list[str] = Field(default_factory=lambda: ["main-", "prod-"])
    """Prefixes of commit-SHA tags (``main-<sha>``, ``prod-<sha>``), expired after ``commit_tag_days``."""
    commit_tag_days: int = 90
    """Days after push when commit-SHA tagged images expire."""
    stage_tag_days: int = 30
    """Days after push when ``<stage>-*`` tagged images expire (at most ``commit_tag_days``)."""
    untagged_days: int = 7
    """Days after push when untagged images expire (at most ``stage_tag_days``)."""
    protect: bool
    """Pulumi ``protect`` and ``retain_on_delete`` on every repository."""

    @field_validator("repositories")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(value) > MAX_REPOSITORIES:
            raise ValueError(f"must be at most {MAX_REPOSITORIES} repositories")
        if len(set(value)) != len(value):
            raise ValueError("repository names must be unique")
        return value

    @field_validator("moving_tags", "release_tag_patterns")
    @classmethod
    def _tag_filters(cls, value: list[str] | None) -> list[str] | None:
        for tag in value or []:
            if not _TAG_FILTER.fullmatch(tag) or tag.count("*") > 2:
                raise ValueError(
                    f"tag {yaml_value(tag)}: use 1-128 of letters, digits and '._*-', with at most 2 '*' wildcards"
                )
        return value

    @field_validator("commit_tag_prefixes")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        for prefix in value:
            if not _PREFIX.fullmatch(prefix):
                raise ValueError(f"prefix {yaml_value(prefix)}: use 1-127 of letters, digits and '._-' (no wildcards)")
        return value

    @field_validator("commit_tag_days", "stage_tag_days", "untagged_days")
    @classmethod
    def _days(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1 day")
        return value

    def problems(self) -> list[tuple[str, str]]:
        """``(key suffix, message)`` for retention days out of order."""
        found = []
        if self.stage_tag_days > self.commit_tag_days:
            found.append(
                (
                    "stage_tag_days",
                    f"{yaml_value(self.stage_tag_days)} is not allowed: must be at most commit_tag_days "
                    f"({self.commit_tag_days}): stage builds live shorter than commits",
                )
            )
        if self.untagged_days > self.stage_tag_days:
            found.append(
                (
                    "untagged_days",
                    f"{yaml_value(self.untagged_days)} is not allowed: must be at most stage_tag_days "
                    f"({self.stage_tag_days}): untagged layers go first",
                )
            )
        return found


class RestoreSettings(Settings):
    """Restore mode: the stage's database is created from another instance's point-in-time backups."""

    source_identifier: str
    """Identifier of the source instance (same account and region); it is only read."""
    time: str = "latest"
    """``latest`` (the latest restorable time) or an RFC 3339 UTC timestamp, not in the future."""
    source_retention_days: int | None = None
    """The source's ``backup_retention_days`` (its stack file says it): a ``time`` older than that is refused."""

    @field_validator("source_retention_days")
    @classmethod
    def _retention(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 35:
            raise ValueError("must be 1-35 days (RDS backup retention)")
        return value

    @field_validator("source_identifier")
    @classmethod
    def _source(cls, value: str) -> str:
        problems = name_problems("rds-identifier", value)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("time")
    @classmethod
    def _time(cls, value: str) -> str:
        try:
            parse_restore_time(value, datetime.now(UTC))
        except ValueError as exc:
            raise ValueError(f"must be {exc}") from None
        return value


def _log_retention(value: int) -> int:
    if value not in LOG_RETENTION_DAYS:
        raise ValueError(f"must be a CloudWatch Logs retention: one of {', '.join(map(str, LOG_RETENTION_DAYS))} days")
    return value


class MigrationSettings(Settings):
    """The pipeline's migration task (ECS) and Pod Identity role (EKS); see docs/components/data.md."""

    enabled: bool = True
    """Whether the stage has them (only with a database, and per compute kind that is enabled)."""
    repository: str | None = None
    """Configured registry (``registries.repositories``) the image comes from; default: the first one."""
    image_tag: str | None = None
    """Tag of the task definition's image; default ``<stage>-latest`` (the pipeline pins a commit by
    registering a revision, since RunTask cannot override the image)."""
    cpu: int = 256
    """Fargate CPU units of the ECS task."""
    memory: int = 512
    """Memory of the ECS task in MiB (a size Fargate offers for ``cpu``)."""
    architecture: Literal[ARCHITECTURES] = "X86_64"  # type: ignore[valid-type]
    """CPU architecture of the image: ``X86_64`` or ``ARM64``."""
    log_retention_days: Annotated[int, AfterValidator(_log_retention)] = 365
    """Retention of the task's log group ``/ecs/<app>-<stage>-migrate``."""

    @field_validator("image_tag")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}", value):
            raise ValueError(
                "must be a Docker tag: 1-128 letters, digits, '_', '.' and '-', not starting with '.' or '-'"
            )
        return value

    def problems(self, repositories: list[str]) -> list[tuple[str, str]]:
        """``(key suffix, message)`` for a Fargate size that does not exist and an unknown repository."""
        found = []
        size = fargate_size_problem(self.cpu, self.memory)
        if size is not None:
            argument, value, allowed = size
            found.append((argument, f"{yaml_value(value)} is not allowed: must be {allowed}"))
        if self.repository is not None and self.repository not in repositories:
            found.append(
                (
                    "repository",
                    f"{yaml_value(self.repository)} is not allowed: must be one of registries.repositories "
                    f"({', '.join(repositories)})",
                )
            )
        return found


class DatabaseSettings(Settings):
    """The stage's RDS PostgreSQL instance ``<app>-<stage>-pg``."""

    enabled: bool = True
    """Whether the stage has a database."""
    port: int = 5433
    """Port the database listens on: not PostgreSQL's default 5432 (FSBP RDS.23); 1150-65535."""
    engine_version: str = "17"
    """PostgreSQL major (minor upgrades automatic) or ``major.minor``."""
    instance_class: str
    """``db.<family>.<size>``."""
    db_name: str = "app"
    """The initial database (``DB_NAME``): 1-63 letters, digits and '_', starting with a letter."""
    username: str = "stagecraft_admin"
    """The master user (``DB_USERNAME``): 1-16 letters, digits and '_', starting with a letter, not a
    reserved name (postgres, admin, rdsadmin, pg_*); its password is RDS-managed in Secrets Manager."""
    log_retention_days: Annotated[int, AfterValidator(_log_retention)] = 365
    """Retention of the log groups of the exported ``postgresql`` and ``upgrade`` logs."""
    migrations: MigrationSettings = Field(default_factory=MigrationSettings)
    """The pipeline's migration task and role."""
    allocated_storage: int = 20
    """Initial gp3 storage in GiB."""
    max_allocated_storage: int = 100
    """Storage autoscaling ceiling in GiB (at least ``allocated_storage``)."""
    backup_retention_days: int
    """Automated backup retention: the point-in-time recovery window."""
    backup_window: str = "03:00-04:00"
    """Daily backup window, ``hh:mm-hh:mm`` UTC."""
    maintenance_window: str = "sun:05:00-sun:06:00"
    """Weekly maintenance window, ``ddd:hh:mm-ddd:hh:mm`` UTC, not overlapping the backup window."""
    multi_az: bool
    """A standby in a second zone."""
    deletion_protection: bool
    """RDS deletion protection."""
    monitoring_interval: int
    """Enhanced monitoring interval in seconds (0 = off)."""
    performance_insights_retention_days: int = 7
    """Performance Insights retention in days."""
    restore: RestoreSettings | None = None
    """Restore mode, for recovery stages (see docs/runbooks/restore.md)."""
    protect: bool
    """Pulumi ``protect`` and ``retain_on_delete`` on the instance."""

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not MIN_PORT <= value <= MAX_PORT or value == DEFAULT_PORT:
            # The mandatory rule rds-custom-port (FSBP RDS.23) refuses the default port: say so here, with the key.
            raise ValueError(
                f"must be {MIN_PORT}-{MAX_PORT} (RDS for PostgreSQL) and not PostgreSQL's default {DEFAULT_PORT} "
                "(FSBP RDS.23)"
            )
        return value

    @field_validator("engine_version")
    @classmethod
    def _engine(cls, value: str) -> str:
        version = re.fullmatch(r"(\d+)(?:\.(\d+))?", value)
        if not version or int(version.group(1)) not in SUPPORTED_MAJORS:
            majors = ", ".join(map(str, SUPPORTED_MAJORS))
            raise ValueError(f"must be a PostgreSQL major in standard support ({majors}), optionally with .minor")
        return value

    @field_validator("db_name")
    @classmethod
    def _db_name(cls, value: str) -> str:
        problem = db_name_problem(value)
        if problem is not None:
            raise ValueError(f"must be {problem}")
        return value

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        problem = username_problem(value)
        if problem is not None:
            raise ValueError(f"must be {problem}")
        return value

    @field_validator("instance_class")
    @classmethod
    def _instance_class(cls, value: str) -> str:
        if not _INSTANCE_CLASS.fullmatch(value):
            raise ValueError("must be db.<family>.<size>, e.g. db.t4g.medium")
        return value

    @field_validator("allocated_storage", "max_allocated_storage")
    @classmethod
    def _storage(cls, value: int) -> int:
        if not MIN_STORAGE_GIB <= value <= MAX_STORAGE_GIB:
            raise ValueError(f"must be {MIN_STORAGE_GIB}-{MAX_STORAGE_GIB} GiB (gp3)")
        return value

    @field_validator("backup_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        if not 1 <= value <= 35:
            raise ValueError("must be 1-35 days (0 would turn off point-in-time recovery)")
        return value

    @field_validator("monitoring_interval")
    @classmethod
    def _monitoring(cls, value: int) -> int:
        if value not in MONITORING_INTERVALS:
            raise ValueError(f"must be one of {', '.join(map(str, MONITORING_INTERVALS))} seconds (0 = off)")
        return value

    @field_validator("performance_insights_retention_days")
    @classmethod
    def _insights(cls, value: int) -> int:
        if not (value in (7, 731) or (0 < value <= 713 and value % 31 == 0)):
            raise ValueError("must be 7, 731 or a multiple of 31 up to 713")
        return value

    def problems(self, identifier: str, repositories: list[str]) -> list[tuple[str, str]]:
        """``(key suffix, message)`` for storage, windows, migrations, and a restore from the stage's own
        instance or from before the source's retention."""
        found = []
        if self.max_allocated_storage < self.allocated_storage:
            found.append(
                (
                    "max_allocated_storage",
                    f"{yaml_value(self.max_allocated_storage)} is not allowed: must be at least allocated_storage "
                    f"({self.allocated_storage})",
                )
            )
        window = window_problem(self.backup_window, self.maintenance_window)
        if window is not None:
            argument, value, allowed = window
            rule = allowed if allowed.startswith("must") else f"must be {allowed}"
            found.append((argument, f"{yaml_value(value)} is not allowed: {rule}"))
        if self.restore is not None and self.restore.source_identifier == identifier:
            found.append(
                (
                    "restore.source_identifier",
                    f"{yaml_value(identifier)} is not allowed: must name another instance than this stage's own "
                    f"({identifier}); a restore creates a new instance side by side, in a recovery stage",
                )
            )
        if self.restore is not None and self.restore.source_retention_days is not None:
            try:
                parse_restore_time(self.restore.time, datetime.now(UTC), self.restore.source_retention_days)
            except ValueError as exc:
                found.append(("restore.time", f"{yaml_value(self.restore.time)} is not allowed: must be {exc}"))
        found.extend((f"migrations.{k}", m) for k, m in self.migrations.problems(repositories))
        return found


class ObjectLockSettings(Settings):
    """Default object-lock retention (write once, read many) of new backup objects."""

    mode: Literal["none", "GOVERNANCE", "COMPLIANCE"]
    """``none``, ``GOVERNANCE`` (privileged users may lift it) or ``COMPLIANCE`` (nobody can)."""
    days: int = 14
    """Default retention of each new object, at most ``backups.retention_days``."""

    @field_validator("days")
    @classmethod
    def _days(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1 day")
        return value


class BackupSettings(Settings):
    """The stage's S3 backup bucket ``<app>-<stage>-backups-<account>`` (``BACKUP_S3_BUCKET``)."""

    enabled: bool = True
    """Whether the stage has a backup bucket."""
    retention_days: int
    """Days after which objects expire."""
    transition_days: int
    """Days after which objects move to ``transition_storage_class`` (before ``retention_days``)."""
    transition_storage_class: Literal[ARCHIVE_CLASSES] = "GLACIER_IR"  # type: ignore[valid-type]
    """The archive storage class."""
    noncurrent_days: int
    """Days a replaced or deleted object version is kept."""
    object_lock: ObjectLockSettings
    """Object lock; decided when the bucket is created (turning it on later replaces the bucket)."""
    replication_region: str | None = None
    """Replicate to a bucket with its own key in this region (another than ``aws:region``)."""
    protect: bool
    """Pulumi ``protect`` and ``retain_on_delete`` on the bucket(s) and the replica key."""

    @field_validator("retention_days", "transition_days", "noncurrent_days")
    @classmethod
    def _days(cls, value: int) -> int:
        if not 1 <= value <= 36_500:
            raise ValueError("must be 1-36500 days")
        return value

    @field_validator("replication_region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and not _REGION.fullmatch(value):
            raise ValueError("must be an AWS region name (example: us-west-2)")
        return value

    def problems(self, region: str) -> list[tuple[str, str]]:
        """``(key suffix, message)`` for lifecycle days out of order and a replica region that is unknown or primary."""
        found = []
        minimum = 30 if self.transition_storage_class in ("STANDARD_IA", "ONEZONE_IA") else 1
        if self.transition_days < minimum:
            found.append(
                (
                    "transition_days",
                    f"{yaml_value(self.transition_days)} is not allowed: must be at least {minimum} for "
                    f"{self.transition_storage_class}",
                )
            )
        if self.transition_days >= self.retention_days:
            found.append(
                (
                    "transition_days",
                    f"{yaml_value(self.transition_days)} is not allowed: must be below retention_days "
                    f"({self.retention_days}): objects are archived before they expire",
                )
            )
        if self.object_lock.mode != "none" and self.object_lock.days > self.retention_days:
            found.append(
                (
                    "object_lock.days",
                    f"{yaml_value(self.object_lock.days)} is not allowed: must be at most retention_days "
                    f"({self.retention_days}): a locked object cannot expire before its lock ends",
                )
            )
        unlisted = self.replication_region and aws_lists.region_problem(self.replication_region)
        if unlisted:
            found.append(("replication_region", f"{unlisted}, other than aws:region"))
        elif self.replication_region is not None and self.replication_region == region:
            found.append(
                (
                    "replication_region",
                    f"{yaml_value(self.replication_region)} is not allowed: must be another region than aws:region "
                    f"({region})",
                )
            )
        return found


def data_problems(settings: StageSettings, stage: str, region: str) -> list[tuple[str, str]]:
    """``(key path under stagecraft:stage, message)`` for every cross-field data-tier problem."""
    from infra.naming import StageNames  # infra.naming imports infra.config.stage, which imports this module

    database_identifier = StageNames(app=settings.app, stage=stage, account_id="0" * 12, region=region).database
    return [
        *_listed_problems(settings.database, region),
        *[(f"registries.{k}", m) for k, m in settings.registries.problems()],
        *[
            (f"database.{k}", m)
            for k, m in settings.database.problems(database_identifier, list(settings.registries.repositories))
        ],
        *[(f"backups.{k}", m) for k, m in settings.backups.problems(region)],
    ]


def _listed_problems(database: DatabaseSettings, region: str) -> list[tuple[str, str]]:
    """The instance class and engine version against the RDS lists shipped as data (``aws_lists``)."""
    if not database.enabled:
        return []
    found = []
    classes = aws_lists.postgres_instance_classes(region)
    if classes is not None and database.instance_class not in classes:
        found.append(
            (
                "database.instance_class",
                f"{yaml_value(database.instance_class)} is not an RDS for PostgreSQL instance class in {region}"
                f"{aws_lists.closest(database.instance_class, classes)}; see `aws rds "
                f"describe-orderable-db-instance-options --engine postgres --region {region}` ({aws_lists.release()})",
            )
        )
    versions = aws_lists.postgres_engine_versions()
    if database.engine_version not in versions:
        found.append(
            (
                "database.engine_version",
                f"{yaml_value(database.engine_version)} is not an RDS for PostgreSQL engine version"
                f"{aws_lists.closest(database.engine_version, versions)} ({aws_lists.release()})",
            )
        )
    return found
