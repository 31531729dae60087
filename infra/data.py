"""The stage's data tier, from ``stagecraft:stage.key``, ``.registries``, ``.database`` and ``.backups``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from components.backup_bucket import BackupBucket, BackupBucketArgs, BackupObjectLock, BackupReplication
from components.database import Database, DatabaseArgs, DatabaseRestore
from components.ecs_cluster import EcsCluster
from components.network import Network
from components.registry import Registry, RegistryArgs
from components.stage_key import StageKey, StageKeyArgs
from infra.compute import EksStage
from infra.context import StageContext
from infra.migrations import MigrationStage, build_migrations


@dataclass(frozen=True)
class DataStage:
    """The stage's stateful resources."""

    registries: dict[str, Registry]
    """ECR repositories by configured name (``app`` -> ``<app>-<stage>/app``)."""
    database: Database | None
    """The PostgreSQL instance, or ``None`` when ``database.enabled`` is false."""
    backups: BackupBucket | None
    """The backup bucket, or ``None`` when ``backups.enabled`` is false."""
    migrations: MigrationStage
    """The pipeline's migration task (ECS) and Pod Identity role (EKS), when the database exists."""


def build_key(ctx: StageContext) -> StageKey:
    """The stage's one KMS key (alias ``alias/<app>-<stage>``)."""
    return StageKey(
        ctx.name,
        StageKeyArgs(
            alias_name=ctx.names.key_alias,
            account_id=ctx.account_id,
            region=ctx.config.region,
            description=f"Stagecraft data key of {ctx.name}",
            tags=ctx.tags,
            protect=ctx.config.settings.key.protect,
        ),
    )


def build_data(
    ctx: StageContext,
    network: Network,
    key: StageKey,
    *,
    push_principal_arns: Sequence[pulumi.Input[str]],
    pull_principal_arns: Sequence[pulumi.Input[str]],
    client_security_group_ids: Mapping[str, pulumi.Input[str]],
    ecs: EcsCluster | None = None,
    eks: EksStage | None = None,
) -> DataStage:
    """Registries, database, backup bucket and migration identities of the stage, encrypted with ``key``.

    ``push_principal_arns`` (the deploy role) push images; ``pull_principal_arns`` (compute roles) pull.
    ``client_security_group_ids`` (stable key -> security group id) are admitted to PostgreSQL; only the
    database's ingress rules depend on them, so the instance is created in parallel with the clusters.
    With ``ecs`` the stage gets the migration task (run with the cluster's execution role), with ``eks`` the
    migration Pod Identity role; both are created after the database, whose address and secret they carry.
    """
    registries = _registries(ctx, key, push_principal_arns, pull_principal_arns)
    database = _database(ctx, network, key, client_security_group_ids)
    backups = _backups(ctx, key)
    migrations = (
        build_migrations(ctx, network, key, database=database, registries=registries, backups=backups, ecs=ecs, eks=eks)
        if database is not None
        else MigrationStage(task=None, role=None)
    )
    return DataStage(registries=registries, database=database, backups=backups, migrations=migrations)


def _registries(
    ctx: StageContext,
    key: StageKey,
    push: Sequence[pulumi.Input[str]],
    pull: Sequence[pulumi.Input[str]],
) -> dict[str, Registry]:
    settings = ctx.config.settings.registries
    moving = tuple(settings.moving_tags) if settings.moving_tags is not None else None
    return {
        repository: Registry(
            f"{ctx.name}-{repository.replace('/', '-')}",
            RegistryArgs(
                repository_name=ctx.names.registry(repository),
                stage=ctx.config.stage,
                kms_key_arn=key.key_arn,
                push_principal_arns=list(push),
                pull_principal_arns=list(pull),
                moving_tags=moving,
                release_tag_patterns=tuple(settings.release_tag_patterns),
                commit_tag_prefixes=tuple(settings.commit_tag_prefixes),
                commit_tag_days=settings.commit_tag_days,
                stage_tag_days=settings.stage_tag_days,
                untagged_days=settings.untagged_days,
                tags=ctx.tags,
                protect=settings.protect,
            ),
        )
        for repository in settings.repositories
    }


def _database(
    ctx: StageContext, network: Network, key: StageKey, clients: Mapping[str, pulumi.Input[str]]
) -> Database | None:
    settings = ctx.config.settings.database
    if not settings.enabled:
        return None
    restore = (
        DatabaseRestore(
            source_identifier=settings.restore.source_identifier,
            time=settings.restore.time,
            source_retention_days=settings.restore.source_retention_days,
        )
        if settings.restore is not None
        else None
    )
    return Database(
        ctx.name,
        DatabaseArgs(
            identifier=ctx.names.database,
            vpc_id=network.vpc_id,
            subnet_ids=[_nth(network.isolated_subnet_ids, i) for i in range(len(network.availability_zones))],
            client_security_group_ids=dict(clients),
            kms_key_arn=key.key_arn,
            port=settings.port,
            engine_version=settings.engine_version,
            instance_class=settings.instance_class,
            allocated_storage=settings.allocated_storage,
            max_allocated_storage=settings.max_allocated_storage,
            db_name=settings.db_name,
            username=settings.username,
            log_retention_days=settings.log_retention_days,
            backup_retention_days=settings.backup_retention_days,
            backup_window=settings.backup_window,
            maintenance_window=settings.maintenance_window,
            multi_az=settings.multi_az,
            deletion_protection=settings.deletion_protection,
            performance_insights_retention_days=settings.performance_insights_retention_days,
            monitoring_interval=settings.monitoring_interval,
            final_snapshot_identifier=f"{ctx.names.database}-final",
            restore=restore,
            tags=ctx.tags,
            protect=settings.protect,
            # A restored instance is a copy of a source that stays untouched; retiring the recovery stage
            # (docs/runbooks/restore.md) deletes it, and its final snapshot is the record that stays.
            retain_on_delete=settings.protect and settings.restore is None,
        ),
    )


def _nth(ids: pulumi.Output[list[str]], index: int) -> pulumi.Output[str]:
    return ids.apply(lambda values: values[index])


def _backups(ctx: StageContext, key: StageKey) -> BackupBucket | None:
    settings = ctx.config.settings.backups
    if not settings.enabled:
        return None
    lock = settings.object_lock
    return BackupBucket(
        f"{ctx.name}-backups",
        BackupBucketArgs(
            bucket_name=ctx.names.backup_bucket,
            region=ctx.config.region,
            kms_key_arn=key.key_arn,
            transition_days=settings.transition_days,
            transition_storage_class=settings.transition_storage_class,
            retention_days=settings.retention_days,
            noncurrent_days=settings.noncurrent_days,
            object_lock=BackupObjectLock(mode=lock.mode, days=lock.days) if lock.mode != "none" else None,
            replication=(
                BackupReplication(
                    region=settings.replication_region,
                    bucket_name=ctx.names.backup_replica_bucket,
                    account_id=ctx.account_id,
                    role_name=ctx.names.backup_replication_role,
                )
                if settings.replication_region is not None
                else None
            ),
            tags=ctx.tags,
            protect=settings.protect,
        ),
    )
