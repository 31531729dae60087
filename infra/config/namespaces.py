"""``stagecraft:stage.compute.namespaces``: the stage's Kubernetes namespaces, their quotas and defaults."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from components.namespaces import parse_quantity
from components.naming import RULES
from infra.config.base import Settings
from infra.config.errors import yaml_value

PodSecurity = Literal["privileged", "baseline", "restricted"]
_QUANTITY_HINT = "must be a Kubernetes quantity such as '4', '500m', '1.5', '256Mi' or '8Gi'"


def _dns_label(value: str) -> str:
    if RULES["k8s-namespace"].problems(value):
        raise ValueError(
            "must be a DNS-1123 label: 1-63 lowercase letters, digits and '-', starting and ending with a letter "
            "or digit"
        )
    return value


def _quantity(value: object) -> object:
    """YAML reads ``cpu: 4`` as a number: accept whole numbers, keep every quantity as a string."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        try:
            if parse_quantity(value) > 0:
                return value
        except ValueError:
            pass
        raise ValueError(_QUANTITY_HINT + ", greater than zero")
    return value


class QuotaSettings(Settings):
    """A namespace's ResourceQuota: totals over all its pods."""

    requests_cpu: str = "2"
    """``requests.cpu``."""
    requests_memory: str = "4Gi"
    """``requests.memory``."""
    limits_cpu: str = "4"
    """``limits.cpu``."""
    limits_memory: str = "8Gi"
    """``limits.memory``."""
    pods: int = 50
    """Most pods."""

    _quantities = field_validator("requests_cpu", "requests_memory", "limits_cpu", "limits_memory", mode="before")(
        _quantity
    )

    @field_validator("pods")
    @classmethod
    def _pods(cls, value: int) -> int:
        if not 1 <= value <= 10_000:
            raise ValueError("must be 1-10000 pods")
        return value


class ContainerDefaultsSettings(Settings):
    """A namespace's LimitRange: what a container gets when it sets no requests or limits."""

    default_request_cpu: str = "100m"
    """CPU request."""
    default_request_memory: str = "128Mi"
    """Memory request."""
    default_cpu: str = "500m"
    """CPU limit."""
    default_memory: str = "512Mi"
    """Memory limit."""

    _quantities = field_validator(
        "default_request_cpu", "default_request_memory", "default_cpu", "default_memory", mode="before"
    )(_quantity)


class NamespaceSettings(Settings):
    """One Kubernetes namespace of the stage."""

    name: str | None = None
    """DNS-1123 label; default ``<app>-<stage>``."""
    quota: QuotaSettings = Field(default_factory=QuotaSettings)
    """Resource quota."""
    container_defaults: ContainerDefaultsSettings = Field(default_factory=ContainerDefaultsSettings)
    """Container requests and limits when a pod sets none."""
    allow_ingress_from: list[str] = Field(default_factory=list)
    """Other namespaces whose pods may connect (an ingress controller's, e.g. ``ingress-nginx``)."""
    pod_security: PodSecurity | None = None
    """Pod Security level enforced; default ``compute.pod_security``, never weaker than it."""

    _name = field_validator("name")(_dns_label)

    @field_validator("allow_ingress_from")
    @classmethod
    def _sources(cls, value: list[str]) -> list[str]:
        for item in value:
            _dns_label(item)
        if len(set(value)) != len(value):
            raise ValueError("namespaces must be unique")
        return value


def quantity_problems(key: str, ns: NamespaceSettings) -> list[tuple[str, str]]:
    q, d = ns.quota, ns.container_defaults
    pairs = [
        ("quota.requests_cpu", q.requests_cpu, "quota.limits_cpu", q.limits_cpu),
        ("quota.requests_memory", q.requests_memory, "quota.limits_memory", q.limits_memory),
        (
            "container_defaults.default_request_cpu",
            d.default_request_cpu,
            "container_defaults.default_cpu",
            d.default_cpu,
        ),
        (
            "container_defaults.default_request_memory",
            d.default_request_memory,
            "container_defaults.default_memory",
            d.default_memory,
        ),
        ("container_defaults.default_cpu", d.default_cpu, "quota.limits_cpu", q.limits_cpu),
        ("container_defaults.default_memory", d.default_memory, "quota.limits_memory", q.limits_memory),
    ]
    found = []
    for small_key, small, big_key, big in pairs:
        if parse_quantity(small) > parse_quantity(big):
            found.append((f"{key}.{small_key}", f"{yaml_value(small)} is more than {big_key} ({yaml_value(big)})"))
    return found
