"""Computed values as the text plan shows them: ``<- amani-backend-production-vpc.id`` instead of a made-up id.

A value that is wholly another resource's output prints as ``<- NAME.OUTPUT`` (``NAME`` the resource's logical
name; ``NAME[Type]`` or the URN when the name alone is not unique); an invoke result as
``<- aws.getCallerIdentity().accountId``; a StackReference output as ``<- NAME.outputs.OUTPUT``. A string that
embeds computed values keeps its known text and shows each embedded one as ``{<- SOURCE}``
(``arn:aws:s3:::{<- bucket.bucket}/*``). A value several sources could have given prints as
``<- one of: A | B``; a redacted secret keeps ``[secret]`` and names what it is or embeds.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from stagecraft.plan.inventory import Inventory
from stagecraft.plan.references import Reference, References, Source, child_path, index_path

__all__ = ["display_names", "shown", "source_text"]


def display_names(inventory: Inventory) -> dict[str, str]:
    """URN -> the shortest unambiguous label: the logical name, else ``name[Type]``, else ``name[type token]``,
    else the URN (the same name and type under two parents)."""
    by_name = Counter(r.name for r in inventory.resources)
    by_short = Counter((r.name, r.type.rsplit(":", 1)[-1]) for r in inventory.resources)
    by_type = Counter((r.name, r.type) for r in inventory.resources)
    names: dict[str, str] = {}
    for r in inventory.resources:
        short = r.type.rsplit(":", 1)[-1]
        if by_name[r.name] == 1:
            names[r.urn] = r.name
        elif by_short[(r.name, short)] == 1:
            names[r.urn] = f"{r.name}[{short}]"
        elif by_type[(r.name, r.type)] == 1:
            names[r.urn] = f"{r.name}[{r.type}]"
        else:
            names[r.urn] = r.urn
    return names


def source_text(source: Source, names: dict[str, str]) -> str:
    """``NAME.OUTPUT`` of a resource source, ``pkg.function().OUTPUT`` of an invoke's."""
    if source.urn is not None:
        # A read resource (a StackReference) is no resource of the plan: its URN ends in its name.
        return f"{names.get(source.urn) or source.urn.rsplit('::', 1)[-1]}.{source.output}"
    token = str(source.invoke)
    return f"{token.split(':', 1)[0]}.{token.rsplit(':', 1)[-1]}().{source.output}"


def _ref_text(ref: Reference, names: dict[str, str]) -> str:
    texts = [source_text(s, names) for s in ref.sources]
    return "<- " + (texts[0] if len(texts) == 1 else "one of: " + " | ".join(texts))


def _leaf(value: Any, refs: tuple[Reference, ...], names: dict[str, str]) -> Any:
    if len(refs) == 1 and refs[0].within is None:
        text = _ref_text(refs[0], names)
        return f"{value} {text}" if value == "[secret]" else text
    spans = [r for r in refs if isinstance(r.within, tuple)]
    if not spans or not isinstance(value, str):
        return f"{value} (embeds {', '.join(dict.fromkeys(_ref_text(r, names) for r in refs))})"
    out, at = [], 0
    for ref in spans:
        assert isinstance(ref.within, tuple)
        start, end = ref.within
        out += [value[at:start], "{" + _ref_text(ref, names) + "}"]
        at = end
    return "".join([*out, value[at:]])


def shown(value: Any, references: References, names: dict[str, str], path: str = "") -> Any:
    """``value`` (inputs or outputs, as recorded) with every computed value replaced by its source."""
    if not references:
        return value
    if isinstance(value, dict):
        return {k: shown(v, references, names, child_path(path, str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [shown(v, references, names, index_path(path, i)) for i, v in enumerate(value)]
    refs = references.get(path)
    return _leaf(value, refs, names) if refs else value
