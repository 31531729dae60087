"""A ``MockMonitor`` that records every ``RegisterResourceRequest`` the way the engine would see it."""

from __future__ import annotations

from typing import Any

import pulumi
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor

from stagecraft.plan.inventory import SECRET, RecordedResource

_STACK_TYPE = "pulumi:pulumi:Stack"


def _redact(value: Any) -> Any:
    """Replace every secret-wrapped value with :data:`SECRET`, recursively."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return SECRET
        return {k: _redact(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def wire_inputs(struct: struct_pb2.Struct) -> dict[str, Any]:
    """Engine wire-format inputs with secrets redacted (camelCase names, as a provider sees them)."""
    raw = json_format.MessageToDict(struct)
    return {k: _redact(v) for k, v in sorted(raw.items()) if not k.startswith("__")}


class RecordingMonitor(MockMonitor):
    """Records what each registration asks of the engine: inputs, parent, provider, options, dependencies.

    URNs follow the real engine's shape: resources parented by the stack carry no ``Stack$`` prefix.
    """

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []
        self.stack_urn = ""

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        if parent == self.stack_urn:
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == _STACK_TYPE:
            self.stack_urn = response.urn
            return response
        dependencies = set(request.dependencies)
        for deps in request.propertyDependencies.values():
            dependencies.update(deps.urns)
        parent = request.parent if request.parent and request.parent != self.stack_urn else None
        provider = request.provider.rsplit("::", 1)[0] if request.provider else None
        self.recorded.append(
            RecordedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                parent=parent,
                custom=bool(request.custom),
                provider=provider,
                inputs=wire_inputs(request.object),
                dependencies=tuple(sorted(d for d in dependencies if d != self.stack_urn)),
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                ignore_changes=tuple(request.ignoreChanges),
                delete_before_replace=bool(request.deleteBeforeReplace),
            )
        )
        return response
