from __future__ import annotations

import pulumi
import pytest

from components.deploy_role import DeployRole, DeployRoleArgs
from components.errors import ComponentInputError
from components.github_oidc_provider import GithubOidcProvider, GithubOidcProviderArgs
from stagecraft.plan.runner import run_program
from tests.conftest import RunProgram

OIDC = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
EXISTING = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def _oidc(name: str, args: GithubOidcProviderArgs) -> None:
    GithubOidcProvider(name, args)


def test_creates_the_provider_protected(run: RunProgram) -> None:
    def program() -> None:
        provider = GithubOidcProvider("github-oidc", GithubOidcProviderArgs(tags={"managed-by": "stagecraft"}))
        pulumi.export("arn", provider.arn)

    inv = run(program)
    created = inv.one(OIDC, "github-oidc-provider")
    assert created.inputs == {
        "clientIdLists": ["sts.amazonaws.com"],
        "tags": {"managed-by": "stagecraft"},
        "url": "https://token.actions.githubusercontent.com",
    }
    assert created.protect and created.retain_on_delete
    assert inv.outputs["arn"] == EXISTING


def test_protection_follows_args(run: RunProgram) -> None:
    inv = run(lambda: _oidc("github-oidc", GithubOidcProviderArgs(protect=False)))
    created = inv.one(OIDC)
    assert not created.protect and not created.retain_on_delete


def test_adopts_an_existing_provider(run: RunProgram) -> None:
    def program() -> None:
        provider = GithubOidcProvider("github-oidc", GithubOidcProviderArgs(existing_arn=EXISTING))
        DeployRole(
            "staging-deploy",
            DeployRoleArgs(
                role_name="shop-staging-deploy",
                oidc_provider_arn=provider.arn,
                repository_owner="example",
                repository="shop",
                environment="staging",
            ),
        )
        pulumi.export("arn", provider.arn)

    inv = run(program)
    assert inv.of_type(OIDC) == []
    assert inv.outputs["arn"] == EXISTING
    assert EXISTING in inv.one("aws:iam/role:Role").inputs["assumeRolePolicy"]


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::123:oidc-provider/token.actions.githubusercontent.com",
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
        "arn:aws:iam::123456789012:role/token.actions.githubusercontent.com",
        "token.actions.githubusercontent.com",
    ],
)
def test_existing_arn_shape_is_checked(arn: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        run_program(
            lambda: _oidc("o", GithubOidcProviderArgs(existing_arn=arn)),
            project="stagecraft",
            stack="staging",
        )
    assert str(err.value) == (
        f"GithubOidcProvider: existing_arn={arn!r} is invalid: "
        "arn:aws:iam::<12-digit account>:oidc-provider/token.actions.githubusercontent.com"
    )
