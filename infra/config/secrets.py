"""``stagecraft:secrets`` and the GitHub provider keys: secret values are never in plain text.

A layer declares its secrets by *name* in its settings (a stage in ``stagecraft:stage.github.secrets``, the
repository layer in ``stagecraft:repository.secrets``); each value lives only under ``stagecraft:secrets.<scope>.
<NAME>``, set with ``pulumi config set --secret --path``, so committed stack files hold names, never
ciphertext someone else's secrets provider cannot decrypt. The loader sees a value in one of three forms, and
refuses any other:

- ``{"secure": "v1:..."}``: the stack file as written (YAML, read offline);
- ``"[secret]"``: the placeholder ``stagecraft plan`` gives the program for every ``secure:`` value and for
  every declared secret that has no value yet;
- a plain string that the running Pulumi engine holds for the key *and marks secret*: the engine decrypts
  ``secure:`` values before the program sees them (``pulumi up``).

A declared secret without a value stops a real run before anything is created, naming the command that sets
it. The engine marks the whole top-level key secret when any value under it is ``secure:`` and decrypts all of
them, so under ``pulumi up`` a plain value *next to* encrypted ones cannot be told apart; the offline
``stagecraft plan`` (and CI, which runs it) reads the stack file and refuses it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from infra.config.errors import ConfigProblem, yaml_value

SECRETS_KEY = "stagecraft:secrets"
SECRET_SCOPES = ("environment", "repository")
SECRET_PLACEHOLDER = "[secret]"
"""What ``stagecraft plan`` gives the program for each ``secure:`` value (infra.config.stackfiles)."""
GITHUB_OWNER_KEY = "github:owner"
GITHUB_TOKEN_KEY = "github:token"


@dataclass(frozen=True)
class SecretNames:
    """Names of the secrets a layer declares (the values stay in the engine)."""

    environment: tuple[str, ...] = ()
    """Environment secrets of the stage's GitHub environment, sorted."""
    repository: tuple[str, ...] = ()
    """Repository-level secrets (the repository layer's), sorted."""


@dataclass(frozen=True)
class SecretScope:
    """One scope under ``stagecraft:secrets`` a layer may use, and where its names are declared."""

    scope: str
    """``environment`` or ``repository``."""
    declared: tuple[str, ...]
    """The declared names."""
    declared_in: str
    """The config key that declares them, for messages (``stagecraft:stage.github.secrets``)."""


def set_secret_command(key: str) -> str:
    """The command that sets one secret value (``key`` is its full path)."""
    return f"pulumi config set --secret --path '{key}' <value>"


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


def secret_problems(
    values: Mapping[str, Any], scopes: Sequence[SecretScope], foreign: Mapping[str, str] | None = None
) -> tuple[SecretNames, list[ConfigProblem]]:
    """Validate ``stagecraft:secrets`` against the declared names of ``scopes``.

    Every value must be encrypted and declared; every declared name must have a value. ``foreign`` maps a
    scope this layer does not own to where it belongs (a stage's ``repository`` secrets: the repository layer).
    """
    raw = values.get(SECRETS_KEY)
    owned = {s.scope: s for s in scopes}
    allowed = ", ".join(owned) or "none"
    problems: list[ConfigProblem] = []
    if raw is not None and not isinstance(raw, Mapping):
        problems.append(ConfigProblem(SECRETS_KEY, f"must be a mapping with {allowed}, got {type(raw).__name__}"))
        raw = None
    raw = raw or {}
    decrypted = engine_marks_secret(SECRETS_KEY, raw)
    for scope, secrets in raw.items():
        key = f"{SECRETS_KEY}.{scope}"
        if scope not in owned:
            where = (foreign or {}).get(scope)
            hint = f"; {where}" if where else ""
            problems.append(ConfigProblem(key, f"unknown key; allowed keys here: {allowed}{hint}"))
        elif not isinstance(secrets, Mapping):
            problems.append(ConfigProblem(key, "must be a mapping of secret name to a `secure:` value"))
    for spec in scopes:
        key = f"{SECRETS_KEY}.{spec.scope}"
        given = raw.get(spec.scope)
        given = given if isinstance(given, Mapping) else {}
        declared = {n.upper(): n for n in spec.declared}
        for name, value in given.items():
            name_key = f"{key}.{name}"
            if str(name).upper() not in declared:
                problems.append(
                    ConfigProblem(
                        name_key,
                        f"is not declared; add {yaml_value(str(name))} to {spec.declared_in}, or remove the value "
                        f"(`pulumi config rm --path '{name_key}'`)",
                    )
                )
            elif declared[str(name).upper()] != name:
                problems.append(
                    ConfigProblem(
                        name_key,
                        f"is declared as {yaml_value(declared[str(name).upper()])} in {spec.declared_in}; use one case",
                    )
                )
            if not _is_encrypted(value, decrypted):
                problems.append(
                    ConfigProblem(
                        name_key,
                        "is stored in plain text; secret values must be encrypted: run "
                        f"`{set_secret_command(name_key)}` (and rotate the value: it is in the stack file's history)",
                    )
                )
        for name in spec.declared:
            if name not in given:
                name_key = f"{key}.{name}"
                problems.append(
                    ConfigProblem(
                        name_key,
                        f"is declared in {spec.declared_in} but has no value; set it with "
                        f"`{set_secret_command(name_key)}`",
                    )
                )
    names = {spec.scope: tuple(sorted(spec.declared)) for spec in scopes}
    return SecretNames(**names), problems


def unset_secret_keys(values: Mapping[str, Any], scopes: Sequence[SecretScope]) -> list[str]:
    """Full keys of the declared secrets that have no value in ``values`` (the offline plan shows them as
    ``[secret]``; a real run refuses them)."""
    raw = values.get(SECRETS_KEY)
    raw = raw if isinstance(raw, Mapping) else {}
    missing: list[str] = []
    for spec in scopes:
        given = raw.get(spec.scope)
        given = given if isinstance(given, Mapping) else {}
        missing.extend(f"{SECRETS_KEY}.{spec.scope}.{n}" for n in spec.declared if n not in given)
    return missing


def github_problems(values: Mapping[str, Any], repository: Any) -> list[ConfigProblem]:
    """``github:owner`` must name the repository's owner; ``github:token`` may not be in plain text."""
    problems: list[ConfigProblem] = []
    owner = values.get(GITHUB_OWNER_KEY)
    expected = repository.split("/")[0] if isinstance(repository, str) else None
    if owner is None:
        # The default GitHub provider takes its owner from this key; without it the provider acts on the
        # token's own account. An explicit provider is not used: it would store the token in state.
        problems.append(
            ConfigProblem(
                GITHUB_OWNER_KEY,
                f"required key is missing; set it with `pulumi config set github:owner {expected or '<owner>'}` "
                "(the GitHub provider acts for this owner; its token comes from GITHUB_TOKEN)",
            )
        )
    elif expected is not None and not (isinstance(owner, str) and owner.lower() == expected.lower()):
        # GitHub resolves owner names ignoring case (github.com/Amani-Labs is github.com/amani-labs).
        problems.append(
            ConfigProblem(
                GITHUB_OWNER_KEY,
                f"{yaml_value(owner)} is not the owner of the repository ({yaml_value(repository)}); set it to "
                f"{yaml_value(expected)}",
            )
        )
    problems.extend(github_token_problems(values))
    return problems


def github_token_problems(values: Mapping[str, Any]) -> list[ConfigProblem]:
    """``github:token`` may not be in plain text (the token belongs in ``GITHUB_TOKEN``)."""
    problems: list[ConfigProblem] = []
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
