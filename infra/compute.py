"""The stage's compute, from ``stagecraft:stage.compute``: an ECS cluster and an EKS cluster.

The EKS cluster's Kubernetes objects (namespaces, quotas, network policies, RBAC) are the cluster layer's
(``infra/cluster.py``): they need the Kubernetes API, which only the stage's in-VPC runner reaches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import pulumi

from components.ecs_cluster import EcsCluster, EcsClusterArgs
from components.eks_cluster import EksCluster, EksClusterArgs
from components.network import Network
from infra.context import StageContext


class HasKeyArn(Protocol):
    """The stage key as the builders need it (``components.stage_key.StageKey`` satisfies it)."""

    @property
    def key_arn(self) -> pulumi.Output[str]:
        """ARN of the stage's KMS key."""
        ...


@dataclass(frozen=True)
class EksStage:
    """The stage's EKS cluster and the names of the namespaces the cluster layer creates in it."""

    cluster: EksCluster
    namespace_names: list[str]
    """The namespace names, known from config (for pipeline variables without waiting on outputs)."""


def build_ecs(
    ctx: StageContext, network: Network, key: HasKeyArn, repositories: Sequence[str] = ()
) -> EcsCluster | None:
    """The ECS cluster, or ``None`` when ``compute.ecs.enabled`` is false.

    ``repositories`` are the configured registry names; the task execution role may pull from exactly those
    ECR repositories. It may read the app's secrets (``<app>-<stage>/*``) and SSM parameters
    (``/<app>-<stage>/*``), not the database master secret: that one is for admins and migrations.
    """
    settings = ctx.config.settings.compute.ecs
    if not settings.enabled:
        return None
    names = ctx.names
    return EcsCluster(
        ctx.name,
        EcsClusterArgs(
            cluster_name=names.ecs_cluster,
            vpc_id=network.vpc_id,
            kms_key_arn=key.key_arn,
            container_insights=settings.container_insights,
            fargate_base=settings.fargate_base,
            spot_weight=settings.spot_weight,
            exec_log_retention_days=settings.exec_log_retention_days,
            allow_execute_command=settings.allow_execute_command,
            registry_arns=[names.registry_arn(r) for r in repositories],
            secret_arns=[names.app_secrets_arn],
            parameter_arns=[names.app_parameters_arn],
            tags=ctx.tags,
        ),
    )


def build_eks(
    ctx: StageContext, network: Network, key: HasKeyArn, deploy_role_arn: pulumi.Input[str]
) -> EksStage | None:
    """The EKS cluster with its node groups, or ``None`` when EKS is disabled.

    The cluster waits only for the network, the key and its own IAM roles and log group; nothing
    database-related. No Kubernetes object is created here (see the module docstring).
    """
    compute = ctx.config.settings.compute
    settings = compute.eks
    if not settings.enabled:
        return None
    cluster = EksCluster(
        ctx.name,
        EksClusterArgs(
            cluster_name=ctx.names.eks_cluster,
            kubernetes_version=settings.kubernetes_version,
            private_subnet_ids=network.private_subnet_ids,
            kms_key_arn=key.key_arn,
            deploy_role_arn=deploy_role_arn,
            deploy_group=settings.deploy_group,
            # The role `pulumi up` runs as in CI (the account bootstrap's) manages the cluster's Kubernetes
            # objects, and EKS gives the cluster's creator no implicit access in API mode.
            admin_principal_arns=list(
                dict.fromkeys([ctx.names.pulumi_deploy_role_arn, *settings.admin_principal_arns])
            ),
            endpoint_public_access=settings.endpoint_public_access,
            public_access_cidrs=list(settings.public_access_cidrs),
            log_retention_days=settings.log_retention_days,
            deletion_protection=settings.deletion_protection,
            node_groups=[group.spec() for group in settings.node_groups],
            metadata_hop_limit=settings.metadata_hop_limit,
            addon_versions=dict(settings.addon_versions),
            tags=ctx.tags,
        ),
    )
    specs = compute.namespace_specs(ctx.names.namespace)
    return EksStage(cluster=cluster, namespace_names=[s.name for s in specs])
