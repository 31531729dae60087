"""Exact messages of every validation of ``stagecraft:stage.github``, ``stagecraft:secrets`` and ``github:*``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from infra.config.secrets import SecretNames
from tests.infra.config.conftest import load, problems, values

S = "stagecraft:stage"
G = f"{S}.github"
SECURE = {"secure": "v1:AAAA"}
PROD_REVIEWERS = {"reviewers": ["team:platform"]}


def _github(stack: str = "staging", **github: Any) -> dict[str, Any]:
    profile = "production" if stack == "production" else "staging"
    base = dict(PROD_REVIEWERS) if profile == "production" else {}
    return values(profile=profile, github={**base, **github})


def _secrets(values_: Any, **github: Any) -> dict[str, Any]:
    config = _github(**github)
    config["stagecraft:secrets"] = values_
    return config


@pytest.fixture
def engine() -> Iterator[None]:
    """Leave no engine config behind (the loader asks the runtime whether a key is secret)."""
    yield
    pulumi.runtime.set_all_config({}, [])


# --- defaults and floors --------------------------------------------------------------------------------------


def test_staging_defaults_deploy_from_develop_without_approval() -> None:
    config = load(values(github={}))
    github = config.settings.github
    assert (github.deploy_branch, github.tag_patterns, github.reviewers, github.wait_timer_minutes) == (
        "develop",
        [],
        [],
        0,
    )
    assert config.environment == "staging" and github.secrets == []
    # null: no reviewers, so nothing to prevent (GitHub refuses prevent_self_review without a reviewer)
    assert github.prevent_self_review is None and github.self_review_prevented is False


def test_prevent_self_review_null_follows_the_reviewers() -> None:
    github = load(_github(reviewers=["team:platform"])).settings.github
    assert github.prevent_self_review is None and github.self_review_prevented is True
    assert (
        load(_github(reviewers=["team:platform"], prevent_self_review=False)).settings.github.self_review_prevented
        is False
    )


def test_prevent_self_review_true_needs_a_reviewer() -> None:
    # GitHub answers 422 otherwise (github/safe-settings#628); the provider sends the field unconditionally.
    assert problems(_github(prevent_self_review=True)) == [
        f'{G}.prevent_self_review: true is not allowed without reviewers: GitHub answers 422 ("Required reviewers '
        'must have at least one reviewer to set prevent_self_review"); add reviewers or set it to null'
    ]


def test_production_defaults_deploy_from_main_and_release_tags_after_a_wait() -> None:
    github = load(_github("production"), stack="production").settings.github
    assert (github.deploy_branch, github.tag_patterns, github.wait_timer_minutes) == ("main", ["v*"], 5)
    assert github.prevent_self_review and not github.can_admins_bypass


def test_a_stage_may_deploy_from_tags_only() -> None:
    github = load(_github(deploy_branch=None, tag_patterns=["v*"])).settings.github
    assert github.deploy_branch is None and github.tag_patterns == ["v*"]
    assert problems(_github(deploy_branch=None)) == [
        f"{G}.deploy_branch: null is not allowed without tag_patterns: the stage would deploy from no ref; name a "
        "branch or give tag_patterns"
    ]


def test_environment_name_defaults_to_the_stage_and_can_be_set() -> None:
    assert load(values(), stack="org/stagecraft/staging").environment == "staging"
    assert load(_github(environment="Staging-EU")).environment == "Staging-EU"
    assert problems(_github(environment="a;b")) == [
        f"{G}.environment: 'a;b' is not allowed: github-environment 'a;b' does not match the rule: any characters "
        "except quotes, backticks, ',', ';' and '\\'"
    ]


def test_branch_protection_settings_are_the_repository_layers() -> None:
    [problem] = problems(_github(status_checks=["lint"]))
    assert problem.startswith(f"{G}.status_checks: unknown key")


def test_production_needs_a_reviewer() -> None:
    assert problems(_github("production", reviewers=[]), stack="production") == [
        f'{G}.prevent_self_review: true is not allowed without reviewers: GitHub answers 422 ("Required reviewers '
        'must have at least one reviewer to set prevent_self_review"); add reviewers or set it to null',
        f"{G}.reviewers: 0 ([]) is below the production floor (at least 1); raise it, or add "
        "'acknowledge: {github.reviewers: <reason>}' to accept the weaker setting",
    ]


@pytest.mark.parametrize(
    ("key", "value", "floor"),
    [
        ("wait_timer_minutes", 0, "at least 5"),
        ("prevent_self_review", False, "true"),
        ("can_admins_bypass", True, "false"),
    ],
)
def test_production_floors(key: str, value: Any, floor: str) -> None:
    assert problems(_github("production", **{key: value}), stack="production") == [
        f"{G}.{key}: {str(value).lower()} is below the production floor ({floor}); raise it, or add "
        f"'acknowledge: {{github.{key}: <reason>}}' to accept the weaker setting"
    ]


# --- field validation ------------------------------------------------------------------------------------------


def test_at_most_six_reviewers() -> None:
    seven = [f"user:dev{i}" for i in range(7)]
    assert problems(_github(reviewers=seven)) == [
        f"{G}.reviewers: {seven!r} is not allowed: GitHub allows at most 6 reviewers per environment "
        "(users and teams together), got 7"
    ]


def test_six_reviewers_are_accepted() -> None:
    six = [f"user:dev{i}" for i in range(5)] + ["team:platform"]
    assert load(_github(reviewers=six)).settings.github.reviewers == six


@pytest.mark.parametrize("reviewer", ["platform", "team:Platform", "group:x", "user:-bad", "user:"])
def test_reviewer_form(reviewer: str) -> None:
    assert problems(_github(reviewers=[reviewer])) == [
        f"{G}.reviewers: {[reviewer]!r} is not allowed: reviewer {reviewer!r} must be written 'user:<login>' or "
        "'team:<slug>' (the lowercase team slug)"
    ]


def test_reviewer_only_once() -> None:
    assert problems(_github(reviewers=["user:Octocat", "user:octocat"])) == [
        f"{G}.reviewers: ['user:Octocat', 'user:octocat'] is not allowed: reviewer 'user:octocat' appears more "
        "than once"
    ]


@pytest.mark.parametrize("minutes", [-1, 43_201])
def test_wait_timer_range(minutes: int) -> None:
    assert problems(_github(wait_timer_minutes=minutes)) == [
        f"{G}.wait_timer_minutes: {minutes} is not allowed: must be 0-43200 minutes (GitHub's limit: 30 days)"
    ]


def test_wait_timer_bounds_are_accepted() -> None:
    assert load(_github(wait_timer_minutes=43_200)).settings.github.wait_timer_minutes == 43_200


@pytest.mark.parametrize(
    "branch",
    [
        "main*",
        "refs/heads/main",
        "feature branch",
        "release/",
        "-x",
        ".main",
        "x/.y",
        "a.lock/b",
        "x.lock",
        "@",
        "a..b",
    ],
)
def test_deploy_branch_is_a_concrete_name(branch: str) -> None:
    assert problems(_github(deploy_branch=branch)) == [
        f"{G}.deploy_branch: {branch!r} is not allowed: must be a concrete git branch name, without "
        "'refs/heads/', spaces or '*', '?', '['"
    ]


@pytest.mark.parametrize("pattern", ["", "v *", "refs/tags/v*"])
def test_tag_pattern_form(pattern: str) -> None:
    assert problems(_github(tag_patterns=[pattern])) == [
        f"{G}.tag_patterns: {[pattern]!r} is not allowed: pattern {pattern!r} must be a non-empty fnmatch "
        "pattern without whitespace and without 'refs/'"
    ]


def test_tag_patterns_unique() -> None:
    assert problems(_github(tag_patterns=["v*", "v*"])) == [
        f"{G}.tag_patterns: ['v*', 'v*'] is not allowed: each tag pattern may appear only once"
    ]


def test_variable_names() -> None:
    assert problems(_github(variables={"1BAD": "x"})) == [
        f"{G}.variables: {{'1BAD': 'x'}} is not allowed: variable '1BAD': github-variable '1BAD' does not match "
        "the rule: letters, digits and '_', not starting with a digit or 'GITHUB_'"
    ]
    assert problems(_github(variables={"Log": "a", "LOG": "b"})) == [
        f"{G}.variables: {{'Log': 'a', 'LOG': 'b'}} is not allowed: variable 'LOG' differs only in case from "
        "another; GitHub ignores case in variable names"
    ]


def test_aws_keys_are_refused_as_variables() -> None:
    assert problems(_github(variables={"AWS_ACCESS_KEY_ID": "AKIA"})) == [
        f"{G}.variables: {{'AWS_ACCESS_KEY_ID': 'AKIA'}} is not allowed: variable 'AWS_ACCESS_KEY_ID': long-lived "
        "AWS keys are not stored in GitHub; pipelines assume the stage's deploy role through GitHub OIDC "
        "(aws-actions/configure-aws-credentials, role-to-assume: ${{ vars.AWS_ROLE_ARN }})"
    ]


def test_variable_may_not_reuse_an_environment_secret_name() -> None:
    config = _secrets({"environment": {"SENTRY_DSN": SECURE}}, secrets=["SENTRY_DSN"], variables={"sentry_dsn": "x"})
    assert problems(config) == [
        f"{G}.variables.sentry_dsn: 'sentry_dsn' is also an environment secret (github.secrets: SENTRY_DSN); a "
        "workflow would read the wrong one: rename one of them"
    ]


def test_unknown_github_key() -> None:
    assert problems(_github(reviewer=["user:x"])) == [f"{G}.reviewer: unknown key; did you mean 'reviewers'?"]


# --- stagecraft:secrets ------------------------------------------------------------------------------------------

K = "stagecraft:secrets"


def test_secret_names_are_declared_and_values_read_without_being_shown() -> None:
    config = load(
        _secrets({"environment": {"SENTRY_DSN": SECURE, "API_KEY": "[secret]"}}, secrets=["SENTRY_DSN", "API_KEY"])
    )
    assert config.secrets == SecretNames(environment=("API_KEY", "SENTRY_DSN"))
    assert load(values()).secrets == SecretNames()


def test_a_declared_secret_without_a_value_stops_the_run_naming_the_command() -> None:
    assert problems(_secrets({"environment": {"SENTRY_DSN": SECURE}}, secrets=["SENTRY_DSN", "API_KEY"])) == [
        f"{K}.environment.API_KEY: is declared in {G}.secrets but has no value; set it with "
        f"`pulumi config set --secret --path '{K}.environment.API_KEY' <value>`"
    ]
    assert len(problems(_github(secrets=["A", "B"]))) == 2


def test_an_undeclared_value_is_refused() -> None:
    assert problems(_secrets({"environment": {"SENTRY_DSN": SECURE}})) == [
        f"{K}.environment.SENTRY_DSN: is not declared; add 'SENTRY_DSN' to {G}.secrets, or remove the value "
        f"(`pulumi config rm --path '{K}.environment.SENTRY_DSN'`)"
    ]
    assert problems(_secrets({"environment": {"sentry_dsn": SECURE}}, secrets=["SENTRY_DSN"])) == [
        f"{K}.environment.SENTRY_DSN: is declared in {G}.secrets but has no value; set it with "
        f"`pulumi config set --secret --path '{K}.environment.SENTRY_DSN' <value>`",
        f"{K}.environment.sentry_dsn: is declared as 'SENTRY_DSN' in {G}.secrets; use one case",
    ]


def test_plain_text_secret_is_refused_with_the_command_to_fix_it() -> None:
    config = _secrets({"environment": {"SENTRY_DSN": "https://key@sentry.io/1"}}, secrets=["SENTRY_DSN"])
    assert problems(config) == [
        f"{K}.environment.SENTRY_DSN: is stored in plain text; secret values must be encrypted: run "
        f"`pulumi config set --secret --path '{K}.environment.SENTRY_DSN' <value>` (and rotate the value: it is in "
        "the stack file's history)"
    ]


def test_non_string_plain_value_is_refused() -> None:
    [problem] = problems(_secrets({"environment": {"PIN": 1234}}, secrets=["PIN"]))
    assert problem.startswith(f"{K}.environment.PIN: is stored in plain text;")


def test_repository_secrets_belong_to_the_repository_layer() -> None:
    assert problems(_secrets({"repository": {"CODECOV_TOKEN": SECURE}})) == [
        f"{K}.repository: unknown key; allowed keys here: environment; repository-level secrets belong to the "
        "repository layer (repository/, stagecraft:repository)"
    ]


def test_aws_keys_are_refused_as_secrets() -> None:
    assert problems(_github(secrets=["AWS_SECRET_ACCESS_KEY"])) == [
        f"{G}.secrets: ['AWS_SECRET_ACCESS_KEY'] is not allowed: secret 'AWS_SECRET_ACCESS_KEY': long-lived AWS keys "
        "are not stored in GitHub; pipelines assume the stage's deploy role through GitHub OIDC "
        "(aws-actions/configure-aws-credentials, role-to-assume: ${{ vars.AWS_ROLE_ARN }})"
    ]


def test_secret_name_rule() -> None:
    assert problems(_github(secrets=["GITHUB_TOKEN"])) == [
        f"{G}.secrets: ['GITHUB_TOKEN'] is not allowed: secret 'GITHUB_TOKEN': github-secret 'GITHUB_TOKEN' does not "
        "match the rule: letters, digits and '_', not starting with a digit or 'GITHUB_'"
    ]


def test_secret_names_ignore_case() -> None:
    assert problems(_github(secrets=["Token", "TOKEN"])) == [
        f"{G}.secrets: ['Token', 'TOKEN'] is not allowed: secret 'TOKEN' appears more than once (GitHub names "
        "ignore case)"
    ]


def test_secrets_shape() -> None:
    assert problems(_secrets(["SENTRY_DSN"])) == [f"{K}: must be a mapping with environment, got list"]
    assert problems(_secrets({"env": {"A": SECURE}})) == [f"{K}.env: unknown key; allowed keys here: environment"]
    assert problems(_secrets({"environment": ["A"]}, secrets=["A"])) == [
        f"{K}.environment: must be a mapping of secret name to a `secure:` value",
        f"{K}.environment.A: is declared in {G}.secrets but has no value; set it with "
        f"`pulumi config set --secret --path '{K}.environment.A' <value>`",
    ]


def test_engine_decrypted_values_are_accepted_only_when_the_engine_marks_the_key_secret(engine: None) -> None:
    decrypted = {"environment": {"SENTRY_DSN": "https://key@sentry.io/1"}}
    pulumi.runtime.set_all_config({K: json.dumps(decrypted)}, [K])
    assert load(_secrets(decrypted, secrets=["SENTRY_DSN"])).secrets.environment == ("SENTRY_DSN",)
    # The same values, but the engine does not mark the key secret: they were written in plain text.
    pulumi.runtime.set_all_config({K: json.dumps(decrypted)}, [])
    [problem] = problems(_secrets(decrypted, secrets=["SENTRY_DSN"]))
    assert problem.startswith(f"{K}.environment.SENTRY_DSN: is stored in plain text;")


def test_leftover_engine_config_does_not_vouch_for_other_values(engine: None) -> None:
    pulumi.runtime.set_all_config({K: json.dumps({"environment": {"A": "[secret]"}})}, [K])
    [problem] = problems(_secrets({"environment": {"A": "plain"}}, secrets=["A"]))
    assert problem.startswith(f"{K}.environment.A: is stored in plain text;")


# --- github:owner and github:token ----------------------------------------------------------------------------


def test_github_owner_must_be_the_repository_owner() -> None:
    config = values()
    config["github:owner"] = "someone-else"
    assert problems(config) == [
        "github:owner: 'someone-else' is not the owner of the repository ('amani-labs/amani-backend'); set it to "
        "'amani-labs'"
    ]
    config["github:owner"] = "Amani-Labs"  # the same owner: GitHub ignores case in owner names
    assert load(config).github_repository == "amani-backend"
    del config["github:owner"]
    assert problems(config) == [
        "github:owner: required key is missing; set it with `pulumi config set github:owner amani-labs` (the GitHub "
        "provider acts for this owner; its token comes from GITHUB_TOKEN)"
    ]


def test_github_owner_is_derived_from_the_repository() -> None:
    config = load(values())
    assert (config.github_owner, config.github_repository) == ("amani-labs", "amani-backend")


def test_plain_text_github_token_is_refused() -> None:
    config = values()
    config["github:token"] = "ghp_plain"
    assert problems(config) == [
        "github:token: is stored in plain text; remove it (`pulumi config rm github:token`), revoke the token, and "
        "give the new one in the GITHUB_TOKEN environment variable"
    ]
    config["github:token"] = {"secure": "v1:AAAA"}
    load(config)
