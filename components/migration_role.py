"""The EKS Pod Identity role of the stage's migration Job: reads the database master secret, writes backups."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.migration_task import migration_access_policy
from components.naming import name_problems

_COMPONENT = "MigrationRole"
SERVICE_ACCOUNT = "migrations"
"""The Kubernetes service account migration Jobs run as. A constant, not a setting: the cluster layer
creates it, the Job manifests name it, and nothing is gained by letting stages differ."""
POD_IDENTITY_PRINCIPAL = "pods.eks.amazonaws.com"
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


@dataclass(frozen=True, kw_only=True)
class MigrationRoleArgs:
    """Inputs of :class:`MigrationRole`."""

    role_name: str
    """Physical IAM role name (``<app>-<stage>-migrate-pod``)."""
    account_id: str
    """The stage's account: only EKS Pod Identity acting for it may assume the role (``aws:SourceAccount``)."""
    region: str
    """The stage's region (``kms:ViaService`` names)."""
    cluster_name: pulumi.Input[str]
    """The EKS cluster (an output of it, so the association waits for the cluster)."""
    namespace: str
    """Namespace of the service account (the stage's first namespace)."""
    service_account: str = SERVICE_ACCOUNT
    """The Kubernetes service account the Job runs as."""
    kms_key_arn: pulumi.Input[str]
    """The stage key (master secret, backup bucket)."""
    master_secret_arn: pulumi.Input[str]
    """The database's master secret."""
    backup_bucket_arn: pulumi.Input[str] | None = None
    """Backup bucket the Job may write pre-migration dumps to, under ``migrations/``."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the role and the association."""


class MigrationRole(pulumi.ComponentResource):
    """An IAM role for EKS Pod Identity and its association with ``<namespace>/<service_account>``.

    The eks-pod-identity-agent add-on (``components/eks_cluster.py``) hands the role's credentials to pods
    of that service account. The ServiceAccount object itself belongs to the cluster layer.
    """

    role_arn: pulumi.Output[str]
    """The role's ARN."""
    namespace: str
    """Namespace of the service account."""
    service_account: str
    """Name of the service account."""

    def __init__(self, name: str, args: MigrationRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(args)
        super().__init__("stagecraft:data:MigrationRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description=f"Migration Jobs of {args.namespace}/{args.service_account} (EKS Pod Identity)",
            assume_role_policy=pulumi.Output.json_dumps(pod_identity_trust(args.account_id)),
            tags=tags,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-access",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                migration_access_policy(args.master_secret_arn, args.kms_key_arn, args.region, args.backup_bucket_arn)
            ),
            opts=child,
        )
        # One association per cluster/namespace/service account, and those three force a replacement: a
        # replacement must delete the old one first, or the new one collides with it.
        aws.eks.PodIdentityAssociation(
            f"{name}-association",
            cluster_name=args.cluster_name,
            namespace=args.namespace,
            service_account=args.service_account,
            role_arn=role.arn,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy], delete_before_replace=True),
        )

        self.role_arn = role.arn
        self.namespace = args.namespace
        self.service_account = args.service_account
        self.register_outputs(
            {"role_arn": self.role_arn, "namespace": self.namespace, "service_account": self.service_account}
        )


def pod_identity_trust(account_id: str) -> dict[str, Any]:
    """EKS Pod Identity's trust: ``sts:AssumeRole`` and ``sts:TagSession`` for this account's clusters.

    https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ],
    }


def _validate(args: MigrationRoleArgs) -> None:
    problems = name_problems("iam-role", args.role_name)
    if problems:
        raise ComponentInputError(_COMPONENT, "role_name", args.role_name, "; ".join(problems))
    for argument in ("namespace", "service_account"):
        value = getattr(args, argument)
        if not _DNS_LABEL.fullmatch(value):
            raise ComponentInputError(_COMPONENT, argument, value, "a DNS label: 1-63 of a-z, 0-9 and '-'")
    if not re.fullmatch(r"\d{12}", args.account_id):
        raise ComponentInputError(_COMPONENT, "account_id", args.account_id, "a 12-digit AWS account id")
