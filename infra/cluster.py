"""The cluster layer's program (project ``stagecraft-cluster``): a stage's Kubernetes objects.

It runs after the stage's ``pulumi up``, on the stage's in-VPC runner (``infra/runner.py``), because the
objects go through the Kubernetes API and that API admits only the VPC (production's private endpoint) or an
office range (staging's public one): a GitHub-hosted runner reaches neither. What to create comes from the
stage's stack file (``infra.config.cluster``); how to reach the cluster comes from the stage stack's
``kubeconfig`` output through a StackReference, so nothing is copied by hand between the two stacks.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.migration_role import SERVICE_ACCOUNT
from components.namespaces import Namespaces, NamespacesArgs
from infra.config import StageConfig
from infra.config.cluster import load_cluster_config
from infra.migrations import migrations_enabled
from infra.naming import StageNames
from infra.program import engine_config

STAGE_OUTPUTS = ("kubeconfig",)
"""The stage stack's outputs this layer reads; ``stagecraft plan`` checks the stage exports each one."""


@dataclass(frozen=True)
class ClusterObjects:
    """What the cluster layer created in one stage's cluster."""

    namespaces: Namespaces
    migration_service_account: k8s.core.v1.ServiceAccount | None
    """The ServiceAccount the stage's migration Pod Identity role is associated with (``None``: no migrations)."""


def main() -> None:
    """Entry point used by ``cluster/__main__.py`` (``pulumi up``) and by ``stagecraft plan``."""
    config = load_cluster_config(pulumi.get_stack(), engine_config())
    stage = pulumi.StackReference(config.stage_reference)
    # The stage marks its kubeconfig secret; require_output fails the run, before any object, when it is absent.
    provider = k8s.Provider(
        f"{config.stack}-k8s",
        kubeconfig=stage.require_output("kubeconfig"),
        enable_server_side_apply=True,
    )
    objects = build_cluster_objects(config.stage, provider)
    pulumi.export("stage", config.stage.stage)
    pulumi.export("namespaces", objects.namespaces.names)
    if objects.migration_service_account is not None:
        pulumi.export("migration_service_account", objects.migration_service_account.metadata.name)


def build_cluster_objects(stage: StageConfig, provider: k8s.Provider) -> ClusterObjects:
    """The stage's namespaces (Pod Security labels, quota, limits, default-deny ingress, deployer RBAC) and the
    migration Job's ServiceAccount, all through ``provider``."""
    settings = stage.settings
    names = StageNames(app=settings.app, stage=stage.stage, account_id="", region=stage.region)
    specs = settings.compute.namespace_specs(names.namespace)
    name = names.prefix
    namespaces = Namespaces(
        name,
        NamespacesArgs(
            provider=provider,
            namespaces=specs,
            deploy_group=settings.compute.eks.deploy_group,
            # Pin the Pod Security standard to the cluster's minor version so an upgrade does not tighten it.
            pod_security_version=f"v{settings.compute.eks.kubernetes_version}",
            labels={"app.kubernetes.io/part-of": settings.app},
        ),
    )
    account = None
    if migrations_enabled(stage) and specs:
        # EKS Pod Identity associates the stage's migration role with this service account by name
        # (components/migration_role.py): the stage creates the association, this layer the account.
        account = k8s.core.v1.ServiceAccount(
            f"{name}-{SERVICE_ACCOUNT}",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=SERVICE_ACCOUNT,
                namespace=specs[0].name,
                labels={"app.kubernetes.io/part-of": settings.app, "app.kubernetes.io/component": "migrations"},
            ),
            opts=pulumi.ResourceOptions(provider=provider, depends_on=[namespaces]),
        )
    return ClusterObjects(namespaces=namespaces, migration_service_account=account)
