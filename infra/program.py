"""The Pulumi program: validate the stack's config once, then compose the stage."""

from __future__ import annotations

import json
from typing import Any

import pulumi
from pulumi.runtime.config import CONFIG, get_config_env

from components.ecs_cluster import EcsCluster
from components.migration_task import CONTAINER_NAME
from infra.compute import EksStage, build_ecs, build_eks
from infra.config import StageConfig, load_stage_config
from infra.config.delivery import registry_variable
from infra.context import StageContext, lookup_context
from infra.data import DataStage, build_data, build_key
from infra.delivery import build_delivery, build_identity
from infra.migrations import migration_outputs
from infra.network import build_network
from infra.runner import build_runner


def main() -> None:
    """Entry point used by the root ``__main__.py`` (``pulumi up``) and by ``stagecraft plan``."""
    config = load_stage_config(pulumi.get_stack(), engine_config())
    build_stage(config)


def build_stage(config: StageConfig) -> None:
    """Create every component of the stage and export what pipelines and people need.

    Order matters only where one component needs another's outputs. The deploy role names the resources it
    may touch by their predictable ARNs (``infra/naming.py``), so it exists before the clusters and
    registries that grant it access; the database and the EKS cluster never wait for each other.
    """
    ctx = lookup_context(config)
    settings = config.settings
    repositories = settings.registries.repositories

    key = build_key(ctx)
    network = build_network(ctx, log_kms_key_arn=key.key_arn)
    ecs = build_ecs(ctx, network, key, repositories)
    identity = build_identity(
        ctx,
        key,
        ecs,
        repositories=repositories,
        eks_enabled=settings.compute.eks.enabled,
        database_enabled=settings.database.enabled,
        backups_enabled=settings.backups.enabled,
    )
    eks = build_eks(ctx, network, key, identity.role_arn)
    runner = build_runner(ctx, network, eks, key)
    data = build_data(
        ctx,
        network,
        key,
        push_principal_arns=[identity.role_arn],
        pull_principal_arns=_pull_principals(ecs, eks),
        client_security_group_ids=_database_clients(ecs, eks),
        ecs=ecs,
        eks=eks,
    )
    variables = stage_variables(ctx, ecs, eks, data)
    build_delivery(ctx, identity, variables)

    pulumi.export("stage", config.stage)
    pulumi.export("profile", config.profile)
    pulumi.export("region", config.region)
    pulumi.export("vpc_id", network.vpc_id)
    pulumi.export("availability_zones", network.availability_zones)
    if ctx.zone_choice is not None:  # names, IDs and why they were chosen (infra/zones.py ZoneChoice.to_json)
        pulumi.export("zones", ctx.zone_choice.to_json())
    pulumi.export("private_subnet_ids", network.private_subnet_ids)
    pulumi.export("isolated_subnet_ids", network.isolated_subnet_ids)
    pulumi.export("kms_key_arn", key.key_arn)
    pulumi.export("deploy_role_arn", identity.role_arn)
    pulumi.export("github_variables", variables)
    if eks is not None:
        pulumi.export("kubeconfig", eks.cluster.kubeconfig)
    for output, value in migration_outputs(data.migrations).items():
        pulumi.export(output, value)
    if runner is not None:
        pulumi.export("runner_project", runner.project_name)


def _pull_principals(ecs: EcsCluster | None, eks: EksStage | None) -> list[pulumi.Input[str]]:
    principals: list[pulumi.Input[str]] = []
    if ecs is not None:
        principals.append(ecs.execution_role_arn)
    if eks is not None:
        principals.append(eks.cluster.node_role_arn)
    return principals


def _database_clients(ecs: EcsCluster | None, eks: EksStage | None) -> dict[str, pulumi.Input[str]]:
    clients: dict[str, pulumi.Input[str]] = {}
    if ecs is not None:
        clients["ecs"] = ecs.service_security_group_id
    if eks is not None:
        clients["eks"] = eks.cluster.cluster_security_group_id
    return clients


def stage_variables(
    ctx: StageContext, ecs: EcsCluster | None, eks: EksStage | None, data: DataStage
) -> dict[str, pulumi.Input[str]]:
    """The stage outputs pipelines read from the GitHub environment instead of copying them by hand."""
    variables: dict[str, pulumi.Input[str]] = {"AWS_REGION": ctx.config.region}
    for name, registry in sorted(data.registries.items()):
        variables[registry_variable(name)] = registry.repository_url
    if len(data.registries) == 1:
        variables["ECR_REPOSITORY"] = next(iter(data.registries.values())).repository_url
    if ecs is not None:
        variables["ECS_CLUSTER"] = ecs.cluster_name
    if eks is not None:
        variables["EKS_CLUSTER"] = eks.cluster.cluster_name
        variables["K8S_NAMESPACES"] = ",".join(eks.namespace_names)
        if eks.namespace_names:
            variables["K8S_NAMESPACE"] = eks.namespace_names[0]
    if data.database is not None:
        variables["DATABASE_ENDPOINT"] = data.database.endpoint
        variables["DATABASE_SECRET_ARN"] = data.database.master_secret_arn
        # Seed 002's names; the master password stays in the secret, never in a variable.
        variables["DB_NAME"] = ctx.config.settings.database.db_name
        variables["DB_USERNAME"] = ctx.config.settings.database.username
    task, role, subnets = data.migrations.task, data.migrations.role, data.migrations.subnet_ids
    if task is not None and subnets is not None:
        # What `aws ecs run-task` needs (docs/components/data.md): family, container, awsvpc configuration.
        variables["MIGRATION_TASK_FAMILY"] = task.family
        variables["MIGRATION_CONTAINER"] = CONTAINER_NAME
        variables["MIGRATION_SECURITY_GROUP"] = task.security_group_id
        variables["MIGRATION_SUBNETS"] = subnets.apply(",".join)
        variables["MIGRATION_LOG_GROUP"] = task.log_group_name
    if role is not None:
        variables["MIGRATION_NAMESPACE"] = role.namespace
        variables["MIGRATION_SERVICE_ACCOUNT"] = role.service_account
    if data.backups is not None:
        variables["BACKUP_S3_BUCKET"] = data.backups.bucket_name
    return variables


def engine_config() -> dict[str, Any]:
    """The stack's whole config map as the engine passed it, structured values parsed from JSON."""
    keys = set(CONFIG.get()) | set(get_config_env())
    return {key: _parse(pulumi.runtime.get_config(key)) for key in sorted(keys)}


def _parse(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
