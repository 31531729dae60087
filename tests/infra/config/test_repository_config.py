from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from infra.config import ConfigError
from infra.config.repository import (
    BranchSettings,
    PreviewSettings,
    RepositoryConfig,
    RepositorySettings,
    TagRulesetSettings,
    load_repository_config,
)
from infra.config.stackfiles import load_stack
from stagecraft.plan.layers import with_declared_secrets

ROOT = Path(__file__).resolve().parents[3]
R = "stagecraft:repository"


def _base() -> dict[str, Any]:
    return {
        "github:owner": "amani-labs",
        R: {
            "repository": "amani-labs/amani-backend",
            "branches": {"main": {"status_checks": ["test"], "required_deployments": ["staging"]}},
            "tags": {"release": {"patterns": ["v*"], "bypass": ["team:release"]}},
            "secrets": ["CODECOV_TOKEN"],
            "preview_environments": {"staging-preview": {"branches": "any"}, "production-preview": {}},
        },
        "stagecraft:secrets": {"repository": {"CODECOV_TOKEN": {"secure": "v1:abc"}}},
    }


def _with(**settings: Any) -> dict[str, Any]:
    values = _base()
    values[R].update(copy.deepcopy(settings))
    return values


def _problems(values: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_repository_config("amani-backend", values)
    return [str(p) for p in caught.value.problems]


def test_shipped_stack_loads() -> None:
    values = load_stack(ROOT / "repository", "amani-backend").placeholder_values()
    # The committed file holds no ciphertext: the secret is declared, its value is set with `config set`.
    assert _problems(values) == [
        "stagecraft:secrets.repository.CODECOV_TOKEN: is declared in stagecraft:repository.secrets but has no value; "
        "set it with `pulumi config set --secret --path 'stagecraft:secrets.repository.CODECOV_TOKEN' <value>`"
    ]
    offline = with_declared_secrets(load_stack(ROOT / "repository", "amani-backend")).placeholder_values()
    config = load_repository_config("amani-backend", offline)
    assert (config.owner, config.name) == ("amani-labs", "amani-backend")
    assert sorted(config.settings.branches) == ["develop", "main"]
    main = config.settings.branches["main"]
    assert (main.mode, main.required_approving_reviews, main.required_deployments) == ("ruleset", 2, ["staging"])
    assert config.settings.tags["release"].bypass == ["team:release"]
    assert config.secret_names == ("CODECOV_TOKEN",)


def test_defaults_are_the_strict_settings() -> None:
    config = load_repository_config("r", _with(branches={"main": {}}))
    main = config.settings.branches["main"]
    assert main.mode == "ruleset"
    assert (main.enforce_admins, main.require_code_owner_reviews, main.require_last_push_approval) == (True,) * 3
    assert config.settings.preview_environments["production-preview"].branches == "protected"


def test_a_set_secret_is_read_from_stagecraft_secrets() -> None:
    values = _base()
    values["stagecraft:secrets"] = {"repository": {"CODECOV_TOKEN": {"secure": "v1:abc"}}}
    config = load_repository_config("r", values)
    assert isinstance(config, RepositoryConfig)
    assert config.secret_names == ("CODECOV_TOKEN",)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {k: v for k, v in _base().items() if k != "github:owner"},
            "github:owner: is missing; the default GitHub provider must be configured for the owner of "
            "stagecraft:repository.repository ('amani-labs/amani-backend'): set it to 'amani-labs'",
        ),
        (
            {**_base(), "github:owner": "amani"},
            "github:owner: is 'amani'; the default GitHub provider must be configured for the owner of "
            "stagecraft:repository.repository ('amani-labs/amani-backend'): set it to 'amani-labs'",
        ),
        (
            {**_base(), "stagecraft:stage": {}},
            "stagecraft:stage: unknown key in a repository stack; did you mean 'stagecraft:secrets'?",
        ),
        (
            {"github:owner": "amani-labs"},
            "stagecraft:repository: required key is missing; it holds the repository's settings",
        ),
        (
            {
                **_base(),
                "stagecraft:secrets": {
                    "repository": {"CODECOV_TOKEN": {"secure": "v1:y"}, "SENTRY": {"secure": "v1:x"}}
                },
            },
            "stagecraft:secrets.repository.SENTRY: is not declared; add 'SENTRY' to stagecraft:repository.secrets, or "
            "remove the value (`pulumi config rm --path 'stagecraft:secrets.repository.SENTRY'`)",
        ),
        (
            {
                **_base(),
                "stagecraft:secrets": {
                    "repository": {"CODECOV_TOKEN": {"secure": "v1:y"}},
                    "environment": {"SECRET_KEY": {"secure": "v1:x"}},
                },
            },
            "stagecraft:secrets.environment: unknown key; allowed keys here: repository; environment secrets belong to "
            "the stage that owns the environment (its stack's stagecraft:secrets.environment)",
        ),
        (
            {**_base(), "github:token": "ghp_plain"},
            "github:token: is stored in plain text; remove it (`pulumi config rm github:token`), revoke the token, "
            "and give the new one in the GITHUB_TOKEN environment variable",
        ),
    ],
)
def test_stack_level_problems(values: dict[str, Any], expected: str) -> None:
    assert _problems(values) == [expected]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"repository": "amani-backend"},
            "stagecraft:repository.repository: 'amani-backend' is not allowed: must be a GitHub repository as "
            "'owner/name', e.g. 'amani-labs/amani-backend'",
        ),
        (
            {"branches": {"release/*": {}}},
            "stagecraft:repository.branches: {'release/*': {}} is not allowed: branch 'release/*' must be a concrete "
            "git branch name, without 'refs/heads/', spaces or '*', '?', '['",
        ),
        (
            {"branches": {"main": {"mode": "classic", "required_deployments": ["staging"]}}},
            "stagecraft:repository.branches.main.required_deployments: ['staging'] needs 'mode: ruleset': classic "
            "branch protection cannot require a deployment to succeed first",
        ),
        (
            {"branches": {"main": {"required_approving_reviews": 7}}},
            "stagecraft:repository.branches.main.required_approving_reviews: 7 is not allowed: must be 0-6 "
            "(GitHub's limit)",
        ),
        (
            {"branches": {"main": {"status_check": ["test"]}}},
            "stagecraft:repository.branches.main.status_check: unknown key; did you mean 'status_checks'?",
        ),
        (
            {"tags": {"release": {"patterns": ["v*"], "bypass": []}}},
            "stagecraft:repository.tags.release.bypass: [] is not allowed: needs at least one bypass actor "
            "(for example 'team:release'), or nobody can release",
        ),
        (
            {"tags": {"release": {"patterns": ["refs/tags/v*"], "bypass": ["team:release"]}}},
            "stagecraft:repository.tags.release.patterns: ['refs/tags/v*'] is not allowed: pattern 'refs/tags/v*' "
            "must be a non-empty fnmatch pattern without whitespace and without 'refs/'",
        ),
        (
            {"tags": {"release": {"patterns": ["v*"], "bypass": ["release"]}}},
            "stagecraft:repository.tags.release.bypass: ['release'] is not allowed: bypass actor 'release' must be "
            "'team:<slug>', 'user:<login>', 'app:<numeric GitHub App id>' or 'role:maintain|write|admin'",
        ),
        (
            {
                "tags": {
                    "a": {"patterns": ["v*"], "bypass": ["team:release"]},
                    "b": {"patterns": ["v*"], "bypass": ["team:release"]},
                }
            },
            "stagecraft:repository.tags.b.patterns: 'v*' is already covered by tags.a; keep one",
        ),
        (
            {"secrets": ["AWS_SECRET_ACCESS_KEY"]},
            "stagecraft:repository.secrets: ['AWS_SECRET_ACCESS_KEY'] is not allowed: secret 'AWS_SECRET_ACCESS_KEY': "
            "long-lived AWS keys are not stored in GitHub; pipelines assume the stage's deploy role through GitHub "
            "OIDC (aws-actions/configure-aws-credentials, role-to-assume: ${{ vars.AWS_ROLE_ARN }})",
        ),
        (
            {"variables": {"codecov_token": "x"}},
            "stagecraft:repository.variables.codecov_token: 'codecov_token' is also a repository secret "
            "(stagecraft:repository.secrets: CODECOV_TOKEN); a workflow would read the wrong one: rename one of them",
        ),
        (
            {"variables": {"9LIVES": "x"}},
            "stagecraft:repository.variables: {'9LIVES': 'x'} is not allowed: variable '9LIVES': github-variable "
            "'9LIVES' does not match the rule: letters, digits and '_', not starting with a digit or 'GITHUB_'",
        ),
        (
            {"secrets": ["it's"]},
            "stagecraft:repository.secrets: ['it''s'] is not allowed: secret 'it''s': github-secret 'it''s' does "
            "not match the rule: letters, digits and '_', not starting with a digit or 'GITHUB_'",
        ),
        (
            {"preview_environments": {"staging": {}}},
            "stagecraft:repository.preview_environments: {'staging': {}} is not allowed: 'staging' must be named "
            "'<environment>-preview' (e.g. 'staging-preview')",
        ),
        (
            {"preview_environments": {"staging-preview": {"branches": "all"}}},
            "stagecraft:repository.preview_environments.staging-preview.branches: 'all' is not allowed: input "
            "should be 'any' or 'protected'",
        ),
    ],
)
def test_setting_problems(settings: dict[str, Any], expected: str) -> None:
    assert _problems(_with(**settings)) == [expected]


def test_secure_values_in_settings_are_refused_and_not_shown() -> None:
    problems = _problems(_with(variables={"TOKEN": {"secure": "v1:abc"}}))
    assert problems[0] == (
        "stagecraft:repository: holds an encrypted (secure) value; settings are not secret: put secret values "
        "under stagecraft:secrets.repository. Values are not shown in these messages"
    )
    assert all("v1:abc" not in p for p in problems)


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "components" / "repository.md").read_text()
    models = (RepositorySettings, BranchSettings, TagRulesetSettings, PreviewSettings)
    missing = [f"{m.__name__}.{k}" for m in models for k in m.model_fields if f"`{k}`" not in doc]
    assert missing == []
