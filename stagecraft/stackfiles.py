"""Read ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` the way the Pulumi CLI would, without the CLI."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

SECRET_PLACEHOLDER = "[secret]"
"""What the offline plan gives the program for each ``secure:`` value: the ciphertext is never decrypted."""


class StackFileError(Exception):
    """A project or stack file is missing or unreadable. The message says which and why."""


@dataclass(frozen=True)
class StackFile:
    """One stack's config as written in ``Pulumi.<stack>.yaml``."""

    project: str
    stack: str
    path: Path
    values: dict[str, Any]
    """Config values as parsed from YAML; ``secure:`` values stay ``{"secure": "<ciphertext>"}``."""

    def engine_config(self) -> tuple[dict[str, str], list[str]]:
        """The config map and secret keys the engine would hand the program.

        Plain values pass as they are (structured ones as JSON); every ``secure:`` value becomes
        :data:`SECRET_PLACEHOLDER`, and its top-level key is marked secret.
        """
        config: dict[str, str] = {}
        secret_keys: list[str] = []
        for key, value in self.values.items():
            plain, has_secret = strip_secrets(value)
            if has_secret:
                secret_keys.append(key)
            if isinstance(plain, str):
                config[key] = plain
            elif isinstance(plain, bool):
                config[key] = "true" if plain else "false"
            elif isinstance(plain, int | float):
                config[key] = str(plain)
            else:
                config[key] = json.dumps(plain, sort_keys=True)
        return config, sorted(secret_keys)

    def placeholder_values(self) -> dict[str, Any]:
        """Config values with every ``secure:`` value replaced by :data:`SECRET_PLACEHOLDER`."""
        return {key: strip_secrets(value)[0] for key, value in self.values.items()}


def is_secure(value: Any) -> bool:
    """Whether a YAML value is an encrypted ``secure:`` value."""
    return isinstance(value, dict) and set(value) == {"secure"}


def strip_secrets(value: Any) -> tuple[Any, bool]:
    """``value`` with each ``secure:`` value replaced by the placeholder, and whether there was any."""
    if is_secure(value):
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict):
        pairs = {k: strip_secrets(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [strip_secrets(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning every failure into a :class:`StackFileError`."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StackFileError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise StackFileError(f"{path}: not valid YAML: {exc}") from None


def project_name(cwd: Path) -> str:
    """The project name from ``Pulumi.yaml``; checks it is a Python project whose program is ``infra/``."""
    path = cwd / "Pulumi.yaml"
    if not path.exists():
        raise StackFileError(f"{path}: file not found; run from the project root or pass --cwd")
    doc = read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
        raise StackFileError(f"{path}: must be a mapping with a 'name'")
    runtime = doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise StackFileError(f"{path}: runtime is {runtime_name!r}; stagecraft plans Python programs")
    return str(doc["name"])


def stack_names(cwd: Path) -> list[str]:
    """Every stack that has a ``Pulumi.<stack>.yaml`` in ``cwd``."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in cwd.glob("Pulumi.*.yaml"))


def load_stack(cwd: Path, stack: str) -> StackFile:
    """Read ``Pulumi.<stack>.yaml`` of the project in ``cwd``."""
    project = project_name(cwd)
    path = cwd / f"Pulumi.{stack}.yaml"
    if not path.exists():
        known = ", ".join(stack_names(cwd)) or "none"
        raise StackFileError(f"{path}: no such stack file (stacks here: {known})")
    doc = read_yaml(path) or {}
    if not isinstance(doc, dict):
        raise StackFileError(f"{path}: must be a mapping with a 'config' key")
    values = doc.get("config") or {}
    if not isinstance(values, dict):
        raise StackFileError(f"{path}: 'config' must be a mapping of keys to values")
    return StackFile(project=project, stack=stack, path=path, values=values)
