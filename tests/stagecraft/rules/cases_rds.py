"""Compliant and non-compliant inventories for the RDS rules."""

from __future__ import annotations

from typing import Any

from stagecraft.rules.rds import DB, DB_SUBNET_GROUP, PARAMETER_GROUP
from tests.stagecraft.rules.builders import Case, one, res

GOOD_DB: dict[str, Any] = {
    "engine": "postgres",
    "publiclyAccessible": False,
    "storageEncrypted": True,
    "multiAz": True,
    "monitoringInterval": 60,
    "deletionProtection": True,
    "enabledCloudwatchLogsExports": ["postgresql", "upgrade"],
    "iamDatabaseAuthenticationEnabled": True,
    "backupRetentionPeriod": 14,
    "autoMinorVersionUpgrade": True,
    "copyTagsToSnapshot": True,
    "port": 5433,
    "username": "app_admin",
    "manageMasterUserPassword": True,
    "masterUserSecretKmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k",
}


def db(**changes: Any) -> Any:
    """The compliant instance with ``changes`` (a value of None removes the input)."""
    inputs = {k: v for k, v in {**GOOD_DB, **changes}.items() if v is not None}
    return res(DB, "stg-db", inputs)


def _db_case(rule: str, name: str, changes: dict[str, Any], *messages: str) -> Case:
    return one(rule, name, db(**changes), *messages)


RESOURCE_CASES = [
    _db_case("rds-not-public", "private", {}),
    _db_case("rds-not-public", "public", {"publiclyAccessible": True}, "publiclyAccessible is true; false required"),
    _db_case("rds-encrypted", "encrypted", {}),
    _db_case("rds-encrypted", "unset", {"storageEncrypted": None}, "storageEncrypted is unset; true required"),
    _db_case("rds-multi-az", "multi", {}),
    _db_case("rds-multi-az", "single", {"multiAz": False}, "multiAz is false; true required"),
    _db_case("rds-enhanced-monitoring", "60", {}),
    _db_case(
        "rds-enhanced-monitoring",
        "0",
        {"monitoringInterval": 0},
        "monitoringInterval is 0; a value above 0 required",
    ),
    _db_case("rds-deletion-protection", "on", {}),
    _db_case(
        "rds-deletion-protection",
        "off",
        {"deletionProtection": False},
        "deletionProtection is false; true required",
    ),
    _db_case("rds-log-exports", "both", {}),
    _db_case(
        "rds-log-exports",
        "postgresql-only",
        {"enabledCloudwatchLogsExports": ["postgresql"]},
        "enabledCloudwatchLogsExports is [postgresql]; postgresql and upgrade required",
    ),
    _db_case("rds-iam-auth", "on", {}),
    _db_case(
        "rds-iam-auth",
        "off",
        {"iamDatabaseAuthenticationEnabled": False},
        "iamDatabaseAuthenticationEnabled is false; true required",
    ),
    _db_case("rds-backups", "14", {}),
    _db_case(
        "rds-backups",
        "0",
        {"backupRetentionPeriod": 0},
        "backupRetentionPeriod is 0; at least 7 days required",
    ),
    _db_case(
        "rds-backups",
        "float",
        {"backupRetentionPeriod": 3.0},
        "backupRetentionPeriod is 3; at least 7 days required",
    ),
    _db_case("rds-minor-upgrades", "unset-default-true", {"autoMinorVersionUpgrade": None}),
    _db_case(
        "rds-minor-upgrades",
        "off",
        {"autoMinorVersionUpgrade": False},
        "autoMinorVersionUpgrade is false; true required",
    ),
    _db_case("rds-copy-tags", "on", {}),
    _db_case("rds-copy-tags", "unset", {"copyTagsToSnapshot": None}, "copyTagsToSnapshot is unset; true required"),
    _db_case("rds-custom-port", "5433", {}),
    _db_case("rds-custom-port", "5432", {"port": 5432}, "port is 5432; a port other than 5432 required"),
    _db_case(
        "rds-custom-port",
        "unset",
        {"port": None},
        "port is unset (defaults to 5432); a port other than 5432 required",
    ),
    _db_case("rds-custom-admin", "custom", {}),
    _db_case("rds-custom-admin", "restored", {"username": None, "snapshotIdentifier": "snap"}),
    _db_case(
        "rds-custom-admin",
        "postgres",
        {"username": "postgres"},
        "username is postgres; a custom administrator name (not postgres) required",
    ),
    _db_case("rds-managed-secret", "managed", {}),
    _db_case(
        "rds-managed-secret",
        "default-key",
        {"masterUserSecretKmsKeyId": None},
        "masterUserSecretKmsKeyId is unset; the stage's KMS key required for the master secret",
    ),
    _db_case(
        "rds-managed-secret",
        "password",
        {"manageMasterUserPassword": None, "password": "[secret]"},
        "password is set; manageMasterUserPassword true required (RDS keeps the secret)",
    ),
]

pg_ok = res(
    PARAMETER_GROUP,
    "stg-pg",
    {"family": "postgres16", "parameters": [{"name": "rds.force_ssl", "value": "1"}]},
)
pg_off = res(
    PARAMETER_GROUP,
    "stg-pg",
    {"family": "postgres16", "parameters": [{"name": "rds.force_ssl", "value": "0"}]},
)
IGW = res("aws:ec2/internetGateway:InternetGateway", "stg-igw", {})
public_rt = res(
    "aws:ec2/routeTable:RouteTable",
    "stg-public-rt",
    {"routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]},
    deps=(IGW,),
)
private_rt = res(
    "aws:ec2/routeTable:RouteTable",
    "stg-private-rt",
    {"routes": [{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}]},
)
subnet = res("aws:ec2/subnet:Subnet", "stg-db-a", {})


def _routed(table: Any) -> tuple[Any, ...]:
    assoc = res("aws:ec2/routeTableAssociation:RouteTableAssociation", "stg-assoc", {}, deps=(table, subnet))
    group = res(DB_SUBNET_GROUP, "stg-db-subnets", {"subnetIds": ["subnet-a"]}, deps=(subnet,))
    return (IGW, table, subnet, assoc, group, res(DB, "stg-db", {"dbSubnetGroupName": "g"}, deps=(group,)))


route_resource = res("aws:ec2/route:Route", "stg-igw-route", {"gatewayId": "igw-1"}, deps=(IGW, private_rt))

STACK_CASES = [
    Case("rds-force-ssl", "on", (pg_ok, res(DB, "stg-db", {"parameterGroupName": "stg-pg"}, deps=(pg_ok,)))),
    Case(
        "rds-force-ssl",
        "by-name",
        (
            res(PARAMETER_GROUP, "p", {**pg_ok.inputs, "name": "stg-pg"}),
            res(DB, "stg-db", {"parameterGroupName": "stg-pg"}),
        ),
    ),
    Case(
        "rds-force-ssl",
        "off",
        (pg_off, res(DB, "stg-db", {}, deps=(pg_off,))),
        (f"{PARAMETER_GROUP} stg-pg: rds.force_ssl is 0; 1 required",),
    ),
    Case(
        "rds-force-ssl",
        "default-group",
        (res(DB, "stg-db", {}),),
        (f"{DB} stg-db: parameterGroupName names no managed {PARAMETER_GROUP}; one with rds.force_ssl 1 required",),
    ),
    Case("rds-private-subnets", "nat-routed", _routed(private_rt)),
    Case(
        "rds-private-subnets",
        "igw-inline",
        _routed(public_rt),
        (f"{DB} stg-db: subnet stg-db-a of stg-db-subnets routes to an internet gateway; private subnets required",),
    ),
    Case(
        "rds-private-subnets",
        "igw-route-resource",
        (*_routed(private_rt), route_resource),
        (f"{DB} stg-db: subnet stg-db-a of stg-db-subnets routes to an internet gateway; private subnets required",),
    ),
]

CASES = RESOURCE_CASES + STACK_CASES
