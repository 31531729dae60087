"""Every physical name valid for its service, including the names Pulumi and the provider generate.

A name AWS, GitHub or Kubernetes rejects fails a ``pulumi up`` at create time, after everything before it
exists. The name a resource gets is one of:

- its name input, when the program sets it;
- its name-prefix input plus the 26 characters Terraform's ``id.PrefixedUniqueId`` appends
  (https://github.com/hashicorp/terraform-plugin-sdk/blob/main/helper/id/id.go, ``UniqueIDSuffixLength``);
- otherwise Pulumi's auto-name: the logical name, ``-`` and 7 random hex characters
  (https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming). The bridge fills it only up to a
  length it is told (255 unless overridden, 64 for IAM roles,
  https://github.com/pulumi/pulumi-aws/blob/master/provider/autonaming.go and ``resource_overrides.go``); it
  does not know EKS's 63 for node groups, so an overlong one reaches the API. pulumi-kubernetes appends ``-``
  and 8 random characters to ``metadata.name``
  (https://github.com/pulumi/pulumi-kubernetes/blob/master/provider/pkg/metadata/naming.go).
"""

from __future__ import annotations

from dataclasses import dataclass

from components.naming import AUTONAME_SUFFIX, auto_name, name_problems, prefixed_name
from components.naming import RULES as NAME_RULES
from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.rules._util import as_map, label
from stagecraft.rules.model import MANDATORY, Rule

PULUMI_AUTONAME_SUFFIX = AUTONAME_SUFFIX
KUBERNETES_AUTONAME_SUFFIX = 9
"""``-`` and 8 characters pulumi-kubernetes appends to a logical name."""


@dataclass(frozen=True)
class NameInput:
    """Where one resource type keeps its physical name, and the service rule the name must meet."""

    kind: str
    """A key of ``components.naming.RULES``."""
    name: str
    """The input holding the name (a ``metadata.`` path for Kubernetes objects)."""
    prefix: str | None = None
    """The input holding a name prefix, when the type has one."""
    auto: int | None = None
    """Characters the auto-name appends to the logical name, when the name may be left unset."""


_K8S = NameInput("k8s-name", "metadata.name", auto=KUBERNETES_AUTONAME_SUFFIX)

PHYSICAL_NAMES: dict[str, NameInput] = {
    "aws:cloudwatch/logGroup:LogGroup": NameInput("log-group", "name", "namePrefix", PULUMI_AUTONAME_SUFFIX),
    "aws:codebuild/project:Project": NameInput("codebuild-project", "name", auto=PULUMI_AUTONAME_SUFFIX),
    "aws:codeconnections/connection:Connection": NameInput(
        "codeconnections-connection", "name", auto=PULUMI_AUTONAME_SUFFIX
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": NameInput("launch-template", "name", "namePrefix", PULUMI_AUTONAME_SUFFIX),
    "aws:ec2/securityGroup:SecurityGroup": NameInput("security-group", "name", "namePrefix", PULUMI_AUTONAME_SUFFIX),
    "aws:ecr/repository:Repository": NameInput("ecr-repository", "name", auto=PULUMI_AUTONAME_SUFFIX),
    "aws:ecs/cluster:Cluster": NameInput("ecs-cluster", "name", auto=PULUMI_AUTONAME_SUFFIX),
    "aws:ecs/taskDefinition:TaskDefinition": NameInput("ecs-task-family", "family"),
    "aws:eks/cluster:Cluster": NameInput("eks-cluster", "name", auto=PULUMI_AUTONAME_SUFFIX),
    "aws:eks/nodeGroup:NodeGroup": NameInput(
        "eks-nodegroup", "nodeGroupName", "nodeGroupNamePrefix", PULUMI_AUTONAME_SUFFIX
    ),
    "aws:iam/role:Role": NameInput("iam-role", "name", "namePrefix", PULUMI_AUTONAME_SUFFIX),
    "aws:iam/rolePolicy:RolePolicy": NameInput("iam-role-policy", "name", "namePrefix", PULUMI_AUTONAME_SUFFIX),
    "aws:kms/alias:Alias": NameInput("kms-alias", "name", "namePrefix"),
    "aws:rds/instance:Instance": NameInput("rds-identifier", "identifier", "identifierPrefix"),
    "aws:rds/parameterGroup:ParameterGroup": NameInput(
        "rds-parameter-group", "name", "namePrefix", PULUMI_AUTONAME_SUFFIX
    ),
    "aws:rds/subnetGroup:SubnetGroup": NameInput("rds-subnet-group", "name", "namePrefix", PULUMI_AUTONAME_SUFFIX),
    "aws:s3/bucket:Bucket": NameInput("s3-bucket", "bucket", "bucketPrefix"),
    "github:index/repositoryEnvironment:RepositoryEnvironment": NameInput("github-environment", "environment"),
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": NameInput("github-secret", "secretName"),
    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": NameInput("github-variable", "variableName"),
    "github:index/actionsSecret:ActionsSecret": NameInput("github-secret", "secretName"),
    "github:index/actionsVariable:ActionsVariable": NameInput("github-variable", "variableName"),
    "kubernetes:core/v1:Namespace": NameInput("k8s-namespace", "metadata.name", auto=KUBERNETES_AUTONAME_SUFFIX),
    "kubernetes:core/v1:ServiceAccount": _K8S,
    "kubernetes:core/v1:ResourceQuota": _K8S,
    "kubernetes:core/v1:LimitRange": _K8S,
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": _K8S,
    "kubernetes:rbac.authorization.k8s.io/v1:Role": _K8S,
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": _K8S,
}
"""The named resource types of every layer, with where each keeps its name (a test keeps it complete)."""


def physical_name(resource: RecordedResource) -> str | None:
    """The name ``resource`` gets in its service; ``None`` when the type is not named or the name is unknown yet.

    A prefixed name is shown with ``x`` standing for the characters the provider appends; an auto-name with
    ``0`` for Pulumi's random characters.
    """
    spec = PHYSICAL_NAMES.get(resource.type)
    if spec is None:
        return None
    head, _, leaf = spec.name.rpartition(".")
    holder = as_map(resource.inputs.get(head)) if head else resource.inputs
    value = holder.get(leaf)
    if isinstance(value, str):
        return value
    prefix = resource.inputs.get(spec.prefix) if spec.prefix else None
    if isinstance(prefix, str):
        return prefixed_name(prefix)
    if value is None and spec.auto is not None:
        return auto_name(resource.name, spec.auto)
    return None


def _name_problems(inventory: Inventory) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for resource in inventory.resources:
        name = physical_name(resource)
        if name is None:
            continue
        spec = PHYSICAL_NAMES[resource.type]
        for problem in name_problems(spec.kind, name):
            source = NAME_RULES[spec.kind].source
            found.append((resource.urn, f"{label(resource)}: {problem} ({source})"))
    return found


RULES = (
    Rule(
        "physical-name-valid",
        "Every physical name (set, prefixed or auto-named from the logical name) meets its service's length and "
        "character rules.",
        "stagecraft",
        "https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming",
        MANDATORY,
        stack_check=_name_problems,
    ),
)
