"""An EKS cluster from plain pulumi-aws: access entries, encryption, logs, node groups, add-ons, IRSA."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.eks_node_group import EksNodeGroup, EksNodeGroupArgs, NodeGroupSpec, validate_node_group_spec
from components.eks_versions import SUPPORTED_KUBERNETES_VERSIONS as SUPPORTED_KUBERNETES_VERSIONS
from components.errors import ComponentInputError
from components.iam import account_of, service_trust
from components.log_retention import check_log_retention
from components.naming import name_problems

_COMPONENT = "EksCluster"

CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator")
_POLICY = "arn:aws:iam::aws:policy/"
_CLUSTER_POLICIES = {"cluster": "AmazonEKSClusterPolicy"}
_NODE_POLICIES = {
    "worker": "AmazonEKSWorkerNodePolicy",
    "cni": "AmazonEKS_CNI_Policy",
    "registry": "AmazonEC2ContainerRegistryPullOnly",
}
CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
# IAM names and paths are ASCII (re.ASCII keeps \w to [A-Za-z0-9_]):
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
PRINCIPAL_ARN = re.compile(
    r"arn:aws:iam::(?P<account>\d{12}):(role|user)/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]{1,64})", re.ASCII
)
_EARLY_ADDONS = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
ADDONS = (*_EARLY_ADDONS, "coredns")
"""The add-ons every cluster gets."""
ADDON_VERSION = re.compile(r"v\d+\.\d+\.\d+-eksbuild\.\d+")


@dataclass(frozen=True, kw_only=True)
class EksClusterArgs:
    """Inputs of :class:`EksCluster`."""

    cluster_name: str
    """Physical cluster name; also names the control-plane log group ``/aws/eks/<name>/cluster``."""
    kubernetes_version: str
    """Kubernetes minor version, one of :data:`SUPPORTED_KUBERNETES_VERSIONS`."""
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets (at least two Availability Zones) for the control-plane ENIs and the nodes."""
    kms_key_arn: pulumi.Input[str]
    """The stage KMS key: encrypts Kubernetes secrets, the control-plane log group and node root volumes."""
    deploy_role_arn: pulumi.Input[str]
    """The stage's deploy role; its access entry carries ``deploy_group`` and no cluster-wide policy."""
    deploy_group: str = "stagecraft:deployers"
    """Kubernetes group of the deploy role; namespaces bind it to their deployer Role."""
    admin_principal_arns: Sequence[str] = ()
    """IAM role or user ARNs that get ``AmazonEKSClusterAdminPolicy`` at cluster scope. The principal running
    Pulumi must be among them to manage Kubernetes objects (the creator gets no implicit admin)."""
    endpoint_public_access: bool = False
    """Expose the API endpoint publicly as well as privately; the private endpoint is always on."""
    public_access_cidrs: Sequence[str] = ()
    """IPv4 CIDRs allowed to the public endpoint; required when it is on (``0.0.0.0/0`` only if written)."""
    log_retention_days: int = 90
    """Retention of the control-plane log group; a value CloudWatch Logs accepts."""
    deletion_protection: bool = True
    """EKS refuses to delete the cluster while this is on."""
    node_groups: Sequence[NodeGroupSpec] = ()
    """Managed node groups, keyed by their ``name``."""
    enforce_network_policies: bool = True
    """Turn on the VPC CNI's network-policy engine, so the cluster's ``NetworkPolicy`` objects are enforced
    (vpc-cni ignores them unless configured: ``enableNetworkPolicy``)."""
    metadata_hop_limit: int = 1
    """IMDSv2 hop limit of every node group (1, or 2 for pods that need IMDS without IRSA or Pod Identity)."""
    addon_versions: Mapping[str, str] = field(default_factory=dict)
    """Exact add-on versions (``{"vpc-cni": "v1.19.0-eksbuild.1"}``) for add-ons in :data:`ADDONS`; an add-on not
    listed gets the most recent version EKS offers for ``kubernetes_version``, resolved when the program runs."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable resource."""


class EksCluster(pulumi.ComponentResource):
    """An EKS cluster with API-only access entries, encrypted secrets, control-plane logs, STANDARD upgrade
    support, managed node groups, the core add-ons and an IAM OIDC provider; its ``kubeconfig`` is for the
    cluster layer's Kubernetes provider."""

    cluster_name: pulumi.Output[str]
    """The cluster name."""
    cluster_arn: pulumi.Output[str]
    """The cluster ARN."""
    endpoint: pulumi.Output[str]
    """The API server URL."""
    oidc_issuer: pulumi.Output[str]
    """The cluster's OIDC issuer URL (``https://...``), for IRSA trust policies."""
    oidc_provider_arn: pulumi.Output[str]
    """The IAM OIDC provider ARN, for IRSA trust policies."""
    cluster_security_group_id: pulumi.Output[str]
    """The EKS-created security group of the control plane and, with no other group set, of the nodes."""
    node_role_arn: pulumi.Output[str]
    """The node IAM role ARN."""
    kubeconfig: pulumi.Output[str]
    """A secret kubeconfig (JSON) that authenticates with ``aws eks get-token``."""

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:compute:EksCluster", name, None, opts)
        validate_eks_cluster_args(args)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        # -- IAM ----------------------------------------------------------------------------------
        # The account comes from the key ARN (no invoke). EC2 carries aws:SourceAccount when it assumes an
        # instance role (terraform-aws-eks added it for Karpenter node roles:
        # https://github.com/terraform-aws-modules/terraform-aws-eks/pull/3695).
        account = account_of(args.kms_key_arn)
        cluster_role = aws.iam.Role(
            f"{name}-cluster-role",
            assume_role_policy=account.apply(lambda a: service_trust("eks.amazonaws.com", account_id=a)),
            tags=tags,
            opts=child,
        )
        cluster_grants: list[pulumi.Resource] = [
            aws.iam.RolePolicyAttachment(
                f"{name}-cluster-{key}", role=cluster_role.name, policy_arn=_POLICY + p, opts=child
            )
            for key, p in _CLUSTER_POLICIES.items()
        ]
        cluster_grants.append(
            aws.iam.RolePolicy(
                f"{name}-cluster-secrets-key",
                role=cluster_role.id,
                policy=pulumi.Output.json_dumps(_secrets_key_policy(args.kms_key_arn)),
                opts=child,
            )
        )
        node_role = aws.iam.Role(
            f"{name}-node-role",
            assume_role_policy=account.apply(lambda a: service_trust("ec2.amazonaws.com", account_id=a)),
            tags=tags,
            opts=child,
        )
        node_grants = [
            aws.iam.RolePolicyAttachment(f"{name}-node-{key}", role=node_role.name, policy_arn=_POLICY + p, opts=child)
            for key, p in _NODE_POLICIES.items()
        ]

        # -- control plane ------------------------------------------------------------------------
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs",
            name=f"/aws/eks/{args.cluster_name}/cluster",
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            tags=tags,
            opts=child,
        )
        cluster = aws.eks.Cluster(
            f"{name}-cluster",
            name=args.cluster_name,
            version=args.kubernetes_version,
            role_arn=cluster_role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=args.private_subnet_ids,
                endpoint_private_access=True,
                endpoint_public_access=args.endpoint_public_access,
                public_access_cidrs=list(args.public_access_cidrs) if args.endpoint_public_access else None,
            ),
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=False
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=args.kms_key_arn),
                resources=["secrets"],
            ),
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type="STANDARD"),
            enabled_cluster_log_types=list(CONTROL_PLANE_LOG_TYPES),
            deletion_protection=args.deletion_protection,
            tags=tags,
            opts=child.merge(pulumi.ResourceOptions(depends_on=[log_group, *cluster_grants])),
        )

        # -- access entries -----------------------------------------------------------------------
        for arn in args.admin_principal_arns:
            key = f"{name}-admin-{_principal_key(arn)}"
            entry = aws.eks.AccessEntry(
                key, cluster_name=cluster.name, principal_arn=arn, type="STANDARD", tags=tags, opts=child
            )
            aws.eks.AccessPolicyAssociation(
                f"{key}-policy",
                cluster_name=cluster.name,
                principal_arn=entry.principal_arn,
                policy_arn=CLUSTER_ADMIN_POLICY,
                access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                opts=child.merge(pulumi.ResourceOptions(depends_on=[entry])),
            )
        aws.eks.AccessEntry(
            f"{name}-deployer",
            cluster_name=cluster.name,
            principal_arn=args.deploy_role_arn,
            type="STANDARD",
            kubernetes_groups=[args.deploy_group],
            tags=tags,
            opts=child,
        )

        # -- nodes and add-ons --------------------------------------------------------------------
        node_groups = [
            EksNodeGroup(
                f"{name}-{spec.name}",
                EksNodeGroupArgs(
                    spec=spec,
                    cluster_name=cluster.name,
                    node_role_arn=node_role.arn,
                    subnet_ids=args.private_subnet_ids,
                    kms_key_arn=args.kms_key_arn,
                    metadata_hop_limit=args.metadata_hop_limit,
                    tags=tags,
                ),
                opts=child.merge(pulumi.ResourceOptions(depends_on=node_grants)),
            )
            for spec in args.node_groups
        ]
        # vpc-cni, kube-proxy and the Pod Identity agent are DaemonSets: they need no nodes to be created,
        # and nodes need not wait for them (EKS bootstraps the self-managed versions the add-ons adopt).
        for addon in _EARLY_ADDONS:
            self._addon(name, addon, args, cluster, tags, child, _addon_configuration(addon, args))
        # CoreDNS is a Deployment: created before any node exists it stays degraded until the add-on
        # times out (https://github.com/terraform-aws-modules/terraform-aws-eks/issues/3001).
        self._addon(name, "coredns", args, cluster, tags, child.merge(pulumi.ResourceOptions(depends_on=node_groups)))

        issuer = cluster.identities.apply(_issuer)
        oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc", url=issuer, client_id_lists=["sts.amazonaws.com"], tags=tags, opts=child
        )

        # -- outputs ------------------------------------------------------------------------------
        self.cluster_name = cluster.name
        self.cluster_arn = cluster.arn
        self.endpoint = cluster.endpoint
        self.oidc_issuer = issuer
        self.oidc_provider_arn = oidc_provider.arn
        self.cluster_security_group_id = cluster.vpc_config.cluster_security_group_id
        self.node_role_arn = node_role.arn
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(cluster.name, cluster.endpoint, cluster.certificate_authority.data, cluster.arn).apply(
                lambda v: kubeconfig_json(v[0], v[1], v[2], v[3].split(":")[3])
            )
        )
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "cluster_arn": self.cluster_arn,
                "endpoint": self.endpoint,
                "oidc_issuer": self.oidc_issuer,
                "oidc_provider_arn": self.oidc_provider_arn,
                "cluster_security_group_id": self.cluster_security_group_id,
                "node_role_arn": self.node_role_arn,
                "kubeconfig": self.kubeconfig,
            }
        )

    @staticmethod
    def _addon(
        name: str,
        addon: str,
        args: EksClusterArgs,
        cluster: aws.eks.Cluster,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions,
        configuration: str | None = None,
    ) -> aws.eks.Addon:
        return aws.eks.Addon(
            f"{name}-{addon}",
            cluster_name=cluster.name,
            addon_name=addon,
            addon_version=addon_version(addon, args),
            configuration_values=configuration,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="PRESERVE",
            tags=tags,
            opts=opts,
        )


def addon_version(addon: str, args: EksClusterArgs) -> str:
    """The pinned version of ``addon``: the configured one, or the most recent EKS offers for the cluster version.

    Resolved at program time and passed as ``addon_version``, so the plan shows it and a new EKS build appears
    as a diff of that input instead of changing under a running cluster (an unset version is EKS's default at
    creation time, never shown). ``aws eks describe-addon-versions`` is the same lookup:
    https://docs.aws.amazon.com/eks/latest/userguide/updating-an-add-on.html
    """
    pinned = args.addon_versions.get(addon)
    if pinned is not None:
        return pinned
    found = aws.eks.get_addon_version(addon_name=addon, kubernetes_version=args.kubernetes_version, most_recent=True)
    return found.version


def _addon_configuration(addon: str, args: EksClusterArgs) -> str | None:
    """The add-on's ``configuration_values`` JSON, or ``None`` for EKS's defaults."""
    if addon == "vpc-cni" and args.enforce_network_policies:
        # vpc-cni enforces NetworkPolicies only with this set (the value is a string in the add-on's schema):
        # https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
        return json.dumps({"enableNetworkPolicy": "true"})
    return None


def validate_eks_cluster_args(args: EksClusterArgs) -> None:
    """Raise :class:`ComponentInputError` for the first argument EKS, IAM or CloudWatch would reject."""
    problems = name_problems("eks-cluster", args.cluster_name)
    if problems:
        raise ComponentInputError(_COMPONENT, "cluster_name", args.cluster_name, "; ".join(problems))
    if args.kubernetes_version not in SUPPORTED_KUBERNETES_VERSIONS:
        allowed = ", ".join(SUPPORTED_KUBERNETES_VERSIONS)
        raise ComponentInputError(
            _COMPONENT,
            "kubernetes_version",
            args.kubernetes_version,
            f"one of {allowed} (EKS standard support)",
        )
    if args.endpoint_public_access and not args.public_access_cidrs:
        raise ComponentInputError(
            _COMPONENT,
            "public_access_cidrs",
            list(args.public_access_cidrs),
            "at least one CIDR when endpoint_public_access is on (write '0.0.0.0/0' to allow any address)",
        )
    if not args.endpoint_public_access and args.public_access_cidrs:
        raise ComponentInputError(
            _COMPONENT,
            "public_access_cidrs",
            list(args.public_access_cidrs),
            "empty when endpoint_public_access is off",
        )
    for cidr in args.public_access_cidrs:
        try:
            ipaddress.IPv4Network(cidr, strict=True)
        except ValueError:
            raise ComponentInputError(
                _COMPONENT,
                "public_access_cidrs",
                cidr,
                "IPv4 CIDRs with no host bits set, such as '203.0.113.0/24'",
            ) from None
    for arn in args.admin_principal_arns:
        if not PRINCIPAL_ARN.fullmatch(arn):
            raise ComponentInputError(
                _COMPONENT, "admin_principal_arns", arn, "IAM role or user ARNs (not sts assumed-role ARNs)"
            )
    if colliding := colliding_admins(args.admin_principal_arns):
        raise ComponentInputError(_COMPONENT, "admin_principal_arns", colliding[0], DISTINCT_ADMINS)
    if not args.deploy_group or args.deploy_group.startswith("system:"):
        raise ComponentInputError(
            _COMPONENT,
            "deploy_group",
            args.deploy_group,
            "a non-empty Kubernetes group not starting with 'system:'",
        )
    check_log_retention(_COMPONENT, "log_retention_days", args.log_retention_days)
    names = [spec.name for spec in args.node_groups]
    for spec in args.node_groups:
        if names.count(spec.name) > 1:
            raise ComponentInputError(_COMPONENT, "node_groups.name", spec.name, "unique node group names")
        validate_node_group_spec(spec)
    if args.metadata_hop_limit not in (1, 2):
        raise ComponentInputError(_COMPONENT, "metadata_hop_limit", args.metadata_hop_limit, "1 or 2")
    for addon, version in args.addon_versions.items():
        if addon not in ADDONS:
            raise ComponentInputError(_COMPONENT, "addon_versions", addon, f"add-ons among {', '.join(ADDONS)}")
        if not ADDON_VERSION.fullmatch(version):
            raise ComponentInputError(
                _COMPONENT, f"addon_versions.{addon}", version, "an EKS add-on version such as 'v1.19.0-eksbuild.1'"
            )


def kubeconfig_json(cluster_name: str, endpoint: str, ca_data: str, region: str) -> str:
    """A kubeconfig that runs ``aws eks get-token`` for every request (no token expiring in 15 minutes)."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": cluster_name,
            "clusters": [
                {"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}
            ],
            "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
            "users": [
                {
                    "name": cluster_name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": ["eks", "get-token", "--cluster-name", cluster_name, "--region", region],
                            "interactiveMode": "Never",
                        }
                    },
                }
            ],
        }
    )


DISTINCT_ADMINS = "principals with distinct role or user names, and in one account distinct ignoring case as IAM"
"""What ``admin_principal_arns`` must be, for :func:`colliding_admins`."""


def colliding_admins(arns: Sequence[str]) -> list[str]:
    """The principal ARNs of ``arns`` that collide, in order: one role or user name twice (it keys the access
    entry's logical name), or, within one account, two names that differ only in case (IAM names are unique
    ignoring case, so they are one principal and EKS refuses its second access entry:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). Other ARNs are skipped."""
    principals = [(arn, m["account"], m["name"]) for arn in arns if (m := PRINCIPAL_ARN.fullmatch(arn))]

    def collide(a: tuple[str, str, str], b: tuple[str, str, str]) -> bool:
        return a[2] == b[2] or (a[1] == b[1] and a[2].lower() == b[2].lower())

    return [p[0] for i, p in enumerate(principals) if any(collide(p, q) for j, q in enumerate(principals) if i != j)]


def _principal_key(arn: str) -> str:
    match = PRINCIPAL_ARN.fullmatch(arn)
    return match["name"] if match else arn


def _issuer(identities: Sequence[Any]) -> str:
    oidcs = identities[0].oidcs or []
    return str(oidcs[0].issuer)


def _secrets_key_policy(key_arn: pulumi.Input[str]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EnvelopeEncryptSecrets",
                "Effect": "Allow",
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:DescribeKey",
                    "kms:ListGrants",
                    "kms:CreateGrant",
                ],
                "Resource": key_arn,
            }
        ],
    }
