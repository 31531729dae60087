"""Where a recorded input's value came from: the computed outputs and invoke results it is, or embeds.

Under mocks every resolved input looks real, but an id, an ARN or an endpoint a resource or invoke returned is
made up by :mod:`stagecraft.plan.mocks`; a real ``pulumi preview`` shows it as ``output<string>``. The monitor
feeds every value it hands out (resource ids and outputs, invoke results) into a :class:`SourceIndex` as it
goes, and matches each later registration's inputs against it, so the plan can say "this is
``<- vpc.id``" instead of printing the made-up id.

A value counts as a *source* only when it is

- *minted*: not an echo of a literal the program passed to the same resource (or invoke) as an input, not the
  resource's logical name, and not a value of the stack's config (a CIDR or account id the user wrote);
- *distinctive*: a string of at least 8 characters with a digit or one of ``: / . @`` in it (an id, ARN,
  endpoint), or an integer of at least 1,000,000 (a GitHub id); short words, ports and statuses could coincide.
  A StackReference's outputs are sources whatever they look like (each is a value another stack computed).

A resource source must also be among the Pulumi SDK's property dependencies of the input's top-level key (the
resources its Output came from: ``propertyDependencies`` of the ``RegisterResourceRequest``), so a user
constant that happens to equal a minted id is never attributed to it. Invoke results carry no dependency, so
they match by value alone: an invoke's result is credited wherever its value appears in a later input (a
real preview resolves invokes, so these values are known there; only the offline plan's are made up). A
decimal string and the integer it spells are one value (an id GitHub returns as a string, sent as an
integer). A value that is the output of several possible sources is reported as ambiguous, never silently
as one of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Reference", "References", "Source", "SourceIndex", "child_path", "index_path", "plain_wire"]

_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_STACK_REFERENCE = "pulumi:pulumi:StackReference"
_ANCHOR = 8
"""Minimum length of a distinctive string, and the length of the suffix the substring index is keyed by."""
_MIN_INT = 1_000_000
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_MARKS = re.compile(r"[0-9:/.@]")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)\Z")


def child_path(path: str, key: str) -> str:
    """``path`` extended by map key ``key``: ``a.b``, or ``a["k8s.io/x"]`` when the key is no identifier.

    The notation of ``stagecraft/data/replace_paths.json`` (dotted wire names), with ``[i]`` for list items.
    """
    if _IDENT.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def index_path(path: str, index: int) -> str:
    """``path`` extended by list index ``index``: ``a[0]``."""
    return f"{path}[{index}]"


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(_SIG) == _SECRET_SIG


def plain_wire(value: Any) -> Any:
    """A wire value (``MessageToDict`` of a Struct) with secrets unwrapped and whole floats as ints."""
    if isinstance(value, dict):
        if _is_secret(value):
            return plain_wire(value.get("value"))
        return {k: plain_wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_wire(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """``(path, leaf)`` of every scalar in ``value`` (secret wrappers unwrapped)."""
    if _is_secret(value):
        yield from _leaves(value.get("value"), path)
    elif isinstance(value, dict):
        for k in sorted(value):
            yield from _leaves(value[k], child_path(path, str(k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, index_path(path, i))
    elif value is not None:
        yield path, value


def _key(value: Any) -> tuple[str, Any] | None:
    """The index key of a scalar, or ``None`` for a non-scalar.

    Typed, so ``1`` and ``True`` never meet; but a decimal string and the integer it spells share a key
    (``"41662070"`` and ``41662070``): an API that returns an id as a string (GitHub's ``getTeam``) is often
    read through ``int(...)``, and the integer is still that id.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and _DECIMAL.match(value):
        value = int(value)
    if isinstance(value, int | str):
        return (type(value).__name__, value)
    return None


def _distinctive(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) >= _MIN_INT
    return (
        isinstance(value, str) and len(value) >= _ANCHOR and value[0] not in "{[" and _MARKS.search(value) is not None
    )


@dataclass(frozen=True)
class Source:
    """A computed value's origin: output ``output`` of resource ``urn``, or field ``output`` of invoke ``invoke``.

    ``output`` is a path into the resource's outputs (``id`` for its id, ``masterUserSecrets[0].secretArn``,
    a StackReference's ``outputs.kubeconfig``) or into the invoke's result (``names[0]``).
    """

    urn: str | None
    invoke: str | None
    output: str

    def to_json(self) -> dict[str, str]:
        """``{"urn": ..., "output": ...}`` or ``{"invoke": <token>, "output": ...}``."""
        if self.urn is not None:
            return {"urn": self.urn, "output": self.output}
        return {"invoke": str(self.invoke), "output": self.output}


@dataclass(frozen=True)
class Reference:
    """One computed value in an input: the value itself, or a part of a string (``within``)."""

    sources: tuple[Source, ...]
    """One source; several when the value is the output of each of them (ambiguous: the plan cannot tell)."""
    within: tuple[int, int] | bool | None = None
    """``None``: the whole value is the source's. ``(start, end)``: the string's characters ``[start, end)`` are
    (the string is derived from the source). ``True``: a secret's redacted value embeds the source."""

    def to_json(self) -> dict[str, Any]:
        """The plan contract's form: the source's keys, or ``candidates``; plus ``within`` when partial."""
        out: dict[str, Any] = (
            self.sources[0].to_json() if len(self.sources) == 1 else {"candidates": [s.to_json() for s in self.sources]}
        )
        if isinstance(self.within, tuple):
            out["within"] = list(self.within)
        elif self.within:
            out["within"] = True
        return out


_Minted = dict[tuple[str, Any], tuple[Any, list[str]]]
"""Index key -> (the value as handed out, the output paths it was handed out at)."""

References = dict[str, tuple[Reference, ...]]
"""Input path -> the computed values at that path (in order of appearance for a string that embeds several)."""


@dataclass
class SourceIndex:
    """Every minted value handed out so far in one plan run, by value and by its last 8 characters."""

    constants: frozenset[Any] = frozenset()
    """Index keys of config values: what the user wrote is known, never a source."""
    _exact: dict[tuple[str, Any], list[Source]] = field(default_factory=dict)
    _by_suffix: dict[str, set[str]] = field(default_factory=dict)
    _parents: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SourceIndex:
        """An index whose constants are the leaves of the engine config (JSON values parsed)."""
        keys: set[Any] = set()
        for raw in config.values():
            value = raw
            if isinstance(raw, str):
                try:
                    value = json.loads(raw)
                except ValueError:
                    value = raw
                keys.add(_key(raw))
            keys.update(_key(leaf) for _, leaf in _leaves(value))
        keys.discard(None)
        return cls(constants=frozenset(keys))

    def _add(self, source: Source, value: Any) -> None:
        key = _key(value)
        if key is None or key in self.constants:
            return
        sources = self._exact.setdefault(key, [])
        if source not in sources:
            sources.append(source)
        if isinstance(value, str) and _distinctive(value):
            self._by_suffix.setdefault(value[-_ANCHOR:], set()).add(value)

    def add_resource(
        self, urn: str, type_: str, name: str, parent: str | None, inputs: Any, id_: str, outputs: Any
    ) -> None:
        """Index what the mocks returned for one custom resource (its id and outputs that are not input echoes)."""
        self._parents[urn] = parent
        echoes = {_key(leaf) for _, leaf in _leaves(inputs)} | {_key(name)}
        minted: _Minted = {}
        for path, leaf in _leaves(outputs):
            key = _key(leaf)
            if key is None or key in echoes:
                continue
            if type_ == _STACK_REFERENCE:
                if path.startswith(("outputs.", "outputs[")):
                    minted.setdefault(key, (leaf, []))[1].append(path)
            elif _distinctive(leaf):
                minted.setdefault(key, (leaf, []))[1].append(path)
        id_key = _key(id_)
        if type_ != _STACK_REFERENCE and id_key is not None and id_key not in echoes and _distinctive(id_):
            minted.setdefault(id_key, (id_, []))[1].append("id")
        self._add_all(urn, None, minted)

    def _add_all(self, urn: str | None, invoke: str | None, minted: _Minted) -> None:
        for value, paths in minted.values():
            # An id equal to a named output is that output (an IAM policy's id is its arn).
            for path in [p for p in paths if p != "id"] or paths:
                self._add(Source(urn, invoke, path), value)

    def add_invoke(self, token: str, args: Any, result: Any) -> None:
        """Index an invoke's result fields that are distinctive and not echoes of its arguments."""
        echoes = {_key(leaf) for _, leaf in _leaves(args)}
        minted: _Minted = {}
        for path, leaf in _leaves(result):
            key = _key(leaf)
            if key is None or key in echoes or not _distinctive(leaf):
                continue
            # A list that repeats what an earlier invoke listed is the same fact of the cloud listed again
            # (getOrderableDbInstance's zones after getAvailabilityZones's), not a second source. A lookup
            # of one thing and a listing that holds it (getUser's id and getCollaborators' entry, in either
            # order) are two: the SDK records no dependency on an invoke, so the plan cannot tell which the
            # program used, and the value is reported as ambiguous.
            relisted = "[" in path and any(s.invoke is not None and "[" in s.output for s in self._exact.get(key, ()))
            if not relisted:
                minted.setdefault(key, (leaf, []))[1].append(path)
        self._add_all(None, token, minted)

    def _confirmed(self, source: Source, deps: frozenset[str]) -> bool:
        if source.urn is None:
            return True
        urn: str | None = source.urn
        while urn is not None:
            if urn in deps:
                return True
            urn = self._parents.get(urn)
        return False

    def _sources(self, value: Any, deps: frozenset[str]) -> tuple[Source, ...]:
        key = _key(value)
        if key is None:
            return ()
        found = (s for s in self._exact.get(key, ()) if self._confirmed(s, deps))
        return tuple(sorted(found, key=lambda s: (s.urn or "", s.invoke or "", s.output)))

    def _within(self, text: str, deps: frozenset[str]) -> list[tuple[int, int, tuple[Source, ...]]]:
        """The minted values embedded in ``text`` at word boundaries, longest first, not overlapping."""
        found: list[tuple[int, int]] = []
        for end in range(_ANCHOR, len(text) + 1):
            for value in self._by_suffix.get(text[end - _ANCHOR : end], ()):
                start = end - len(value)
                if start >= 0 and text.startswith(value, start) and _bounded(text, start, end):
                    found.append((start, end))
        taken: list[tuple[int, int, tuple[Source, ...]]] = []
        for start, end in sorted(found, key=lambda span: (span[0] - span[1], span[0])):
            if any(start < e and s < end for s, e, _ in taken):
                continue
            sources = self._sources(text[start:end], deps)
            if sources:
                taken.append((start, end, sources))
        return sorted(taken)

    def references(self, values: Mapping[str, Any], deps: Mapping[str, Iterable[str]]) -> References:
        """The computed values in ``values`` (wire inputs, secrets still wrapped), by path.

        ``deps`` maps each top-level key to the URNs its value's Output came from.
        """
        refs: References = {}
        for key in sorted(values):
            self._walk(values[key], child_path("", key), frozenset(deps.get(key, ())), refs, secret=False)
        return refs

    def _walk(self, value: Any, path: str, deps: frozenset[str], refs: References, *, secret: bool) -> None:
        if _is_secret(value):
            inner: References = {}
            self._walk(value.get("value"), path, deps, inner, secret=True)
            # A redacted value shows no structure: what it is or embeds is reported at the secret's own path.
            found = [r for rs in inner.values() for r in rs]
            whole = inner.get(path, ())
            if len(whole) == 1 and whole[0].within is None:
                refs[path] = whole
            elif found:
                refs[path] = tuple(dict.fromkeys(Reference(r.sources, True) for r in found))
            return
        if isinstance(value, dict):
            for k in sorted(value):
                self._walk(value[k], child_path(path, str(k)), deps, refs, secret=secret)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self._walk(v, index_path(path, i), deps, refs, secret=secret)
        else:
            self._leaf(value, path, deps, refs)

    def _leaf(self, value: Any, path: str, deps: frozenset[str], refs: References) -> None:
        sources = self._sources(value, deps)
        if sources:
            refs[path] = (Reference(sources),)
        elif isinstance(value, str) and len(value) > _ANCHOR:
            embedded = self._within(value, deps)
            if embedded:
                refs[path] = tuple(Reference(sources, (start, end)) for start, end, sources in embedded)


def _bounded(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is not part of a longer word (letters or digits on either side)."""
    return (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())
