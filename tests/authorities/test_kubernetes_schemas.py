"""Every Kubernetes object the cluster layer sends, validated by kubernetes-validate in strict mode.

kubernetes-validate carries the OpenAPI schemas of each Kubernetes release; strict mode also rejects fields the
schema does not define (a misspelt ``namespaceSelector`` would otherwise be dropped by the API server in
silence). Objects are validated at the cluster's own Kubernetes version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from infra.config.stackfiles import load_stack
from stagecraft.plan.inventory import RecordedResource
from tests.conftest import RunProgram
from tests.infra.test_cluster import _config, _objects
from tests.shipped import shipped_plan_of

ROOT = Path(__file__).resolve().parents[2]


def _objects_of(resources: list[RecordedResource]) -> list[tuple[str, dict[str, Any]]]:
    found = [(r.name, r.inputs) for r in resources if r.type.startswith("kubernetes:")]
    assert found, "no Kubernetes object to validate"
    return found


def _validate(name: str, body: dict[str, Any], version: str) -> None:
    try:
        kubernetes_validate.validate(body, f"{version}.0", strict=True)
    except kubernetes_validate.ValidationError as exc:
        pytest.fail(f"{name} ({body.get('kind')}) at Kubernetes {version}: {exc.message} at {list(exc.path)}")


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_the_shipped_cluster_stacks_objects_are_valid_at_the_clusters_version(stack: str) -> None:
    stage = load_stack(ROOT, stack).values["stagecraft:stage"]
    plan = shipped_plan_of(ROOT / "cluster", stack)
    version = plan.config.stage.settings.compute.eks.kubernetes_version  # type: ignore[union-attr]
    assert stage["compute"]["eks"]["enabled"] is True
    for name, body in _objects_of(plan.inventory.resources):
        _validate(name, body, version)


@pytest.mark.parametrize("profile", ["development", "staging", "production"])
def test_every_profiles_objects_are_valid(run: RunProgram, profile: str) -> None:
    namespaces = [
        {"allow_ingress_from": ["ingress-nginx"]},
        {"name": "jobs", "quota": {"pods": 20}, "pod_security": "restricted"},
    ]
    config = _config(profile, compute={"namespaces": namespaces} if profile != "production" else {})
    inventory, _ = _objects(run, config)
    for name, body in _objects_of(inventory.resources):
        _validate(name, body, config.settings.compute.eks.kubernetes_version)


def test_strict_validation_catches_an_unknown_field() -> None:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "lables": {"a": "b"}}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(body, "1.35.0", strict=True)
