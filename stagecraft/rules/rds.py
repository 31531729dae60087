"""RDS PostgreSQL rules: the instance, its parameter group and where its subnets route."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.rules._util import (
    as_list,
    attached_to,
    expect,
    is_false,
    is_true,
    label,
    number,
    show,
    strings,
)
from stagecraft.rules.model import MANDATORY, PRODUCTION_ONLY, RELAXED, Options, ResourceCheck, Rule

RDS_DOC = "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html"
DB = "aws:rds/instance:Instance"
PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup"
DB_SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
MIN_BACKUP_DAYS = 7
POSTGRES_LOGS = ("postgresql", "upgrade")


def _db_logs(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    exports = strings(inputs.get("enabledCloudwatchLogsExports"))
    missing = [log for log in POSTGRES_LOGS if log not in exports]
    if missing:
        return [f"enabledCloudwatchLogsExports is {show(exports)}; {' and '.join(POSTGRES_LOGS)} required"]
    return []


def _db_backups(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    days = number(inputs.get("backupRetentionPeriod"))
    if days is None or days < MIN_BACKUP_DAYS:
        return [
            f"backupRetentionPeriod is {show(inputs.get('backupRetentionPeriod'))}; "
            f"at least {MIN_BACKUP_DAYS} days required"
        ]
    return []


def _db_port(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    port = number(inputs.get("port"))
    if port is None or port == 5432:
        shown = show(inputs.get("port")) + (" (defaults to 5432)" if port is None else "")
        return [f"port is {shown}; a port other than 5432 required"]
    return []


def _db_username(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    if inputs.get("snapshotIdentifier") or inputs.get("replicateSourceDb") or inputs.get("restoreToPointInTime"):
        return []  # the username comes from the source
    user = inputs.get("username")
    if not user or user == "postgres":
        return [f"username is {show(user)}; a custom administrator name (not postgres) required"]
    return []


def _db_master_secret(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    if inputs.get("password") is not None:
        return ["password is set; manageMasterUserPassword true required (RDS keeps the secret)"]
    if is_true(inputs.get("manageMasterUserPassword")) and not inputs.get("masterUserSecretKmsKeyId"):
        return ["masterUserSecretKmsKeyId is unset; the stage's KMS key required for the master secret"]
    return []


def _linked_parameter_groups(inventory: Inventory, db: RecordedResource) -> list[RecordedResource]:
    return list(attached_to(inventory, db, PARAMETER_GROUP, "parameterGroupName"))


def _force_ssl(inventory: Inventory) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for db in inventory.of_type(DB):
        groups = _linked_parameter_groups(inventory, db)
        if not groups:
            found.append(
                (
                    db.urn,
                    f"{label(db)}: parameterGroupName names no managed {PARAMETER_GROUP}; "
                    "one with rds.force_ssl 1 required",
                )
            )
        for group in groups:
            values = {str(p.get("name")): p.get("value") for p in as_list(group.inputs.get("parameters"))}
            value = values.get("rds.force_ssl")
            if str(value) != "1":
                found.append((group.urn, f"{label(group)}: rds.force_ssl is {show(value)}; 1 required"))
    return found


def _db_public_subnets(inventory: Inventory) -> list[tuple[str | None, str]]:
    """RDS.46: walk subnet group -> subnets -> route table associations -> routes to an internet gateway."""
    igws = {r.urn for r in inventory.of_type("aws:ec2/internetGateway:InternetGateway")}
    routes_to_igw: set[str] = set()
    for table in inventory.of_type("aws:ec2/routeTable:RouteTable"):
        inline = any(r.get("gatewayId") for r in as_list(table.inputs.get("routes")))
        if inline and igws & set(table.dependencies):
            routes_to_igw.add(table.urn)
    for route in inventory.of_type("aws:ec2/route:Route"):
        if route.inputs.get("gatewayId") and igws & set(route.dependencies):
            routes_to_igw |= set(route.dependencies)
    found: list[tuple[str | None, str]] = []
    for db in inventory.of_type(DB):
        for group in attached_to(inventory, db, DB_SUBNET_GROUP, "dbSubnetGroupName"):
            for subnet_urn in sorted(set(group.dependencies)):
                for assoc in inventory.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation"):
                    if subnet_urn in assoc.dependencies and routes_to_igw & set(assoc.dependencies):
                        subnet = subnet_urn.rsplit("::", 1)[-1]
                        where = f"subnet {subnet} of {group.name}"
                        message = f"{where} routes to an internet gateway; private subnets required"
                        found.append((db.urn, f"{label(db)}: {message}"))
                        break
    return found


def _db_rule(
    id_: str, description: str, control: str, anchor: str, check: ResourceCheck, levels: Any = MANDATORY
) -> Rule:
    return Rule(id_, description, control, f"{RDS_DOC}#{anchor}", levels, types=(DB,), check=check)


RULES = (
    _db_rule(
        "rds-not-public",
        "DB instances are not publicly accessible.",
        "FSBP RDS.2",
        "rds-2",
        expect("publiclyAccessible", "false", lambda v: not is_true(v)),
    ),
    _db_rule(
        "rds-encrypted",
        "DB instance storage is encrypted at rest.",
        "FSBP RDS.3",
        "rds-3",
        expect("storageEncrypted", "true", is_true),
    ),
    _db_rule(
        "rds-multi-az",
        "DB instances run Multi-AZ.",
        "FSBP RDS.5",
        "rds-5",
        expect("multiAz", "true", is_true),
        PRODUCTION_ONLY,
    ),
    _db_rule(
        "rds-enhanced-monitoring",
        "DB instances have enhanced monitoring (monitoringInterval > 0).",
        "FSBP RDS.6",
        "rds-6",
        expect("monitoringInterval", "a value above 0", lambda v: (number(v) or 0) > 0),
        RELAXED,
    ),
    _db_rule(
        "rds-deletion-protection",
        "DB instances have deletion protection.",
        "FSBP RDS.8",
        "rds-8",
        expect("deletionProtection", "true", is_true),
        RELAXED,
    ),
    _db_rule(
        "rds-log-exports",
        "DB instances export the postgresql and upgrade logs to CloudWatch.",
        "FSBP RDS.9, RDS.36",
        "rds-9",
        _db_logs,
    ),
    _db_rule(
        "rds-iam-auth",
        "DB instances accept IAM database authentication.",
        "FSBP RDS.10",
        "rds-10",
        expect("iamDatabaseAuthenticationEnabled", "true", is_true),
    ),
    _db_rule(
        "rds-backups",
        f"DB instances keep automated backups for at least {MIN_BACKUP_DAYS} days.",
        "FSBP RDS.11",
        "rds-11",
        _db_backups,
        RELAXED,
    ),
    _db_rule(
        "rds-minor-upgrades",
        "DB instances take automatic minor version upgrades (unset defaults to true).",
        "FSBP RDS.13",
        "rds-13",
        expect("autoMinorVersionUpgrade", "true", lambda v: not is_false(v)),
    ),
    _db_rule(
        "rds-copy-tags",
        "DB instances copy tags to snapshots.",
        "FSBP RDS.17",
        "rds-17",
        expect("copyTagsToSnapshot", "true", is_true),
    ),
    _db_rule(
        "rds-custom-port",
        "DB instances do not listen on the engine default port 5432.",
        "FSBP RDS.23",
        "rds-23",
        _db_port,
    ),
    _db_rule(
        "rds-custom-admin",
        "DB instances use a custom administrator name (not postgres).",
        "FSBP RDS.25",
        "rds-25",
        _db_username,
    ),
    Rule(
        "rds-managed-secret",
        "The master password is RDS-managed in Secrets Manager, encrypted with the stage's key.",
        "stagecraft",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html",
        MANDATORY,
        types=(DB,),
        check=_db_master_secret,
    ),
    Rule(
        "rds-force-ssl",
        "Every DB instance uses a managed parameter group with rds.force_ssl 1.",
        "RDS.38 (non-FSBP)",
        f"{RDS_DOC}#rds-38",
        MANDATORY,
        stack_check=_force_ssl,
    ),
    Rule(
        "rds-private-subnets",
        "No subnet of a DB subnet group routes to an internet gateway.",
        "FSBP RDS.46",
        f"{RDS_DOC}#rds-46",
        MANDATORY,
        stack_check=_db_public_subnets,
    ),
)
