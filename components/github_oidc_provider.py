"""GitHub Actions' OIDC identity provider in an AWS account: created once per account by the account bootstrap."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError

_COMPONENT = "GithubOidcProvider"
URL = "https://token.actions.githubusercontent.com"
"""GitHub Actions' OIDC issuer."""
CLIENT_ID = "sts.amazonaws.com"
"""The audience GitHub's tokens carry when requested for AWS."""
_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com")


@dataclass(frozen=True, kw_only=True)
class GithubOidcProviderArgs:
    """Inputs of :class:`GithubOidcProvider`."""

    existing_arn: str | None = None
    """ARN of a provider another stack created; when given nothing is created and this ARN is the output."""
    protect: bool = True
    """Protect the created provider and keep it on delete: every deploy role in the account trusts it."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the created provider."""


class GithubOidcProvider(pulumi.ComponentResource):
    """The account's IAM OIDC identity provider for GitHub Actions (one per account).

    No thumbprint is given: IAM trusts GitHub's issuer through its own root CA library.
    """

    arn: pulumi.Output[str]
    """ARN to trust in deploy roles' ``Principal.Federated``."""

    def __init__(self, name: str, args: GithubOidcProviderArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:delivery:GithubOidcProvider", name, None, opts)
        if args.existing_arn is not None:
            if not _ARN.fullmatch(args.existing_arn):
                raise ComponentInputError(
                    _COMPONENT,
                    "existing_arn",
                    args.existing_arn,
                    "arn:aws:iam::<12-digit account>:oidc-provider/token.actions.githubusercontent.com",
                )
            self.arn = pulumi.Output.from_input(args.existing_arn)
        else:
            provider = aws.iam.OpenIdConnectProvider(
                f"{name}-provider",
                url=URL,
                client_id_lists=[CLIENT_ID],
                tags=dict(args.tags),
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect),
            )
            self.arn = provider.arn
        self.register_outputs({"arn": self.arn})
