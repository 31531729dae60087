from __future__ import annotations

import pulumi
import pulumi_github as github
import pytest

from components.errors import ComponentInputError
from components.repository_secrets import RepositorySecrets, RepositorySecretsArgs
from stagecraft.plan.inventory import SECRET
from stagecraft.plan.runner import run_program
from tests.conftest import RunProgram

SECRET_T = "github:index/actionsSecret:ActionsSecret"
VARIABLE = "github:index/actionsVariable:ActionsVariable"


def _build(args: RepositorySecretsArgs) -> None:
    provider = github.Provider("gh", owner="example")
    RepositorySecrets("staging-repo", args, opts=pulumi.ResourceOptions(providers={"github": provider}))


def test_repository_secrets_and_variables(run: RunProgram) -> None:
    args = RepositorySecretsArgs(
        repository="shop",
        secrets={"STAGING_SLACK_WEBHOOK": pulumi.Output.secret("https://hooks.example/t0ps3cret")},
        variables={"STAGING_URL": "https://staging.example.com"},
    )
    inv = run(lambda: _build(args))
    provider = inv.one("pulumi:providers:github").urn
    secret = inv.one(SECRET_T, "staging-repo-secret-STAGING_SLACK_WEBHOOK")
    variable = inv.one(VARIABLE, "staging-repo-variable-STAGING_URL")
    assert secret.inputs == {"repository": "shop", "secretName": "STAGING_SLACK_WEBHOOK", "value": SECRET}
    assert variable.inputs == {
        "repository": "shop",
        "value": "https://staging.example.com",
        "variableName": "STAGING_URL",
    }
    assert secret.provider == provider and variable.provider == provider
    assert "t0ps3cret" not in repr(inv)


def test_aws_keys_refused() -> None:
    args = RepositorySecretsArgs(repository="shop", secrets={"AWS_ACCESS_KEY_ID": "AKIA..."})
    with pytest.raises(ComponentInputError, match="deploy role"):
        run_program(lambda: _build(args), project="stagecraft", stack="staging")


def test_repository_must_be_a_bare_name() -> None:
    args = RepositorySecretsArgs(repository="example/shop")
    with pytest.raises(ComponentInputError, match="without the owner"):
        run_program(lambda: _build(args), project="stagecraft", stack="staging")
