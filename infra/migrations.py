"""What the pipeline runs migrations and pre-deploy backups with, from ``stagecraft:stage.database.migrations``.

ECS: a Fargate task definition ``<app>-<stage>-migrate`` the deploy role may ``ecs:RunTask`` in the stage
cluster. EKS: a Pod Identity role for the service account ``migrations`` in the stage's first namespace.
Both read the database master secret and may write under ``migrations/`` in the backup bucket.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.backup_bucket import BackupBucket
from components.database import Database
from components.ecs_cluster import EcsCluster
from components.migration_role import SERVICE_ACCOUNT, MigrationRole, MigrationRoleArgs
from components.migration_task import MigrationTask, MigrationTaskArgs
from components.network import Network
from components.registry import Registry
from components.stage_key import StageKey
from infra.compute import EksStage
from infra.config import StageConfig
from infra.context import StageContext
from infra.naming import MigrationNames


@dataclass(frozen=True)
class MigrationStage:
    """The stage's migration identities (each ``None`` when its compute kind or the database is off)."""

    task: MigrationTask | None
    """The ECS migration task."""
    role: MigrationRole | None
    """The EKS Pod Identity role and association."""
    subnet_ids: pulumi.Output[list[str]] | None = None
    """Subnets to run the ECS task in (the private ones: the NAT reaches the registry and AWS APIs)."""


def migrations_enabled(config: StageConfig) -> bool:
    """Whether the stage has migration identities at all (a database and ``database.migrations.enabled``)."""
    database = config.settings.database
    return database.enabled and database.migrations.enabled


def build_migrations(
    ctx: StageContext,
    network: Network,
    key: StageKey,
    *,
    database: Database,
    registries: dict[str, Registry],
    backups: BackupBucket | None,
    ecs: EcsCluster | None,
    eks: EksStage | None,
) -> MigrationStage:
    """The migration task (with ECS) and Pod Identity role (with EKS) for ``database``."""
    if not migrations_enabled(ctx.config):
        return MigrationStage(task=None, role=None)
    settings = ctx.config.settings
    migration = settings.database.migrations
    names = MigrationNames(ctx.names)
    region = ctx.config.region
    bucket_arn = backups.bucket_arn if backups is not None else None
    task = None
    if ecs is not None and registries:
        repository = registries[migration.repository or settings.registries.repositories[0]]
        tag = migration.image_tag or f"{ctx.config.stage}-latest"
        task = MigrationTask(
            f"{ctx.name}-migrate",
            MigrationTaskArgs(
                family=names.family,
                task_role_name=names.task_role,
                account_id=ctx.account_id,
                region=region,
                vpc_id=network.vpc_id,
                vpc_cidr=settings.network.cidr,
                image=pulumi.Output.concat(repository.repository_url, ":", tag),
                execution_role_arn=ecs.execution_role_arn,
                kms_key_arn=key.key_arn,
                database_security_group_id=database.security_group_id,
                database_port=settings.database.port,
                database_address=database.address,
                database_name=settings.database.db_name,
                master_secret_arn=database.master_secret_arn,
                backup_bucket_arn=bucket_arn,
                backup_bucket_name=backups.bucket_name if backups is not None else None,
                cpu=migration.cpu,
                memory=migration.memory,
                architecture=migration.architecture,
                log_retention_days=migration.log_retention_days,
                tags=ctx.tags,
            ),
        )
    role = None
    if eks is not None and eks.namespace_names:
        role = MigrationRole(
            f"{ctx.name}-migrate",
            MigrationRoleArgs(
                role_name=names.pod_role,
                account_id=ctx.account_id,
                region=region,
                cluster_name=eks.cluster.cluster_name,
                namespace=eks.namespace_names[0],
                service_account=SERVICE_ACCOUNT,
                kms_key_arn=key.key_arn,
                master_secret_arn=database.master_secret_arn,
                backup_bucket_arn=bucket_arn,
                tags=ctx.tags,
            ),
        )
    return MigrationStage(task=task, role=role, subnet_ids=network.private_subnet_ids)


def migration_outputs(migrations: MigrationStage) -> dict[str, pulumi.Input[str]]:
    """The stage outputs the pipeline and the cluster layer read (a missing compute kind adds none).

    ECS: ``migration_task_definition_family``, ``migration_task_role_arn``, ``migration_security_group_id``,
    ``migration_log_group``. EKS: ``migration_role_arn``, ``migration_namespace``,
    ``migration_service_account`` (the cluster layer creates that ServiceAccount).
    """
    outputs: dict[str, pulumi.Input[str]] = {}
    if migrations.task is not None:
        outputs["migration_task_definition_family"] = migrations.task.family
        outputs["migration_task_role_arn"] = migrations.task.task_role_arn
        outputs["migration_security_group_id"] = migrations.task.security_group_id
        outputs["migration_log_group"] = migrations.task.log_group_name
    if migrations.role is not None:
        outputs["migration_role_arn"] = migrations.role.role_arn
        outputs["migration_namespace"] = migrations.role.namespace
        outputs["migration_service_account"] = migrations.role.service_account
    return outputs
