"""``stagecraft schema``: JSON Schemas of the stack files, for editors (yaml-language-server) and CI.

Generated from the pydantic models the loaders validate with, so the schema cannot drift from what a plan
accepts: a key a model forbids is ``additionalProperties: false`` here. What a profile supplies by default is
not required in the file (``infra/config/profiles.py``), so the schema marks required only what no profile
fills in. The schema covers a whole stack file (``Pulumi.<stack>.yaml``), since an editor applies a schema to
a file, not to one key inside it; the layer's key is one property of ``config``.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from infra.config.account import ACCOUNT_KEY, AccountSettings
from infra.config.cluster import CLUSTER_KEY, ClusterSettings
from infra.config.loader import STAGE_KEY
from infra.config.profiles import PROFILES, defaults_for
from infra.config.repository import REPOSITORY_KEY, RepositorySettings
from infra.config.stage import StageSettings

LAYERS: dict[str, tuple[str, type[BaseModel]]] = {
    "stage": (STAGE_KEY, StageSettings),
    "bootstrap": (ACCOUNT_KEY, AccountSettings),
    "repository": (REPOSITORY_KEY, RepositorySettings),
    "cluster": (CLUSTER_KEY, ClusterSettings),
}
"""Layer -> (its stack files' config key, the model that validates that key)."""
SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _defaulted() -> set[str]:
    """Key paths every profile gives a default (so a stage's file may leave them out)."""
    paths = [set(defaults_for(p)) for p in PROFILES]
    return set.intersection(*paths)


def _relax(schema: dict[str, Any], defaulted: set[str]) -> None:
    """Drop from each object's ``required`` what the profiles default, following ``$ref``s from the root.

    A definition is shared by every path that uses it; a field stays required when any of its paths has no
    default (list items have paths of their own, ``[]``, that no default names).
    """
    definitions = schema.get("$defs", {})
    keep: dict[int, set[str]] = {}

    def visit(node: dict[str, Any], path: str, seen: frozenset[str]) -> bool:
        """Record what ``node`` (at ``path``) must hold; whether the profiles fill all of it."""
        ref = node.get("$ref")
        if isinstance(ref, str):
            name = ref.rsplit("/", 1)[-1]
            if name in seen or name not in definitions:
                return False
            return visit(definitions[name], path, seen | {name})
        filled = all([visit(option, path, seen) for option in node.get("anyOf", [])] or [False])
        if isinstance(node.get("items"), dict):
            visit(node["items"], f"{path}[]", seen)
        children = {key: visit(child, _join(path, key), seen) for key, child in node.get("properties", {}).items()}
        required = node.get("required", [])
        missing = {k for k in required if not (_join(path, k) in defaulted or children.get(k, False))}
        keep.setdefault(id(node), set()).update(missing)
        return filled or (bool(children) and not missing)

    visit(schema, "", frozenset())
    nodes = [schema, *definitions.values()]
    for node in nodes:
        if "required" in node and id(node) in keep:
            node["required"] = [k for k in node["required"] if k in keep[id(node)]]
            if not node["required"]:
                del node["required"]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def settings_schema(layer: str) -> dict[str, Any]:
    """The JSON Schema of one layer's config key (``stagecraft:stage`` for ``stage``)."""
    _, model = LAYERS[layer]
    schema = copy.deepcopy(model.model_json_schema())
    if layer == "stage":
        _relax(schema, _defaulted())
    return schema


def stack_file_schema(layer: str) -> dict[str, Any]:
    """The JSON Schema of a whole ``Pulumi.<stack>.yaml`` of ``layer``."""
    key, _ = LAYERS[layer]
    settings = settings_schema(layer)
    definitions = settings.pop("$defs", {})
    return {
        "$schema": SCHEMA_DRAFT,
        "$id": f"https://stagecraft.dev/schema/{layer}.stack.schema.json",
        "title": f"Stagecraft {layer} stack file (Pulumi.<stack>.yaml)",
        "type": "object",
        "properties": {
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
            "encryptionsalt": {"type": "string"},
            "config": {
                "type": "object",
                "properties": {key: settings},
                "required": [key],
                "additionalProperties": True,  # the providers' keys (aws:region, github:owner, ...) and secrets
            },
        },
        "required": ["config"],
        "$defs": definitions,
    }
