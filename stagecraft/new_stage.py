"""``stagecraft new-stage``: bootstrap ``Pulumi.<name>.yaml`` from an existing stack.

The new file keeps the source's comments and key order (ruamel.yaml round trip), gets a VPC CIDR that
overlaps no other stage, its own deploy branch, and no secret values: every ``secure:`` value is dropped
and the ``pulumi config set --secret`` commands still to run are returned. The result is validated by
planning it; a file that does not plan is removed again.
"""

from __future__ import annotations

import io
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from infra.config.profiles import PROFILES
from infra.config.stage import stage_name_problem
from stagecraft.stackfiles import StackFileError, is_secure, load_stack, stack_names

STAGE = "stagecraft:stage"
SECRETS = "stagecraft:secrets"
GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
CANDIDATE_POOL = ipaddress.IPv4Network("10.0.0.0/8")
"""Where a free /16 is looked for when no ``--cidr`` is given."""


class NewStageError(Exception):
    """The new stage cannot be written; the message says why."""


@dataclass
class NewStage:
    """What ``new-stage`` wrote and what is left for the user to do."""

    path: Path
    cidr: str
    secret_commands: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 120
    return yaml


def _secret_paths(value: Any, path: str) -> Iterator[str]:
    if is_secure(value):
        yield path
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _secret_paths(child, f"{path}.{key}")


def _used_cidrs(cwd: Path, skip: str) -> list[ipaddress.IPv4Network]:
    used = []
    for stack in stack_names(cwd):
        if stack == skip:
            continue
        stage = load_stack(cwd, stack).values.get(STAGE) or {}
        network = stage.get("network") if isinstance(stage, dict) else None
        cidr = network.get("cidr") if isinstance(network, dict) else None
        if isinstance(cidr, str):
            try:
                used.append(ipaddress.IPv4Network(cidr))
            except ValueError:
                continue
    return used


def pick_cidr(used: list[ipaddress.IPv4Network]) -> str:
    """The first /16 in 10.0.0.0/8 that overlaps none of ``used``."""
    for candidate in CANDIDATE_POOL.subnets(new_prefix=16):
        if not any(candidate.overlaps(u) for u in used):
            return str(candidate)
    raise NewStageError("no free /16 left in 10.0.0.0/8; pass --cidr")  # pragma: no cover - 256 stages


def _check_cidr(cidr: str, used: list[ipaddress.IPv4Network], cwd: Path) -> None:
    try:
        net = ipaddress.IPv4Network(cidr)
    except ValueError as exc:
        raise NewStageError(f"--cidr {cidr!r} is not a valid IPv4 CIDR block ({exc})") from None
    clash = [str(u) for u in used if net.overlaps(u)]
    if clash:
        raise NewStageError(f"--cidr {cidr} overlaps another stage's VPC ({', '.join(clash)}) in {cwd}")


def create_stage(
    cwd: Path,
    name: str,
    source: str,
    *,
    profile: str | None = None,
    cidr: str | None = None,
    branch: str | None = None,
) -> NewStage:
    """Write ``Pulumi.<name>.yaml`` from ``Pulumi.<source>.yaml``. Raises :class:`NewStageError`."""
    if problem := stage_name_problem(name):
        raise NewStageError(f"stage name {problem}")
    target = cwd / f"Pulumi.{name}.yaml"
    if target.exists():
        raise NewStageError(f"{target} already exists; refusing to overwrite it")
    if profile is not None and profile not in PROFILES:
        raise NewStageError(f"--profile {profile!r} is not one of {', '.join(PROFILES)}")
    try:
        load_stack(cwd, source)
    except StackFileError as exc:
        raise NewStageError(str(exc)) from None

    yaml = _yaml()
    doc = yaml.load((cwd / f"Pulumi.{source}.yaml").read_text(encoding="utf-8"))
    config: CommentedMap = doc["config"]
    stage = config.get(STAGE)
    if not isinstance(stage, dict):
        raise NewStageError(f"Pulumi.{source}.yaml has no {STAGE} mapping to copy")

    used = _used_cidrs(cwd, skip=name)
    if cidr is None:
        cidr = pick_cidr(used)
    else:
        _check_cidr(cidr, used, cwd)
    result = NewStage(path=target, cidr=cidr)

    network = stage.setdefault("network", CommentedMap())
    network["cidr"] = cidr
    if profile is not None and profile != stage.get("profile"):
        stage["profile"] = profile
        result.notes.append(f"profile set to {profile}; its defaults and floors apply")
    if stage.pop("acknowledge", None):
        result.notes.append(f"acknowledged weakenings of {source} were not copied: a new stage meets every floor")
    database = stage.get("database")
    if isinstance(database, dict) and database.pop("restore", None) is not None:
        result.notes.append(f"the database restore block of {source} was not copied")
    github = stage.setdefault("github", CommentedMap())
    github["deploy_branch"] = branch or name
    accounts = config.get("aws:allowedAccountIds")
    if github.get("oidc_provider", "create") == "create":
        # The account's GitHub OIDC provider exists once; the source stack creates it.
        if isinstance(accounts, list) and accounts:
            github["oidc_provider"] = f"arn:aws:iam::{accounts[0]}:oidc-provider/{GITHUB_OIDC_HOST}"
            result.notes.append(
                f"{name} deploys into the same account as {source} ({accounts[0]}), so it adopts the GitHub OIDC "
                f"provider {source} creates; for another account change aws:allowedAccountIds and "
                "github.oidc_provider"
            )
        else:
            result.notes.append(
                f"github.oidc_provider is 'create' in {source}: set it to that provider's ARN if {name} deploys "
                "into the same AWS account (declare aws:allowedAccountIds to make this automatic)"
            )

    for key in list(config):
        value = config[key]
        for path in _secret_paths(value, key):
            result.secret_commands.append(f"pulumi config set --secret --path '{path}' <value> --stack {name}")
        if is_secure(value) or key == SECRETS:
            del config[key]
        elif isinstance(value, dict):
            _drop_secure(value)

    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    header = f"# Stage {name!r}, created by `stagecraft new-stage {name} --from {source}`.\n"
    target.write_text(header + buffer.getvalue(), encoding="utf-8")
    return result


def _drop_secure(mapping: dict[str, Any]) -> None:
    for key in list(mapping):
        value = mapping[key]
        if is_secure(value):
            del mapping[key]
        elif isinstance(value, dict):
            _drop_secure(value)
