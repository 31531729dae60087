"""A ``MockMonitor`` that records every ``RegisterResourceRequest`` the way the engine would see it."""

from __future__ import annotations

from typing import Any

import pulumi
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.sync_await import _sync_await

from stagecraft.plan.inventory import SECRET, RecordedResource
from stagecraft.plan.references import References, SourceIndex, plain_wire

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
        self.sources = SourceIndex.from_config(pulumi.runtime.config.CONFIG.get())
        """What the mocks minted so far (ids, outputs, invoke results): the provenance of later inputs."""

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        if parent == self.stack_urn:
            parent = ""
        return super().make_urn(parent, type_, name)

    def Invoke(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().Invoke(request)  # type: ignore[no-untyped-call]
        if request.tok != "pulumi:pulumi:getResource":
            args = plain_wire(json_format.MessageToDict(request.args))
            self.sources.add_invoke(
                request.tok, args, plain_wire(json_format.MessageToDict(getattr(response, "return")))
            )
        return response

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        # A StackReference is read, not registered (it sets opts.id): it is no resource of the plan, but
        # its outputs are values another stack computed.
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        self.sources.add_resource(
            response.urn,
            request.type,
            request.name,
            request.parent if request.parent and request.parent != self.stack_urn else None,
            plain_wire(json_format.MessageToDict(request.properties)),
            request.id,
            plain_wire(json_format.MessageToDict(response.properties)),
        )
        return response

    def output_references(self, exported: dict[str, Any]) -> References:
        """The computed values in the stack's outputs (``exported``: name -> Output or value), by output path."""
        values: dict[str, Any] = {}
        deps: dict[str, set[str]] = {}
        for name, value in exported.items():
            output = pulumi.Output.from_input(value)
            raw = _sync_await(output.future())
            values[name] = (
                {rpc._special_sig_key: rpc._special_secret_sig, "value": raw}
                if _sync_await(output.is_secret())
                else raw
            )
            urns = (_sync_await(r.urn.future()) for r in _sync_await(output.resources()))
            deps[name] = {urn for urn in urns if urn}
        return self.sources.references(values, deps)

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == _STACK_TYPE:
            self.stack_urn = response.urn
            return response
        raw = {k: v for k, v in json_format.MessageToDict(request.object).items() if not k.startswith("__")}
        references = self.sources.references(
            raw, {key: deps.urns for key, deps in request.propertyDependencies.items()}
        )
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
                references=references,
            )
        )
        if request.custom and not request.type.startswith("pulumi:providers:"):
            self.sources.add_resource(
                response.urn,
                request.type,
                request.name,
                parent,
                plain_wire(raw),
                response.id,
                plain_wire(json_format.MessageToDict(response.object)),
            )
        return response
