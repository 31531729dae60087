"""Every limit the layers' docs state is a config error naming the full key, the bad value and what is allowed.

The docs are read, not restated: docs/components/bootstrap.md's and repository.md's config tables and the cluster
layer's section of docs/configuration.md (:mod:`tests.infra.config.doc_limits`). Each stated clause of a Limits
cell needs an entry of ``LAYER_LIMITS`` that breaks it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.naming import is_github_repository
from infra.config import load_stage_config
from infra.config.account import load_account_config
from infra.config.cluster import load_cluster_config
from infra.config.repository import load_repository_config
from tests.infra.config import doc_limits
from tests.infra.config.conftest import BASE, values
from tests.infra.config.test_limits import CLUSTER, problem_at
from tests.stagecraft.conftest import ROOT

ACCOUNT_STAGE = {"app": "amani-backend", "stage": "staging", "repository": "amani-labs/amani-backend"}
A = "stagecraft:account"
R = "stagecraft:repository"
C = "stagecraft:cluster"
Loader = Callable[[str, dict[str, Any]], object]


def _account(**settings: Any) -> dict[str, Any]:
    return {
        "aws:region": "us-east-1",
        "aws:allowedAccountIds": ["123456789012"],
        A: {"stages": [dict(ACCOUNT_STAGE)], **settings},
    }


def _stages(*stages: dict[str, Any]) -> dict[str, Any]:
    return _account(stages=[{**ACCOUNT_STAGE, **stage} for stage in stages])


def _repository(**settings: Any) -> dict[str, Any]:
    return {"github:owner": "amani-labs", R: {"repository": "amani-labs/amani-backend", **settings}}


def _branch(**settings: Any) -> dict[str, Any]:
    return _repository(branches={"main": settings})


def _cluster_over(stage_file: str) -> Loader:
    """``load_cluster_config`` against a stage directory holding only ``Pulumi.qa.yaml`` with ``stage_file``."""

    def load(stack: str, values: dict[str, Any]) -> object:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
            (Path(folder) / "Pulumi.qa.yaml").write_text(stage_file)
            return load_cluster_config(stack, values, Path(folder))

    return load


_NO_EKS = yaml.safe_dump({"config": BASE})  # a valid stage; EKS is off unless enabled


@dataclass(frozen=True)
class LayerLimit:
    """One documented limit of a layer, broken just over it."""

    doc: str
    """The doc under docs/ that states it."""
    row: str
    """Its row: the first key of the row's first cell, as the doc's table writes it."""
    loader: Loader
    config: dict[str, Any]
    key: str
    """The full key the problem names."""
    value: str
    """The bad value as YAML, as the message must show it."""
    allowed: str
    """Words of what is allowed, as the message must say them."""
    clause: str = ""
    """Words of the clause of the row it breaks; empty: the row's first."""


BOOT, REPO, CONF = "components/bootstrap.md", "components/repository.md", "configuration.md"
LAYER_LIMITS: list[LayerLimit] = [
    LayerLimit(
        BOOT,
        "aws:allowedAccountIds",
        load_account_config,
        {**_account(), "aws:allowedAccountIds": ["123456789012", "210987654321"]},
        "aws:allowedAccountIds",
        "['123456789012', '210987654321']",
        "exactly one",
    ),
    LayerLimit(BOOT, f"{A}.stages", load_account_config, _account(stages=[]), f"{A}.stages", "[]", "at least 1"),
    LayerLimit(
        BOOT,
        f"{A}.stages",
        load_account_config,
        _stages({}, {}),
        f"{A}.stages[1]",
        "'staging'",
        "each stage once",
        clause="each (app, stage) once",
    ),
    LayerLimit(
        BOOT,
        f"{A}.stages",
        load_account_config,
        _stages({}, {"stage": "stage2", "repository": "Amani-Labs/Amani-Backend", "environment": "Staging"}),
        f"{A}.stages[1].environment",
        "'Staging'",
        "each environment deploys one stage",
        clause="each repository environment once",
    ),
    LayerLimit(
        BOOT,
        f"{A}.stages[].app",
        load_account_config,
        _stages({"app": "a" * 21}),
        f"{A}.stages[0].app",
        "'" + "a" * 21 + "'",
        "2-20",
    ),
    LayerLimit(
        BOOT,
        f"{A}.stages[].stage",
        load_account_config,
        _stages({"stage": "s" * 17}),
        f"{A}.stages[0].stage",
        "'" + "s" * 17 + "'",
        "2-16",
    ),
    LayerLimit(
        BOOT,
        f"{A}.stages[].repository",
        load_account_config,
        _stages({"repository": "amani"}),
        f"{A}.stages[0].repository",
        "'amani'",
        "'owner/name'",
    ),
    LayerLimit(
        BOOT,
        f"{A}.stages[].environment",
        load_account_config,
        _stages({"environment": "a b"}),
        f"{A}.stages[0].environment",
        "'a b'",
        "1-247 letters",
    ),
    LayerLimit(
        BOOT,
        f"{A}.stages[].additional_regions",
        load_account_config,
        _stages({"additional_regions": ["us-east-9"]}),
        f"{A}.stages[0].additional_regions[0]",
        "'us-east-9'",
        "regions of",
    ),
    LayerLimit(
        BOOT,
        f"{A}.stages[].additional_regions",
        load_account_config,
        _stages({"additional_regions": ["cn-north-1"]}),
        f"{A}.stages[0].additional_regions[0]",
        "'cn-north-1'",
        "regions of the aws partition",
    ),
    LayerLimit(
        BOOT,
        f"{A}.stages[].additional_regions",
        load_account_config,
        _stages({"additional_regions": ["us-east-1"]}),
        f"{A}.stages[0].additional_regions[0]",
        "'us-east-1'",
        "aws:region is always included",
    ),
    LayerLimit(
        BOOT,
        f"{A}.noncurrent_version_days",
        load_account_config,
        _account(noncurrent_version_days=3651),
        f"{A}.noncurrent_version_days",
        "3651",
        "3650",
    ),
    LayerLimit(
        BOOT,
        f"{A}.github_connection",
        load_account_config,
        _stages({}, {"stage": "stage2", "repository": "other-org/api"}),
        f"{A}.github_connection",
        "true",
        "one owner's repositories",
    ),
    LayerLimit(
        REPO,
        "repository",
        load_repository_config,
        _repository(repository="amani"),
        f"{R}.repository",
        "'amani'",
        "'owner/name'",
    ),
    LayerLimit(
        REPO,
        "repository",
        load_repository_config,
        {**_repository(), "github:owner": "someone-else"},
        "github:owner",
        "'someone-else'",
        "'amani-labs'",
        clause="`github:owner` must be the owner",
    ),
    LayerLimit(
        REPO,
        "branches",
        load_repository_config,
        _repository(branches={"refs/heads/main": {}}),
        f"{R}.branches",
        "'refs/heads/main'",
        "concrete git branch name",
    ),
    LayerLimit(
        REPO,
        "tags",
        load_repository_config,
        _repository(tags={"Release": {"patterns": ["v*"], "bypass": ["team:release"]}}),
        f"{R}.tags",
        "'Release'",
        "lowercase letters, digits and '-'",
    ),
    LayerLimit(
        REPO,
        "tags",
        load_repository_config,
        _repository(tags={"release": {"patterns": [], "bypass": ["team:release"]}}),
        f"{R}.tags.release.patterns",
        "[]",
        "at least one tag pattern",
        clause="at least one pattern",
    ),
    LayerLimit(
        REPO,
        "tags",
        load_repository_config,
        _repository(tags={"release": {"patterns": ["v*"], "bypass": []}}),
        f"{R}.tags.release.bypass",
        "[]",
        "at least one",
        clause="at least one bypass actor",
    ),
    LayerLimit(
        REPO,
        "tags",
        load_repository_config,
        _repository(
            tags={
                "a": {"patterns": ["v*"], "bypass": ["team:release"]},
                "b": {"patterns": ["v*"], "bypass": ["team:release"]},
            }
        ),
        f"{R}.tags.b.patterns",
        "'v*'",
        "already covered by tags.a",
        clause="a pattern in one ruleset only",
    ),
    LayerLimit(
        REPO,
        "secrets",
        load_repository_config,
        _repository(secrets=["9LIVES"]),
        f"{R}.secrets",
        "'9LIVES'",
        "does not match",
    ),
    LayerLimit(
        REPO,
        "secrets",
        load_repository_config,
        _repository(secrets=["github_app_key"]),
        f"{R}.secrets",
        "'github_app_key'",
        "'GITHUB_' in any case",
    ),
    LayerLimit(
        REPO,
        "variables",
        load_repository_config,
        _repository(variables={"Github_Ref": "x"}),
        f"{R}.variables",
        "'Github_Ref'",
        "'GITHUB_' in any case",
    ),
    LayerLimit(
        REPO,
        "secrets",
        load_repository_config,
        _repository(secrets=["db_url", "DB_URL"]),
        f"{R}.secrets",
        "'DB_URL'",
        "ignore case",
        clause="unique ignoring case",
    ),
    LayerLimit(
        REPO,
        "secrets",
        load_repository_config,
        _repository(secrets=["DB_URL"]),
        "stagecraft:secrets.repository.DB_URL",
        f"{R}.secrets",
        "has no value",
        clause="each needs a value",
    ),
    LayerLimit(
        REPO,
        "variables",
        load_repository_config,
        _repository(variables={"9LIVES": "x"}),
        f"{R}.variables",
        "'9LIVES'",
        "github-variable",
    ),
    LayerLimit(
        REPO,
        "variables",
        load_repository_config,
        _repository(variables={"region": "x", "REGION": "y"}),
        f"{R}.variables",
        "'REGION'",
        "ignore case",
        clause="unique ignoring case",
    ),
    LayerLimit(
        REPO,
        "variables",
        load_repository_config,
        _repository(secrets=["CODECOV_TOKEN"], variables={"codecov_token": "x"}),
        f"{R}.variables.codecov_token",
        "'codecov_token'",
        "also a repository secret",
        clause="not also a secret",
    ),
    LayerLimit(
        REPO,
        "preview_environments",
        load_repository_config,
        _repository(preview_environments={"staging": {}}),
        f"{R}.preview_environments",
        "{'staging': {}}",
        "'<environment>-preview'",
    ),
    LayerLimit(
        REPO,
        "preview_environments",
        load_repository_config,
        _repository(preview_environments={"Staging-preview": {}, "staging-preview": {}}),
        f"{R}.preview_environments",
        "'staging-preview'",
        "name the same environment",
        clause="unique ignoring case",
    ),
    LayerLimit(
        REPO,
        "branches.<name>.mode",
        load_repository_config,
        _branch(mode="fast"),
        f"{R}.branches.main.mode",
        "'fast'",
        "'classic' or 'ruleset'",
    ),
    LayerLimit(
        REPO,
        "branches.<name>.status_checks",
        load_repository_config,
        _branch(status_checks=["ci", "ci"]),
        f"{R}.branches.main.status_checks",
        "['ci', 'ci']",
        "distinct check names",
    ),
    LayerLimit(
        REPO,
        "branches.<name>.required_approving_reviews",
        load_repository_config,
        _branch(required_approving_reviews=7),
        f"{R}.branches.main.required_approving_reviews",
        "7",
        "0-6",
    ),
    LayerLimit(
        REPO,
        "branches.<name>.required_deployments",
        load_repository_config,
        _branch(required_deployments=["Staging", "staging"]),
        f"{R}.branches.main.required_deployments",
        "['Staging', 'staging']",
        "ignore case",
    ),
    LayerLimit(
        REPO,
        "branches.<name>.required_deployments",
        load_repository_config,
        _branch(required_deployments=["a;b"]),
        f"{R}.branches.main.required_deployments",
        "'a;b'",
        "does not match the rule",
    ),
    LayerLimit(
        REPO,
        "branches.<name>.required_deployments",
        load_repository_config,
        _branch(mode="classic", required_deployments=["staging"]),
        f"{R}.branches.main.required_deployments",
        "['staging']",
        "needs 'mode: ruleset'",
        clause="`ruleset` mode only",
    ),
    LayerLimit(
        CONF,
        f"{C}.stage",
        load_cluster_config,
        {C: {"stage": "Staging"}},
        f"{C}.stage",
        "'Staging'",
        "2-16 lowercase",
    ),
    LayerLimit(
        CONF,
        f"{C}.stage",
        _cluster_over(_NO_EKS),
        {C: {"stage": "missing"}},
        f"{C}.stage",
        "'missing'",
        "names no readable stage stack",
        clause="a stage stack at the repository root",
    ),
    LayerLimit(
        CONF,
        f"{C}.stage",
        _cluster_over(_NO_EKS),
        {C: {"stage": "qa"}},
        f"{C}.stage",
        "'qa'",
        "has no EKS cluster",
        clause="that stage has",
    ),
]
NOT_LAYER_LIMITS: dict[str, set[str]] = {
    # booleans, documented by what they turn on; nothing to break
    REPO: {
        f"branches.<name>.{key}"
        for key in (
            "dismiss_stale_reviews",
            "require_code_owner_reviews",
            "require_last_push_approval",
            "require_conversation_resolution",
            "enforce_admins",
            "require_linear_history",
            "require_signed_commits",
        )
    },
}


def _rows(doc: str) -> dict[str, str]:
    table = doc_limits.rows((doc_limits.DOCS / doc).read_text())
    return {k: v for k, v in table.items() if k.startswith(CLUSTER)} if doc == CONF else table


@pytest.mark.parametrize("limit", LAYER_LIMITS, ids=lambda limit: f"{limit.key}={limit.value}")
def test_breaking_a_layer_limit_is_a_config_error(limit: LayerLimit) -> None:
    message = problem_at(lambda: limit.loader("amani-staging", limit.config), limit.key)
    assert limit.value in message and limit.allowed in message, message


@pytest.mark.parametrize("doc", [BOOT, REPO, CONF])
def test_every_limit_a_layer_doc_states_is_covered(doc: str) -> None:
    table = _rows(doc)
    assert table, f"{doc} states no limits in a table with a Limits column"
    entries = [(limit.row, limit.clause) for limit in LAYER_LIMITS if limit.doc == doc]
    empty = {k for k, cell in table.items() if not cell}
    assert empty == NOT_LAYER_LIMITS.get(doc, set())  # a row without limits is a known boolean
    missing, stray, stale = doc_limits.uncovered(table, entries, (), {})
    assert (missing, stray, stale) == ([], [], [])


@pytest.mark.parametrize(
    ("repository", "valid"),
    [
        ("amani-labs/amani-backend", True),
        ("Amani-Labs/api.v2", True),
        ("x/y.git", False),  # GitHub strips '.git': not the repository's name
        ("a--b/c", False),  # no login has '--'
        ("-a/b", False),
        ("a/..", False),
        ("a", False),
    ],
)
def test_every_layer_reads_a_repository_the_same_way(repository: str, valid: bool) -> None:
    """The stage, account and repository layers share one rule (components.naming.is_github_repository)."""
    assert is_github_repository(repository) is valid
    owner = repository.split("/")[0]
    layers: list[tuple[Loader, dict[str, Any], str]] = [
        (load_stage_config, {**values(repository=repository), "github:owner": owner}, "stagecraft:stage.repository"),
        (load_account_config, _stages({"repository": repository}), f"{A}.stages[0].repository"),
        (load_repository_config, {"github:owner": owner, R: {"repository": repository}}, f"{R}.repository"),
    ]
    for loader, config, key in layers:
        if valid:
            loader("qa", config)
        else:
            assert "owner/name" in problem_at(lambda: loader("qa", config), key)  # noqa: B023
