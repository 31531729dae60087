"""The stage's RDS PostgreSQL instance: private, encrypted, backed up, and restorable to a point in time."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.iam import account_of, service_trust
from components.log_retention import check_log_retention
from components.naming import name_problems

COMPONENT = "Database"
DEFAULT_PORT = 5432
"""PostgreSQL's default port; FSBP RDS.23 asks for another one, which the stage config picks."""
MIN_PORT, MAX_PORT = 1150, 65535

SUPPORTED_MAJORS = (14, 15, 16, 17, 18)
"""PostgreSQL majors in RDS standard support. 13 left it on 2026-02-28 and, with Extended Support opted
out, cannot be created; 14 leaves it on 2027-02-28. Release calendar:
https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html
"""
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
MONITORING_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
MIN_STORAGE_GIB, MAX_STORAGE_GIB = 20, 65_536
LOG_EXPORTS = ("postgresql", "upgrade")
"""Logs RDS exports to CloudWatch, each into ``/aws/rds/instance/<identifier>/<log>``, a group the stack creates."""
MASTER_USERNAME_MAX = 16
"""CreateDBInstance ``MasterUsername``: "1 to 16 letters, numbers, or underscores", first a letter
(https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html)."""
DB_NAME_MAX = 63
"""CreateDBInstance ``DBName`` for PostgreSQL: 1 to 63 letters, digits or underscores, first a letter."""
RESERVED_NAMES = frozenset(
    {
        # Roles and databases RDS for PostgreSQL creates itself, and FSBP RDS.25's default admin names.
        "admin", "postgres", "rdsadmin", "rdsrepladmin", "rds_superuser", "template0", "template1",
        # PostgreSQL's reserved key words ("reserved" in the PostgreSQL column of
        # https://www.postgresql.org/docs/current/sql-keywords-appendix.html): RDS rejects them as names.
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast",
        "check", "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role",
        "current_time", "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do",
        "else", "end", "except", "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in",
        "initially", "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "not",
        "null", "offset", "on", "only", "or", "order", "placing", "primary", "references", "returning", "select",
        "session_user", "some", "symmetric", "system_user", "table", "then", "to", "trailing", "true", "union",
        "unique", "user", "using", "variadic", "when", "where", "window", "with",
    }
)  # fmt: skip
"""Names the master user and the initial database may not take (compared case-insensitively)."""

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_MIN, _WEEK_MIN = 24 * 60, 7 * 24 * 60


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class DatabaseRestore:
    """Restore mode: a new instance from the point-in-time backups of a source instance (never touched)."""

    source_identifier: str
    """Identifier of the source DB instance in the same account and region."""
    time: str | datetime = "latest"
    """``"latest"`` (latest restorable time), an RFC 3339 UTC timestamp or an aware UTC datetime."""
    source_retention_days: int | None = None
    """The source's backup retention, when known: a ``time`` older than that many days is refused."""


@dataclass(frozen=True, kw_only=True)
class DatabaseArgs:
    """Inputs of :class:`Database`. Profile defaults and floors live in the stack config, not here."""

    identifier: str
    """DB instance identifier (also names the subnet, parameter and security groups)."""
    vpc_id: pulumi.Input[str]
    """VPC of the database security group."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Isolated subnets (no route to the internet) for the subnet group; two or more AZs."""
    client_security_group_ids: Mapping[str, pulumi.Input[str]]
    """Security groups admitted on the database port, keyed by a stable name (e.g. ``{"nodes": sg_id}``)."""
    kms_key_arn: pulumi.Input[str]
    """The stage key: storage, master secret and Performance Insights."""
    port: int = DEFAULT_PORT
    """Port the instance listens on (1150-65535), and the only port its security group admits."""
    engine_version: str = "17"
    """PostgreSQL major (``"17"``, minor upgrades automatic) or ``major.minor`` (``"17.6"``)."""
    instance_class: str = "db.t4g.medium"
    """``db.<family>.<size>``."""
    allocated_storage: int = 20
    """Initial gp3 storage in GiB (20-65536)."""
    max_allocated_storage: int = 100
    """Storage autoscaling ceiling in GiB (>= ``allocated_storage``, <= 65536)."""
    db_name: str = "app"
    """Initial database (not used in restore mode: it comes from the source); see :func:`db_name_problem`."""
    username: str = "stagecraft_admin"
    """Master user name (not used in restore mode), not ``postgres`` (FSBP RDS.25); see :func:`username_problem`.
    Its password lives in Secrets Manager."""
    log_retention_days: int = 365
    """Retention of the log groups the exported PostgreSQL and upgrade logs go to (a CloudWatch Logs value)."""
    backup_retention_days: int = 7
    """Automated backup retention, the point-in-time window (1-35)."""
    backup_window: str = "03:00-04:00"
    """Daily backup window, ``hh:mm-hh:mm`` UTC, at least 30 minutes."""
    maintenance_window: str = "sun:05:00-sun:06:00"
    """Weekly maintenance window, ``ddd:hh:mm-ddd:hh:mm`` UTC, 30+ minutes, not overlapping backups."""
    multi_az: bool = False
    """Standby in a second AZ."""
    deletion_protection: bool = True
    """RDS deletion protection."""
    performance_insights_retention_days: int = 7
    """Performance Insights retention: 7, 731 or a multiple of 31."""
    monitoring_interval: int = 0
    """Enhanced monitoring interval in seconds (0 = off; 1, 5, 10, 15, 30, 60)."""
    final_snapshot_identifier: str | None = None
    """Final snapshot name; default ``<identifier>-final``."""
    restore: DatabaseRestore | None = None
    """Restore mode (see :class:`DatabaseRestore`)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable child."""
    protect: bool = False
    """Pulumi ``protect`` on the instance."""
    retain_on_delete: bool = False
    """Pulumi ``retain_on_delete`` on the instance."""
    clock: Callable[[], datetime] = field(default=_utc_now, repr=False, compare=False)
    """Current time, for validating restore timestamps (injectable for tests)."""


class Database(pulumi.ComponentResource):
    """RDS PostgreSQL with its subnet group, security group, parameter group and monitoring role."""

    endpoint: pulumi.Output[str]
    address: pulumi.Output[str]
    port: pulumi.Output[int]
    identifier: pulumi.Output[str]
    resource_id: pulumi.Output[str]
    master_secret_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    """The storage key as RDS reports it: the stage key, or the source's key for a restored instance."""

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        major, restore_time = _validate(args)
        final_snapshot = args.final_snapshot_identifier or f"{args.identifier}-final"
        super().__init__("stagecraft:data:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        subnets = aws.rds.SubnetGroup(
            f"{name}-subnets",
            name=args.identifier,
            description=f"Isolated subnets of {args.identifier}",
            subnet_ids=list(args.subnet_ids),
            tags=tags,
            opts=child,
        )
        # name, name_prefix, description and vpc_id force a new security group. The description names
        # nothing a setting changes (it embedded the port, so a port change replaced a fixed-name group,
        # which collides with itself under create-before-delete), and the name is a prefix, so even a
        # legitimate replacement (another VPC) gets a fresh name.
        sg = aws.ec2.SecurityGroup(
            f"{name}-sg",
            name_prefix=f"{args.identifier}-db-",
            description=f"PostgreSQL {args.identifier}: clients of the stage only",
            vpc_id=args.vpc_id,
            tags={**tags, "Name": f"{args.identifier}-db"},
            opts=child,
        )
        for key, source in sorted(args.client_security_group_ids.items()):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-from-{key}",
                security_group_id=sg.id,
                referenced_security_group_id=source,
                ip_protocol="tcp",
                from_port=args.port,
                to_port=args.port,
                description=f"PostgreSQL from {key}",
                tags=tags,
                opts=child,
            )
        params = aws.rds.ParameterGroup(
            f"{name}-params",
            name=f"{args.identifier}-postgres{major}",
            family=f"postgres{major}",
            description=f"PostgreSQL {major} for {args.identifier}: TLS required",
            # pending-reboot suits static and dynamic parameters alike; a new instance starts with it.
            parameters=[
                aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1", apply_method="pending-reboot")
            ],
            tags=tags,
            opts=child,
        )
        monitoring_role_arn, monitoring_deps = self._monitoring(name, args, tags)
        log_groups = self._log_groups(name, args, tags)

        restoring = args.restore is not None
        pitr = (
            aws.rds.InstanceRestoreToPointInTimeArgs(
                source_db_instance_identifier=args.restore.source_identifier,
                restore_time=restore_time,
                use_latest_restorable_time=True if restore_time is None else None,
            )
            if args.restore is not None
            else None
        )
        instance = aws.rds.Instance(
            f"{name}-instance",
            identifier=args.identifier,
            engine="postgres",
            engine_version=args.engine_version,
            engine_lifecycle_support="open-source-rds-extended-support-disabled",
            auto_minor_version_upgrade=True,
            instance_class=args.instance_class,
            storage_type="gp3",
            allocated_storage=args.allocated_storage,
            max_allocated_storage=args.max_allocated_storage,
            storage_encrypted=True,
            # RestoreDBInstanceToPointInTime takes no KMS key: a restored instance keeps the source's key,
            # and a kms_key_id that differs from it plans a replacement (hashicorp/terraform-provider-aws#15390).
            # In restore mode none is sent: the key is the source's, and an unset optional input never diffs.
            kms_key_id=None if restoring else args.kms_key_arn,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=args.kms_key_arn,
            iam_database_authentication_enabled=True,
            db_subnet_group_name=subnets.name,
            vpc_security_group_ids=[sg.id],
            parameter_group_name=params.name,
            publicly_accessible=False,
            port=args.port,
            multi_az=args.multi_az,
            backup_retention_period=args.backup_retention_days,
            backup_window=args.backup_window,
            maintenance_window=args.maintenance_window,
            deletion_protection=args.deletion_protection,
            skip_final_snapshot=False,
            final_snapshot_identifier=final_snapshot,
            delete_automated_backups=False,
            copy_tags_to_snapshot=True,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=args.kms_key_arn,
            performance_insights_retention_period=args.performance_insights_retention_days,
            monitoring_interval=args.monitoring_interval,
            monitoring_role_arn=monitoring_role_arn,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            # In restore mode the database name and master user come from the source.
            restore_to_point_in_time=pitr,
            db_name=None if restoring else args.db_name,
            username=None if restoring else args.username,
            tags=tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=args.protect,
                retain_on_delete=args.retain_on_delete,
                # The log groups first: otherwise RDS creates them itself, unencrypted and never expiring.
                depends_on=[*monitoring_deps, *log_groups],
                # restore_to_point_in_time is ForceNew, so dropping the block after a restore would replace
                # (re-create) the restored database: hashicorp/terraform-provider-aws#34522, and #16871 for
                # the ForceNew schema. Ignored always, so adding a block to a live instance is a no-op too.
                # kmsKeyId is ForceNew as well: a restored instance has the source's key (#15390), and
                # removing the restore block later would otherwise send the stage key and replace it.
                ignore_changes=["restoreToPointInTime", "kmsKeyId"],
            ),
        )

        self.endpoint = instance.endpoint
        self.address = instance.address
        self.port = instance.port
        self.identifier = instance.identifier
        self.resource_id = instance.resource_id
        self.master_secret_arn = instance.master_user_secrets.apply(lambda s: (s[0].secret_arn or "") if s else "")
        self.security_group_id = sg.id
        self.kms_key_arn = instance.kms_key_id
        self.register_outputs(
            {
                "endpoint": self.endpoint,
                "address": self.address,
                "port": self.port,
                "identifier": self.identifier,
                "resource_id": self.resource_id,
                "master_secret_arn": self.master_secret_arn,
                "security_group_id": self.security_group_id,
                "kms_key_arn": self.kms_key_arn,
            }
        )

    def _log_groups(self, name: str, args: DatabaseArgs, tags: dict[str, str]) -> list[pulumi.Resource]:
        # RDS writes exports to these fixed names
        # (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html).
        # Only the name forces a replacement (retention and key are updated in place).
        return [
            aws.cloudwatch.LogGroup(
                f"{name}-log-{log}",
                name=log_group_name(args.identifier, log),
                retention_in_days=args.log_retention_days,
                kms_key_id=args.kms_key_arn,
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for log in LOG_EXPORTS
        ]

    def _monitoring(
        self, name: str, args: DatabaseArgs, tags: dict[str, str]
    ) -> tuple[pulumi.Output[str] | None, list[pulumi.Resource]]:
        if args.monitoring_interval == 0:
            return None, []
        role = aws.iam.Role(
            f"{name}-monitoring",
            name=f"{args.identifier}-rds-monitoring",
            # RDS documents aws:SourceAccount for the Enhanced Monitoring role's trust (confused deputy):
            # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html
            assume_role_policy=account_of(args.kms_key_arn).apply(
                lambda account: service_trust("monitoring.rds.amazonaws.com", account_id=account)
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{name}-monitoring-policy",
            role=role.name,
            policy_arn=MONITORING_POLICY_ARN,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role.arn, [attachment]


def log_group_name(identifier: str, log: str) -> str:
    """The CloudWatch log group RDS exports one log of an instance to."""
    return f"/aws/rds/instance/{identifier}/{log}"


def db_name_problem(value: str) -> str | None:
    """What is wrong with an initial database name for RDS for PostgreSQL, or ``None``."""
    if not re.fullmatch(rf"[A-Za-z][A-Za-z0-9_]{{0,{DB_NAME_MAX - 1}}}", value):
        return f"1-{DB_NAME_MAX} letters, digits and '_', starting with a letter"
    if value.lower() in RESERVED_NAMES:
        return "not a PostgreSQL reserved word or a database RDS creates (postgres, rdsadmin, template0/1)"
    return None


def username_problem(value: str) -> str | None:
    """What is wrong with an RDS for PostgreSQL master user name, or ``None``."""
    if not re.fullmatch(rf"[A-Za-z][A-Za-z0-9_]{{0,{MASTER_USERNAME_MAX - 1}}}", value):
        return f"1-{MASTER_USERNAME_MAX} letters, digits and '_', starting with a letter"
    if value.lower() in RESERVED_NAMES or value.lower().startswith("pg_"):
        return "not postgres, admin, rdsadmin, a pg_ role or a PostgreSQL reserved word (FSBP RDS.25)"
    return None


def _fail(argument: str, value: object, allowed: str) -> ComponentInputError:
    return ComponentInputError(COMPONENT, argument, value, allowed)


def _validate(args: DatabaseArgs) -> tuple[int, str | None]:
    """Check every argument AWS would reject; return the engine major and the restore time (None = latest)."""
    for argument in ("identifier", "final_snapshot_identifier"):
        value = getattr(args, argument) or f"{args.identifier}-final"
        problems = name_problems("rds-identifier", value)
        if problems:
            raise _fail(argument, value, "; ".join(problems))
    if len(f"{args.identifier}-rds-monitoring") > 64:
        raise _fail("identifier", args.identifier, "at most 49 characters (the monitoring role name is 64 at most)")
    if not MIN_PORT <= args.port <= MAX_PORT:
        raise _fail("port", args.port, f"{MIN_PORT}-{MAX_PORT} (RDS for PostgreSQL)")
    version = re.fullmatch(r"(\d+)(?:\.(\d+))?", args.engine_version)
    major = int(version.group(1)) if version else 0
    if major not in SUPPORTED_MAJORS:
        allowed = ", ".join(map(str, SUPPORTED_MAJORS))
        raise _fail("engine_version", args.engine_version, f"a PostgreSQL major in {allowed}, optionally .minor")
    if not re.fullmatch(r"db\.[a-z0-9-]+\.[a-z0-9]+", args.instance_class):
        raise _fail("instance_class", args.instance_class, "db.<family>.<size>, e.g. db.t4g.medium")
    if not MIN_STORAGE_GIB <= args.allocated_storage <= MAX_STORAGE_GIB:
        raise _fail("allocated_storage", args.allocated_storage, f"{MIN_STORAGE_GIB}-{MAX_STORAGE_GIB} GiB for gp3")
    if not args.allocated_storage <= args.max_allocated_storage <= MAX_STORAGE_GIB:
        raise _fail(
            "max_allocated_storage",
            args.max_allocated_storage,
            f"between allocated_storage ({args.allocated_storage}) and {MAX_STORAGE_GIB} GiB",
        )
    if not 1 <= args.backup_retention_days <= 35:
        raise _fail("backup_retention_days", args.backup_retention_days, "1-35 days (0 would disable PITR)")
    pi = args.performance_insights_retention_days
    if not (pi in (7, 731) or (pi > 0 and pi % 31 == 0 and pi <= 713)):
        raise _fail("performance_insights_retention_days", pi, "7, 731 or a multiple of 31 up to 713")
    if args.monitoring_interval not in MONITORING_INTERVALS:
        raise _fail("monitoring_interval", args.monitoring_interval, "one of 0, 1, 5, 10, 15, 30, 60 seconds")
    for argument, check in (("db_name", db_name_problem), ("username", username_problem)):
        value = getattr(args, argument)
        problem = check(value)
        if problem is not None:
            raise _fail(argument, value, problem)
    check_log_retention(COMPONENT, "log_retention_days", args.log_retention_days)
    for key in args.client_security_group_ids:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", key):
            raise _fail("client_security_group_ids", key, "keys of lowercase letters, digits and '-'")
    _check_windows(args.backup_window, args.maintenance_window)
    return major, _restore_time(args)


def window_problem(backup: str, maintenance: str) -> tuple[str, str, str] | None:
    """What is wrong with a backup/maintenance window pair: ``(argument, value, allowed)``, or ``None``.

    Public so that the stack config reports the same rule before any component runs.
    """
    b = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)", backup)
    if not b:
        return "backup_window", backup, "hh:mm-hh:mm in UTC, e.g. 03:00-04:00"
    day = r"(mon|tue|wed|thu|fri|sat|sun)"
    clock = r"([01]\d|2[0-3]):([0-5]\d)"
    m = re.fullmatch(f"{day}:{clock}-{day}:{clock}", maintenance)
    if not m:
        return "maintenance_window", maintenance, "ddd:hh:mm-ddd:hh:mm in UTC, e.g. sun:05:00-sun:06:00"
    b_start = int(b[1]) * 60 + int(b[2])
    b_len = (int(b[3]) * 60 + int(b[4]) - b_start) % _DAY_MIN
    m_start = _DAYS.index(m[1]) * _DAY_MIN + int(m[2]) * 60 + int(m[3])
    m_len = (_DAYS.index(m[4]) * _DAY_MIN + int(m[5]) * 60 + int(m[6]) - m_start) % _WEEK_MIN
    if b_len < 30:
        return "backup_window", backup, "at least 30 minutes long"
    if m_len < 30:
        return "maintenance_window", maintenance, "at least 30 minutes long"
    # Backups run daily: compare the weekly maintenance interval with each day's backup interval, with
    # both allowed to wrap (past midnight, past Sunday) by also shifting by a whole week.
    for d in range(7):
        start = d * _DAY_MIN + b_start
        for shift in (-_WEEK_MIN, 0, _WEEK_MIN):
            s = start + shift
            if s < m_start + m_len and m_start < s + b_len:
                return "maintenance_window", maintenance, f"must not overlap backup_window {backup}"
    return None


def _check_windows(backup: str, maintenance: str) -> None:
    problem = window_problem(backup, maintenance)
    if problem is not None:
        raise _fail(*problem)


def _restore_time(args: DatabaseArgs) -> str | None:
    restore = args.restore
    if restore is None:
        return None
    retention = restore.source_retention_days
    if retention is not None and not 1 <= retention <= 35:
        raise _fail("restore.source_retention_days", retention, "1-35 days (RDS backup retention)")
    problems = name_problems("rds-identifier", restore.source_identifier)
    if problems:
        raise _fail("restore.source_identifier", restore.source_identifier, "; ".join(problems))
    if restore.source_identifier == args.identifier:
        raise _fail(
            "restore.source_identifier",
            restore.source_identifier,
            "a different instance than identifier: a restore creates a new instance side by side",
        )
    try:
        return parse_restore_time(restore.time, args.clock(), restore.source_retention_days)
    except ValueError as exc:
        raise _fail("restore.time", restore.time, str(exc)) from None


def parse_restore_time(value: str | datetime, now: datetime, retention_days: int | None = None) -> str | None:
    """The restore time as RDS takes it (``None`` = latest restorable time).

    ``retention_days`` is the source's backup retention when known: RDS keeps point-in-time backups for
    that many days, so an older time cannot be restored. Raises ``ValueError`` saying what is allowed;
    public so the stack config applies the same rule.
    """
    if value == "latest":
        return None
    when: datetime | None = value if isinstance(value, datetime) else None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", value):
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            when = None
    offset = when.utcoffset() if when is not None else None
    if when is None or offset is None or offset.total_seconds() != 0:
        raise ValueError("'latest' or an RFC 3339 UTC timestamp like 2026-01-31T23:59:00Z")
    if when > now:
        raise ValueError("not in the future")
    if retention_days is not None and when < now - timedelta(days=retention_days):
        earliest = (now - timedelta(days=retention_days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        raise ValueError(
            f"within the source's {retention_days}-day backup retention (after {earliest}), or 'latest'; "
            "older data is only in snapshots (docs/runbooks/restore.md)"
        )
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
