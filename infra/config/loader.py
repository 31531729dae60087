"""Read a stack's raw config map once, validate it completely, and freeze it into a :class:`StageConfig`."""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from infra.config import aws_lists
from infra.config.data import data_problems
from infra.config.errors import ConfigError, ConfigProblem, yaml_value
from infra.config.names import derived_name_problems
from infra.config.profiles import PROFILES, Profile, defaults_for, floors_for
from infra.config.runner import runner_problems
from infra.config.secrets import (
    SECRET_PLACEHOLDER,
    SECRETS_KEY,
    SecretNames,
    SecretScope,
    engine_marks_secret,
    github_problems,
    secret_problems,
)
from infra.config.stage import StageSettings, stage_name_problem

STAGE_KEY = "stagecraft:stage"
REGION_KEY = "aws:region"
ACCOUNTS_KEY = "aws:allowedAccountIds"
KNOWN_STAGECRAFT_KEYS = (STAGE_KEY, SECRETS_KEY)
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")
_UNION_TAGS = {"int", "str", "float", "bool", "list", "dict"}
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Acknowledgement:
    """A floor the stage deliberately goes below, with the reason given in config."""

    key: str
    reason: str

    def to_json(self) -> dict[str, str]:
        """As listed under ``acknowledged`` in the plan JSON."""
        return {"key": self.key, "reason": self.reason}


@dataclass(frozen=True)
class StageConfig:
    """One stage's validated, frozen configuration: what the program composes the stage from."""

    stack: str
    """The Pulumi stack name, as given."""
    stage: str
    """The stage name (the stack name's last segment)."""
    region: str
    """The AWS region (``aws:region``)."""
    settings: StageSettings
    """Every setting under ``stagecraft:stage``, with the profile's defaults filled in."""
    acknowledged: tuple[Acknowledgement, ...] = ()
    """Floors this stage goes below, each with its reason."""
    secrets: SecretNames = field(default_factory=SecretNames)
    account_ids: tuple[str, ...] = ()
    """``aws:allowedAccountIds``: the accounts the AWS provider may deploy this stage into (empty: any)."""
    """Names of the secrets under ``stagecraft:secrets`` (values are read as secret Outputs, never here)."""

    @property
    def github_owner(self) -> str:
        """The GitHub owner: ``github:owner`` must equal it, and is derived from ``repository`` when absent."""
        return self.settings.repository.split("/")[0]

    @property
    def github_repository(self) -> str:
        """The repository name without its owner."""
        return self.settings.repository.split("/")[1]

    @property
    def environment(self) -> str:
        """The GitHub environment the stage deploys through: ``github.environment``, else the stage name."""
        return self.settings.github.environment or self.stage

    @property
    def profile(self) -> Profile:
        """The stage's profile."""
        return self.settings.profile

    @property
    def prefix(self) -> str:
        """``<app>-<stage>``: the start of every physical name in the stage."""
        return f"{self.settings.app}-{self.stage}"

    @property
    def default_tags(self) -> dict[str, str]:
        """Tags for every taggable resource: the stage's own plus the user's."""
        return {
            **self.settings.tags,
            "stage": self.stage,
            "project": self.settings.app,
            "profile": self.profile,
            "managed-by": "pulumi-stagecraft",
            "repository": self.settings.repository,
        }


def load_stage_config(stack: str, values: Mapping[str, Any], *, check_secrets: bool = True) -> StageConfig:
    """Validate a stack's config map (``{"stagecraft:stage": {...}, "aws:region": "...", ...}``).

    Values are the parsed config values (YAML or the engine's JSON). Raises :class:`ConfigError` listing
    every problem at once; nothing else escapes. ``check_secrets=False`` skips ``stagecraft:secrets`` (the
    cluster layer reads a stage's settings, never its secrets).
    """
    problems: list[ConfigProblem] = []
    stage = stack.rsplit("/", 1)[-1]
    if problem := stage_name_problem(stage):
        problems.append(ConfigProblem("stack name", problem))

    for key in values:
        if key.startswith("stagecraft:") and key not in KNOWN_STAGECRAFT_KEYS:
            problems.append(ConfigProblem(key, "unknown key" + suggest(key, KNOWN_STAGECRAFT_KEYS)))

    account_ids = account_ids_of(values.get(ACCOUNTS_KEY), problems)
    region = values.get(REGION_KEY)
    region_of(values, problems)

    raw = values.get(STAGE_KEY)
    settings: StageSettings | None = None
    if raw is None:
        problems.append(
            ConfigProblem(
                STAGE_KEY,
                "required key is missing; it holds the stage's settings (see docs/configuration.md)",
            )
        )
    elif not isinstance(raw, Mapping):
        problems.append(ConfigProblem(STAGE_KEY, f"{yaml_value(raw)} is not allowed: must be a mapping of settings"))
    else:
        has_secret = engine_marks_secret(STAGE_KEY, raw) or _holds_secure(raw)
        if has_secret:
            problems.append(
                ConfigProblem(
                    STAGE_KEY,
                    "holds an encrypted (secure) value; settings are not secret: put secret values under "
                    "stagecraft:secrets (docs/configuration.md, Secrets). Values are not shown in these messages",
                )
            )
        settings = _validate(raw, problems, redact=has_secret)

    declared = tuple(settings.github.secrets) if settings is not None else ()
    foreign = {
        "repository": "repository-level secrets belong to the repository layer (repository/, stagecraft:repository)"
    }
    secrets, found = (
        secret_problems(values, [SecretScope("environment", declared, f"{STAGE_KEY}.github.secrets")], foreign)
        if check_secrets
        else (SecretNames(), [])
    )
    if settings is None:  # the declared names are unknown: report only what holds whatever they are
        found = [p for p in found if not p.message.startswith(("is not declared", "is declared"))]
    problems.extend(found)
    if settings is not None:  # the owner is checked against a valid repository only
        problems.extend(github_problems(values, settings.repository))

    acknowledged: list[Acknowledgement] = []
    if settings is not None:
        acknowledged = _check_floors(settings, problems)
        network = settings.network
        zone_problems = network.zone_problems(str(region)) if isinstance(region, str) else []
        for suffix, message in [*zone_problems, *network.overlap_problems()]:
            problems.append(ConfigProblem(f"{STAGE_KEY}.network.{suffix}", message))
        for suffix, message in settings.github.problems(settings.registries.repositories):
            problems.append(ConfigProblem(f"{STAGE_KEY}.github.{suffix}", message))
        if isinstance(region, str):
            for suffix, message in data_problems(settings, stage, region):
                problems.append(ConfigProblem(f"{STAGE_KEY}.{suffix}", message))
        for suffix, message in settings.compute.problems(f"{settings.app}-{stage}"):
            problems.append(ConfigProblem(f"{STAGE_KEY}.compute.{suffix}", message))
        for suffix, message in runner_problems(settings):
            problems.append(ConfigProblem(f"{STAGE_KEY}.runner.{suffix}", message))
        if isinstance(region, str) and not problems:  # names of a config that is otherwise valid
            for suffix, message in derived_name_problems(settings, stage, region):
                problems.append(ConfigProblem(f"{STAGE_KEY}.{suffix}", message))

    if problems or settings is None:
        raise ConfigError(problems)
    return StageConfig(
        stack=stack,
        stage=stage,
        region=str(region),
        settings=settings,
        acknowledged=tuple(sorted(acknowledged, key=lambda a: a.key)),
        secrets=secrets,
        account_ids=account_ids,
    )


def _holds_secure(value: Any) -> bool:
    """Whether a raw value holds a ``secure:`` value or the offline plan's placeholder for one."""
    if isinstance(value, Mapping):
        return set(value) == {"secure"} or any(_holds_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_secure(v) for v in value)
    return bool(value == SECRET_PLACEHOLDER)


def _validate(raw: Mapping[str, Any], problems: list[ConfigProblem], *, redact: bool = False) -> StageSettings | None:
    profile = raw.get("profile")
    merged = copy.deepcopy(dict(raw))
    # With an invalid profile, fill in some profile's defaults anyway so the only error is the profile's.
    for path, value in defaults_for(profile if profile in PROFILES else PROFILES[-1]).items():
        _set_default(merged, path.split("."), value)
    return validate_settings(StageSettings, merged, problems, prefix=STAGE_KEY, redact=redact)


def validate_settings(
    model: type[M], raw: Mapping[str, Any], problems: list[ConfigProblem], *, prefix: str, redact: bool = False
) -> M | None:
    """Validate ``raw`` (the value of config key ``prefix``) as ``model``; ``None`` after adding its problems.

    Each problem names the full key under ``prefix``, the bad value (``<redacted>`` when ``redact``) and
    what is allowed; unknown keys get the closest known one. One problem per key.
    """
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        seen: set[str] = set()
        for error in exc.errors():
            problem = _problem_from(error, model, redact=redact, prefix=prefix)
            if problem.key not in seen:
                seen.add(problem.key)
                problems.append(problem)
        return None


def region_of(values: Mapping[str, Any], problems: list[ConfigProblem]) -> str | None:
    """``aws:region`` when it is a region name; otherwise a problem is added and ``None`` returned."""
    region = values.get(REGION_KEY)
    if region is None:
        problems.append(
            ConfigProblem(REGION_KEY, "required key is missing; set it with `pulumi config set aws:region us-east-1`")
        )
    elif not isinstance(region, str) or not _REGION.fullmatch(region):
        problems.append(
            ConfigProblem(REGION_KEY, f"{yaml_value(region)} is not an AWS region name (example: us-east-1)")
        )
    elif problem := aws_lists.region_problem(region):
        problems.append(ConfigProblem(REGION_KEY, problem))
    else:
        return region
    return None


def _set_default(target: dict[str, Any], path: list[str], value: Any) -> None:
    node = target
    for part in path[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            return  # the user's value has the wrong type; validation reports it
        node = child
    node.setdefault(path[-1], copy.deepcopy(value))


def _problem_from(
    error: ErrorDetails, root: type[BaseModel], *, redact: bool = False, prefix: str = STAGE_KEY
) -> ConfigProblem:
    loc = [p for p in error["loc"] if not (isinstance(p, str) and (p in _UNION_TAGS or "[" in p))]
    key = prefix
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else f".{part}"
    kind = error["type"]
    if kind == "extra_forbidden":
        return ConfigProblem(key, "unknown key" + suggest(str(loc[-1]), _fields_at(root, loc[:-1])))
    if kind == "missing":
        return ConfigProblem(key, "required key is missing")
    message = error["msg"].removeprefix("Value error, ")
    if kind != "value_error":  # pydantic's own sentences ("Input should be ..."); ours may start with a name
        message = message[0].lower() + message[1:]
    shown = "<redacted>" if redact else yaml_value(error["input"])
    return ConfigProblem(key, f"{shown} is not allowed: {message}")


def _fields_at(root: type[BaseModel], loc: list[int | str]) -> list[str]:
    model: Any = root
    keyed = False  # the previous field is a dict of models: this part is one of its keys
    for part in loc:
        if keyed or isinstance(part, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            keyed = False
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        keyed = getattr(annotation, "__origin__", None) is dict
        args = getattr(annotation, "__args__", ())
        model = next((a for a in (annotation, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def suggest(key: str, allowed: list[str] | tuple[str, ...]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``allowed``, else the list of allowed keys (or "")."""
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {yaml_value(close[0])}?"
    return f"; allowed keys here: {', '.join(allowed)}" if allowed else ""


def _lookup(settings: StageSettings, path: str) -> Any:
    node: Any = settings
    for part in path.split("."):
        node = getattr(node, part)
    return node


def _check_floors(settings: StageSettings, problems: list[ConfigProblem]) -> list[Acknowledgement]:
    floors = floors_for(settings.profile)
    acknowledged: list[Acknowledgement] = []
    for key in settings.acknowledge:
        if key not in floors:
            hint = suggest(key, sorted(floors)) if floors else f"; the {settings.profile} profile has no floors"
            problems.append(
                ConfigProblem(
                    f"{STAGE_KEY}.acknowledge.{key}", f"{yaml_value(key)} is not a floor of this profile" + hint
                )
            )
    for key, rule in sorted(floors.items()):
        value = _lookup(settings, key)
        measured = len(value) if isinstance(value, list | tuple) else value
        shown = f"{yaml_value(value)}" if not isinstance(value, list) else f"{len(value)} ({yaml_value(value)})"
        if rule.allows(measured):
            if key in settings.acknowledge:
                problems.append(
                    ConfigProblem(
                        f"{STAGE_KEY}.acknowledge.{key}",
                        f"nothing to acknowledge: {shown} meets the {settings.profile} floor "
                        f"({rule.describe()}); remove the entry",
                    )
                )
            continue
        if key in settings.acknowledge:
            acknowledged.append(Acknowledgement(key, settings.acknowledge[key]))
            continue
        problems.append(
            ConfigProblem(
                f"{STAGE_KEY}.{key}",
                f"{shown} is below the {settings.profile} floor ({rule.describe()}); raise it, or add "
                f"'acknowledge: {{{key}: <reason>}}' to accept the weaker setting",
            )
        )
    return acknowledged


def account_ids_of(value: Any, problems: list[ConfigProblem]) -> tuple[str, ...]:
    """``aws:allowedAccountIds`` as a tuple (empty when absent); a malformed value adds a problem."""
    if value is None:
        return ()
    if isinstance(value, list) and value and all(isinstance(v, str) and re.fullmatch(r"\d{12}", v) for v in value):
        return tuple(value)
    problems.append(
        ConfigProblem(
            ACCOUNTS_KEY,
            f"{yaml_value(value)} is not allowed: must be a non-empty list of 12-digit AWS account ids, quoted as "
            "strings "
            "(an unquoted number loses leading zeros)",
        )
    )
    return ()
