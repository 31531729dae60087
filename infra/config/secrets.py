"""``stagecraft:secrets`` and the GitHub provider keys: secret values are never in plain text.

Secret values live only under ``stagecraft:secrets`` (``{"environment": {NAME: secure}, "repository":
{NAME: secure}}``), each set with ``pulumi config set --secret --path``. The loader sees them in one of
three forms, and refuses any other:

- ``{"secure": "v1:..."}``: the stack file as written (YAML, read offline);
- ``"[secret]"``: the placeholder ``stagecraft plan`` gives the program for every ``secure:`` value;
- a plain string that the running Pulumi engine holds for the key *and marks secret*: the engine decrypts
  ``secure:`` values before the program sees them (``pulumi up``).

The engine marks the whole top-level key secret when any value under it is ``secure:`` and decrypts all
of them, so under ``pulumi up`` a plain value *next to* encrypted ones cannot be told apart; the offline
``stagecraft plan`` (and CI, which runs it) reads the stack file and refuses it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from infra.config.delivery import actions_name_problem
from infra.config.errors import ConfigProblem

SECRETS_KEY = "stagecraft:secrets"
SECRET_SCOPES = ("environment", "repository")
SECRET_PLACEHOLDER = "[secret]"
"""What ``stagecraft plan`` gives the program for each ``secure:`` value (stagecraft.stackfiles)."""
GITHUB_OWNER_KEY = "github:owner"
GITHUB_TOKEN_KEY = "github:token"


@dataclass(frozen=True)
class SecretNames:
    """Names of the secrets configured under ``stagecraft:secrets`` (the values stay in the engine)."""

    environment: tuple[str, ...] = ()
    """Environment secrets of the stage's GitHub environment, sorted."""
    repository: tuple[str, ...] = ()
    """Repository-level secrets this stage owns, sorted."""


def engine_marks_secret(key: str, value: Any) -> bool:
    """Whether the running Pulumi engine holds exactly ``value`` for ``key`` and marks it secret.

    Comparing the value too means a config map that did not come from the engine (a test, a stack file
    read offline) is never taken for decrypted secrets because of config left over in the process.
    """
    if not pulumi.runtime.is_config_secret(key):
        return False
    raw = pulumi.runtime.get_config(key)
    if isinstance(raw, str) and raw[:1] in ("{", "["):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return False
    return bool(raw == value)


def _is_encrypted(value: Any, decrypted_by_engine: bool) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} and isinstance(value["secure"], str)
    return isinstance(value, str) and (value == SECRET_PLACEHOLDER or decrypted_by_engine)


def secret_problems(values: Mapping[str, Any]) -> tuple[SecretNames, list[ConfigProblem]]:
    """Validate ``stagecraft:secrets``: its shape, the names, and that every value is encrypted."""
    raw = values.get(SECRETS_KEY)
    if raw is None:
        return SecretNames(), []
    if not isinstance(raw, Mapping):
        return SecretNames(), [
            ConfigProblem(
                SECRETS_KEY, f"must be a mapping with {' and/or '.join(SECRET_SCOPES)}, got {type(raw).__name__}"
            )
        ]
    decrypted = engine_marks_secret(SECRETS_KEY, raw)
    problems: list[ConfigProblem] = []
    names: dict[str, tuple[str, ...]] = {}
    for scope, secrets in raw.items():
        key = f"{SECRETS_KEY}.{scope}"
        if scope not in SECRET_SCOPES:
            problems.append(ConfigProblem(key, f"unknown key; allowed keys here: {', '.join(SECRET_SCOPES)}"))
            continue
        if not isinstance(secrets, Mapping):
            problems.append(ConfigProblem(key, "must be a mapping of secret name to a `secure:` value"))
            continue
        seen: dict[str, str] = {}
        for name, value in secrets.items():
            name_key = f"{key}.{name}"
            problem = actions_name_problem(str(name))
            if problem:
                problems.append(ConfigProblem(name_key, f"{name!r} is not allowed: {problem}"))
            elif str(name).upper() in seen:
                problems.append(
                    ConfigProblem(name_key, f"same name as {seen[str(name).upper()]!r}: GitHub names ignore case")
                )
            seen.setdefault(str(name).upper(), str(name))
            if not _is_encrypted(value, decrypted):
                problems.append(
                    ConfigProblem(
                        name_key,
                        "is stored in plain text; secret values must be encrypted: run "
                        f"`pulumi config set --secret --path '{name_key}' <value>` (and rotate the value: "
                        "it is in the stack file's history)",
                    )
                )
        names[scope] = tuple(sorted(str(n) for n in secrets))
    return SecretNames(**names), problems


def github_problems(values: Mapping[str, Any], repository: Any) -> list[ConfigProblem]:
    """``github:owner`` must name the repository's owner; ``github:token`` may not be in plain text."""
    problems: list[ConfigProblem] = []
    owner = values.get(GITHUB_OWNER_KEY)
    expected = repository.split("/")[0] if isinstance(repository, str) else None
    if owner is not None and expected is not None and owner != expected:
        problems.append(
            ConfigProblem(
                GITHUB_OWNER_KEY,
                f"{owner!r} is not the owner of stagecraft:stage.repository ({repository!r}); set it to "
                f"{expected!r} or remove it (the owner is taken from the repository)",
            )
        )
    token = values.get(GITHUB_TOKEN_KEY)
    if token is not None and not _is_encrypted(token, engine_marks_secret(GITHUB_TOKEN_KEY, token)):
        problems.append(
            ConfigProblem(
                GITHUB_TOKEN_KEY,
                "is stored in plain text; remove it (`pulumi config rm github:token`), revoke the token, and give "
                "the new one in the GITHUB_TOKEN environment variable",
            )
        )
    return problems
