"""Kubernetes namespaces of a stage: Pod Security labels, quota, limits, deny-by-default ingress, RBAC."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import pulumi
import pulumi_kubernetes as k8s

from components.errors import ComponentInputError
from components.naming import name_problems

_COMPONENT = "Namespaces"
POD_SECURITY_LEVELS = ("privileged", "baseline", "restricted")
_QUANTITY = re.compile(r"(?P<number>\d+(?:\.\d*)?|\.\d+)(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?")
_SUFFIX = {
    "": Decimal(1),
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    **{s: Decimal(1000) ** (i + 1) for i, s in enumerate("kMGTPE")},
    **{f"{s}i": Decimal(1024) ** (i + 1) for i, s in enumerate("KMGTPE")},
}
_PSA_VERSION = re.compile(r"latest|v1\.\d{1,2}")
_EDIT = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
_READ = ["get", "list", "watch"]
_DEPLOYER_RULES: tuple[tuple[str, tuple[str, ...], list[str]], ...] = (
    ("", ("configmaps", "persistentvolumeclaims", "pods", "secrets", "serviceaccounts", "services"), _EDIT),
    ("", ("events", "limitranges", "pods/log", "pods/status", "resourcequotas"), _READ),
    (
        "apps",
        ("deployments", "deployments/scale", "replicasets", "statefulsets", "statefulsets/scale"),
        _EDIT,
    ),
    ("batch", ("cronjobs", "jobs"), _EDIT),
    ("autoscaling", ("horizontalpodautoscalers",), _EDIT),
    ("policy", ("poddisruptionbudgets",), _EDIT),
    ("networking.k8s.io", ("ingresses",), _EDIT),
    ("networking.k8s.io", ("networkpolicies",), _READ),
)


@dataclass(frozen=True, kw_only=True)
class NamespaceQuota:
    """The namespace's ResourceQuota: totals over all its pods (Kubernetes quantities)."""

    requests_cpu: str = "2"
    """``requests.cpu``, such as ``2`` or ``1500m``."""
    requests_memory: str = "4Gi"
    """``requests.memory``, such as ``4Gi``."""
    limits_cpu: str = "4"
    """``limits.cpu``."""
    limits_memory: str = "8Gi"
    """``limits.memory``."""
    pods: int = 50
    """Most pods (at least 1)."""


@dataclass(frozen=True, kw_only=True)
class ContainerDefaults:
    """The namespace's LimitRange: what a container gets when its spec sets no requests or limits."""

    default_request_cpu: str = "100m"
    """Default CPU request."""
    default_request_memory: str = "128Mi"
    """Default memory request."""
    default_cpu: str = "500m"
    """Default CPU limit (at least the request)."""
    default_memory: str = "512Mi"
    """Default memory limit (at least the request)."""


@dataclass(frozen=True, kw_only=True)
class NamespaceSpec:
    """One namespace."""

    name: str
    """Namespace name, a DNS-1123 label (such as ``shop-staging``)."""
    quota: NamespaceQuota = field(default_factory=NamespaceQuota)
    """Resource quota."""
    container_defaults: ContainerDefaults = field(default_factory=ContainerDefaults)
    """LimitRange defaults for containers."""
    allow_ingress_from: tuple[str, ...] = ()
    """Other namespaces whose pods may connect (an ingress controller's, for example)."""
    pod_security: str = "restricted"
    """Pod Security Admission level enforced (and audited, warned): privileged, baseline or restricted."""


@dataclass(frozen=True, kw_only=True)
class NamespacesArgs:
    """Inputs of :class:`Namespaces`."""

    provider: k8s.Provider
    """The cluster's Kubernetes provider; every object is created through it, never an ambient kubeconfig."""
    namespaces: Sequence[NamespaceSpec]
    """The namespaces, keyed by name."""
    deploy_group: str = "stagecraft:deployers"
    """Kubernetes group (from the deploy role's access entry) bound to the deployer Role in each namespace."""
    pod_security_version: str = "latest"
    """Pod Security standard version labels (``latest`` or ``v1.NN``; pin to the cluster's minor version)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Extra labels on every namespace."""


class Namespaces(pulumi.ComponentResource):
    """For each namespace: the Namespace with Pod Security Admission labels, a ResourceQuota, a LimitRange,
    NetworkPolicies (deny ingress by default; allow the same and the listed namespaces), and a Role and
    RoleBinding that let the deploy group manage workloads in that namespace only."""

    names: pulumi.Output[list[str]]
    """The namespace names, in the order given."""

    def __init__(self, name: str, args: NamespacesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:compute:Namespaces", name, None, opts)
        validate_namespaces_args(args)
        created = [self._namespace(f"{name}-{spec.name}", spec, args) for spec in args.namespaces]
        self.names = pulumi.Output.all(*[ns.metadata.name for ns in created]).apply(lambda v: [str(n) for n in v])
        self.register_outputs({"names": self.names})

    def _namespace(self, key: str, spec: NamespaceSpec, args: NamespacesArgs) -> k8s.core.v1.Namespace:
        opts = pulumi.ResourceOptions(parent=self, provider=args.provider)
        psa = {
            f"pod-security.kubernetes.io/{mode}{suffix}": value
            for mode in ("enforce", "audit", "warn")
            for suffix, value in (("", spec.pod_security), ("-version", args.pod_security_version))
        }
        namespace = k8s.core.v1.Namespace(
            key,
            metadata=k8s.meta.v1.ObjectMetaArgs(name=spec.name, labels={**args.labels, **psa}),
            opts=opts,
        )
        ns = namespace.metadata.name
        inside = opts.merge(pulumi.ResourceOptions(depends_on=[namespace]))

        def meta(object_name: str) -> k8s.meta.v1.ObjectMetaArgs:
            return k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=ns)

        quota = spec.quota
        k8s.core.v1.ResourceQuota(
            f"{key}-quota",
            metadata=meta("stage-quota"),
            spec=k8s.core.v1.ResourceQuotaSpecArgs(
                hard={
                    "requests.cpu": quota.requests_cpu,
                    "requests.memory": quota.requests_memory,
                    "limits.cpu": quota.limits_cpu,
                    "limits.memory": quota.limits_memory,
                    "pods": str(quota.pods),
                }
            ),
            opts=inside,
        )
        defaults = spec.container_defaults
        k8s.core.v1.LimitRange(
            f"{key}-limits",
            metadata=meta("container-defaults"),
            spec=k8s.core.v1.LimitRangeSpecArgs(
                limits=[
                    k8s.core.v1.LimitRangeItemArgs(
                        type="Container",
                        default={"cpu": defaults.default_cpu, "memory": defaults.default_memory},
                        default_request={
                            "cpu": defaults.default_request_cpu,
                            "memory": defaults.default_request_memory,
                        },
                    )
                ]
            ),
            opts=inside,
        )

        all_pods = k8s.meta.v1.LabelSelectorArgs()
        policies: list[tuple[str, list[k8s.networking.v1.NetworkPolicyIngressRuleArgs]]] = [
            ("default-deny-ingress", []),
            (
                "allow-same-namespace",
                [_ingress_from(k8s.networking.v1.NetworkPolicyPeerArgs(pod_selector=all_pods))],
            ),
        ]
        for source in spec.allow_ingress_from:
            selector = k8s.meta.v1.LabelSelectorArgs(match_labels={"kubernetes.io/metadata.name": source})
            peer = k8s.networking.v1.NetworkPolicyPeerArgs(namespace_selector=selector)
            policies.append((f"allow-from-{source}", [_ingress_from(peer)]))
        for policy_name, ingress in policies:
            k8s.networking.v1.NetworkPolicy(
                f"{key}-{policy_name}",
                metadata=meta(policy_name),
                spec=k8s.networking.v1.NetworkPolicySpecArgs(
                    pod_selector=all_pods, policy_types=["Ingress"], ingress=ingress
                ),
                opts=inside,
            )

        role = k8s.rbac.v1.Role(
            f"{key}-deployer-role",
            metadata=meta("deployer"),
            rules=[
                k8s.rbac.v1.PolicyRuleArgs(api_groups=[group], resources=list(resources), verbs=verbs)
                for group, resources, verbs in _DEPLOYER_RULES
            ],
            opts=inside,
        )
        k8s.rbac.v1.RoleBinding(
            f"{key}-deployer-binding",
            metadata=meta("deployer"),
            role_ref=k8s.rbac.v1.RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="Role", name="deployer"),
            subjects=[
                k8s.rbac.v1.SubjectArgs(kind="Group", name=args.deploy_group, api_group="rbac.authorization.k8s.io")
            ],
            opts=inside.merge(pulumi.ResourceOptions(depends_on=[role])),
        )
        return namespace


def parse_quantity(value: str) -> Decimal:
    """The value of a non-negative Kubernetes quantity (``4``, ``500m``, ``8Gi``), else ValueError."""
    match = _QUANTITY.fullmatch(value)
    if match is None:
        raise ValueError(f"not a Kubernetes quantity: {value!r}")
    suffix = match["suffix"] or ""
    if suffix[:1] in ("e", "E"):
        return Decimal(match["number"]) * Decimal(10) ** int(suffix[1:])
    return Decimal(match["number"]) * _SUFFIX[suffix]


def validate_namespaces_args(args: NamespacesArgs) -> None:
    """Raise :class:`ComponentInputError` for the first value Kubernetes would reject."""
    if not args.deploy_group or args.deploy_group.startswith("system:"):
        raise ComponentInputError(
            _COMPONENT,
            "deploy_group",
            args.deploy_group,
            "a non-empty Kubernetes group not starting with 'system:'",
        )
    if not _PSA_VERSION.fullmatch(args.pod_security_version):
        raise ComponentInputError(
            _COMPONENT,
            "pod_security_version",
            args.pod_security_version,
            "'latest' or 'v1.NN', such as 'v1.35'",
        )
    names = [spec.name for spec in args.namespaces]
    for spec in args.namespaces:
        _validate_spec(spec, names)


def _validate_spec(spec: NamespaceSpec, names: list[str]) -> None:
    def fail(argument: str, value: object, allowed: str) -> None:
        raise ComponentInputError(_COMPONENT, f"namespaces[{spec.name}].{argument}", value, allowed)

    problems = name_problems("k8s-namespace", spec.name)
    if problems:
        raise ComponentInputError(_COMPONENT, "namespaces.name", spec.name, "; ".join(problems))
    if names.count(spec.name) > 1:
        raise ComponentInputError(_COMPONENT, "namespaces.name", spec.name, "unique namespace names")
    if spec.pod_security not in POD_SECURITY_LEVELS:
        fail("pod_security", spec.pod_security, "one of 'privileged', 'baseline', 'restricted'")
    for source in spec.allow_ingress_from:
        source_problems = name_problems("k8s-namespace", source)
        if source_problems:
            fail("allow_ingress_from", source, "; ".join(source_problems))
    if spec.allow_ingress_from.count(spec.name) or len(set(spec.allow_ingress_from)) < len(spec.allow_ingress_from):
        fail("allow_ingress_from", list(spec.allow_ingress_from), "distinct namespaces other than itself")
    quantities = {
        "quota.requests_cpu": spec.quota.requests_cpu,
        "quota.requests_memory": spec.quota.requests_memory,
        "quota.limits_cpu": spec.quota.limits_cpu,
        "quota.limits_memory": spec.quota.limits_memory,
        "container_defaults.default_request_cpu": spec.container_defaults.default_request_cpu,
        "container_defaults.default_request_memory": spec.container_defaults.default_request_memory,
        "container_defaults.default_cpu": spec.container_defaults.default_cpu,
        "container_defaults.default_memory": spec.container_defaults.default_memory,
    }
    parsed: dict[str, Decimal] = {}
    for argument, value in quantities.items():
        try:
            parsed[argument] = parse_quantity(value)
        except ValueError:
            fail(argument, value, "a Kubernetes quantity such as '4', '500m', '1.5', '256Mi' or '8Gi'")
    if spec.quota.pods < 1:
        fail("quota.pods", spec.quota.pods, "at least 1")
    for resource in ("cpu", "memory"):
        request = f"container_defaults.default_request_{resource}"
        limit = f"container_defaults.default_{resource}"
        if parsed[request] > parsed[limit]:
            fail(request, quantities[request], f"at most default_{resource} ({quantities[limit]})")
        if parsed[limit] > parsed[f"quota.limits_{resource}"]:
            fail(
                limit,
                quantities[limit],
                f"at most quota.limits_{resource} ({quantities[f'quota.limits_{resource}']})",
            )


def _ingress_from(
    peer: k8s.networking.v1.NetworkPolicyPeerArgs,
) -> k8s.networking.v1.NetworkPolicyIngressRuleArgs:
    return k8s.networking.v1.NetworkPolicyIngressRuleArgs(from_=[peer])
