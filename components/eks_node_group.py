"""One EKS managed node group on a launch template: IMDSv2, encrypted gp3 root, AMI per architecture."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.naming import PREFIX_SUFFIX

_COMPONENT = "EksNodeGroup"
_INSTANCE_TYPE = re.compile(r"(?P<family>[a-z]+\d+(?P<attributes>[a-z]*)(?:-[a-z0-9]+)?)\.(?P<size>[a-z0-9-]+)")
_GROUP_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?")
_TAINT_EFFECTS = ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE")
_CAPACITY_TYPES = ("ON_DEMAND", "SPOT")
ARM_AMI = "AL2023_ARM_64_STANDARD"
X86_AMI = "AL2023_x86_64_STANDARD"


@dataclass(frozen=True, kw_only=True)
class NodeTaint:
    """A Kubernetes taint every node of the group carries."""

    key: str
    """Taint key."""
    value: str = ""
    """Taint value (may be empty)."""
    effect: str = "NO_SCHEDULE"
    """``NO_SCHEDULE``, ``NO_EXECUTE`` or ``PREFER_NO_SCHEDULE``."""


@dataclass(frozen=True, kw_only=True)
class NodeGroupSpec:
    """What one managed node group looks like; the cluster adds the roles, subnets and key."""

    name: str
    """Short stable key (lowercase letters, digits, '-', up to 32): part of logical names, never an index."""
    instance_types: tuple[str, ...]
    """EC2 instance types (``family.size``), all of one architecture; several spread Spot interruptions."""
    capacity_type: str = "ON_DEMAND"
    """``ON_DEMAND`` or ``SPOT``."""
    min_size: int = 1
    """Fewest nodes."""
    desired_size: int = 1
    """Nodes at creation; afterwards autoscalers own it (``scalingConfig.desiredSize`` is ignored)."""
    max_size: int = 3
    """Most nodes (at least 1)."""
    disk_size_gib: int = 20
    """Root volume size in GiB (encrypted gp3)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Kubernetes labels on every node."""
    taints: tuple[NodeTaint, ...] = ()
    """Kubernetes taints on every node."""


@dataclass(frozen=True, kw_only=True)
class EksNodeGroupArgs:
    """Inputs of :class:`EksNodeGroup`."""

    spec: NodeGroupSpec
    """The group's shape."""
    cluster_name: pulumi.Input[str]
    """The EKS cluster to join."""
    node_role_arn: pulumi.Input[str]
    """Node IAM role (its managed policies must be attached first: pass them as ``depends_on``)."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets, in at least two Availability Zones."""
    kms_key_arn: pulumi.Input[str]
    """The stage KMS key that encrypts the root volumes."""
    metadata_hop_limit: int = 1
    """IMDSv2 response hop limit: 1 keeps pods (other than host-network ones) away from the node role; 2 lets
    pods reach IMDS, needed only by workloads without IRSA or Pod Identity."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the node group, launch template, instances and volumes."""


class EksNodeGroup(pulumi.ComponentResource):
    """A managed node group on a launch template that requires IMDSv2 and encrypts the root volume.

    ``depends_on`` given in ``opts`` also applies to the node group itself, so it waits for the node role's
    policy attachments (a component's ``depends_on`` does not reach its children).
    """

    node_group_name: pulumi.Output[str]
    """The node group's physical name."""
    ami_type: str
    """The AMI type chosen from the instance architecture."""

    def __init__(self, name: str, args: EksNodeGroupArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:compute:EksNodeGroup", name, None, opts)
        validate_node_group_spec(args.spec)
        if args.metadata_hop_limit not in (1, 2):
            raise ComponentInputError(_COMPONENT, "metadata_hop_limit", args.metadata_hop_limit, "1 or 2")
        spec = args.spec
        self.ami_type = ami_type_for(spec.instance_types)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            description=f"EKS node group {spec.name}: IMDSv2 required, encrypted gp3 root volume",
            update_default_version=True,
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=args.metadata_hop_limit,
            ),
            # AL2023 EKS AMIs boot from /dev/xvda; mapping it replaces the AMI's unencrypted default.
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=spec.disk_size_gib,
                        volume_type="gp3",
                        encrypted="true",
                        kms_key_id=args.kms_key_arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=tags)
                for kind in ("instance", "volume", "network-interface")
            ],
            tags=tags,
            opts=child,
        )
        # A name prefix, not Pulumi's auto-name: the bridge auto-names node groups up to 255 characters, but EKS
        # takes 63 (logical name + 8 of a long stage overflow it). Terraform appends 26 characters to the prefix,
        # so a group name of up to 32 fits, and a replaced group (new instance types) gets a fresh name.
        # https://github.com/pulumi/pulumi-aws/blob/master/provider/resource_overrides.go (aws_eks_node_group)
        node_group = aws.eks.NodeGroup(
            f"{name}-nodes",
            node_group_name_prefix=node_group_name_prefix(spec.name),
            cluster_name=args.cluster_name,
            node_role_arn=args.node_role_arn,
            subnet_ids=args.subnet_ids,
            instance_types=list(spec.instance_types),
            capacity_type=spec.capacity_type,
            ami_type=self.ami_type,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=spec.min_size, desired_size=spec.desired_size, max_size=spec.max_size
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            node_repair_config=aws.eks.NodeGroupNodeRepairConfigArgs(enabled=True),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            labels=dict(spec.labels),
            taints=[aws.eks.NodeGroupTaintArgs(key=t.key, value=t.value or None, effect=t.effect) for t in spec.taints],
            tags=tags,
            opts=child.merge(
                pulumi.ResourceOptions(
                    depends_on=opts.depends_on if opts else None, ignore_changes=["scalingConfig.desiredSize"]
                )
            ),
        )

        self.node_group_name = node_group.node_group_name
        self.register_outputs({"node_group_name": self.node_group_name})


NAME_PREFIX_SUFFIX = PREFIX_SUFFIX
"""Characters Terraform appends to ``node_group_name_prefix`` (``id.PrefixedUniqueId``)."""


def node_group_name_prefix(group: str) -> str:
    """The EKS node group name prefix of group ``group``: ``<group>-``, EKS adds :data:`NAME_PREFIX_SUFFIX`."""
    return f"{group}-"


def is_arm_instance_type(instance_type: str) -> bool:
    """Whether ``instance_type`` is a Graviton (arm64) type: a ``g`` among the family's attribute letters
    (``m7g``, ``c7gn``, ``r8gd``, ``t4g``, ``is4gen``) or the first-generation ``a1``."""
    match = _INSTANCE_TYPE.fullmatch(instance_type)
    if match is None:
        raise ValueError(f"not an instance type: {instance_type!r}")
    return "g" in match["attributes"] or match["family"] == "a1"


def ami_type_for(instance_types: Sequence[str]) -> str:
    """The AL2023 AMI type for the architecture of ``instance_types`` (all must share one)."""
    return ARM_AMI if is_arm_instance_type(instance_types[0]) else X86_AMI


def validate_node_group_spec(spec: NodeGroupSpec) -> None:
    """Raise :class:`ComponentInputError` for the first field EKS would reject or that makes no sense."""

    def fail(argument: str, value: object, allowed: str) -> None:
        raise ComponentInputError(_COMPONENT, f"node_groups[{spec.name}].{argument}", value, allowed)

    if not _GROUP_NAME.fullmatch(spec.name):
        raise ComponentInputError(
            _COMPONENT, "node_groups.name", spec.name, "lowercase letters, digits and '-', 1-32 characters"
        )
    if not spec.instance_types:
        fail("instance_types", spec.instance_types, "at least one instance type")
    for instance_type in spec.instance_types:
        if not _INSTANCE_TYPE.fullmatch(instance_type):
            fail("instance_types", instance_type, "an EC2 instance type 'family.size', such as 'm7g.large'")
    architectures = {is_arm_instance_type(t) for t in spec.instance_types}
    if len(architectures) > 1:
        fail("instance_types", list(spec.instance_types), "types of one architecture (all Graviton or all x86)")
    if spec.capacity_type not in _CAPACITY_TYPES:
        fail("capacity_type", spec.capacity_type, "'ON_DEMAND' or 'SPOT'")
    if spec.max_size < 1:
        fail("max_size", spec.max_size, "at least 1")
    if not 0 <= spec.min_size <= spec.desired_size <= spec.max_size:
        sizes = (spec.min_size, spec.desired_size, spec.max_size)
        fail("min_size/desired_size/max_size", sizes, "0 <= min_size <= desired_size <= max_size")
    if not 20 <= spec.disk_size_gib <= 16384:
        fail("disk_size_gib", spec.disk_size_gib, "20-16384 GiB")
    for taint in spec.taints:
        if taint.effect not in _TAINT_EFFECTS:
            fail("taints", taint.effect, "'NO_SCHEDULE', 'NO_EXECUTE' or 'PREFER_NO_SCHEDULE'")
