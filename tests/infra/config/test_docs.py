"""docs/configuration.md documents every setting the config accepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from infra.config.stage import StageSettings

DOC = (Path(__file__).resolve().parents[3] / "docs" / "configuration.md").read_text()


def _models(annotation: Any) -> list[type[BaseModel]]:
    candidates = [annotation, *get_args(annotation)]
    for arg in get_args(annotation):
        candidates.extend(get_args(arg))
    return [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]


def _leaf_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every setting that holds a value (sections and objects are documented through their keys)."""
    keys = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        nested = _models(field.annotation)
        keys.extend(_leaf_keys(nested[0], f"{key}.") if nested else [key])
    return keys


def _documented(key: str) -> bool:
    """A key is documented when it, or its tail within its table (``quota.pods``, ``pods``), is in backticks."""
    parts = key.split(".")
    tails = [".".join(parts[i:]) for i in range(len(parts))]
    tails.append(f"stagecraft:stage.{key}")
    return any(f"`{tail}`" in DOC or f"`{tail} " in DOC or f" {tail}`" in DOC for tail in tails)


def test_every_setting_is_documented() -> None:
    keys = _leaf_keys(StageSettings)
    assert len(keys) > 80
    assert [key for key in keys if not _documented(key)] == []
