"""The account's CodeConnections connection to GitHub, through which CodeBuild-hosted runners reach GitHub.

Created once per account by the bootstrap, in state ``PENDING``: a person with admin rights on the GitHub
organization completes it once in the console (Developer Tools > Settings > Connections > Update pending
connection), which installs the AWS Connector GitHub App; the API cannot
(https://docs.aws.amazon.com/dtconsole/latest/userguide/connections-update.html). Stages find it by
:data:`GITHUB_CONNECTION_NAME`, so no ARN is copied by hand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError

_COMPONENT = "GithubConnection"

GITHUB_CONNECTION_NAME = "stagecraft-github"
"""The connection's name in every account: the stages look it up by this name (unique per account and region)."""

_NAME = re.compile(r"[\w .@+=,-]{1,32}")
"""Connection names: 1-32 characters (https://docs.aws.amazon.com/codeconnections/latest/APIReference/API_CreateConnection.html)."""


@dataclass(frozen=True, kw_only=True)
class GithubConnectionArgs:
    """Inputs of :class:`GithubConnection`."""

    connection_name: str = GITHUB_CONNECTION_NAME
    """The connection's name; changing it replaces the connection, which then needs a new approval."""
    protect: bool = True
    """Protect the connection (and retain it on delete): a replacement means another console approval."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags of the connection."""


class GithubConnection(pulumi.ComponentResource):
    """A CodeConnections connection of provider type GitHub, protected and retained on delete."""

    arn: pulumi.Output[str]
    """The connection ARN (``arn:aws:codeconnections:<region>:<account>:connection/<id>``)."""
    connection_name: pulumi.Output[str]
    """The connection name."""
    status: pulumi.Output[str]
    """``PENDING`` until approved in the console, then ``AVAILABLE``."""

    def __init__(self, name: str, args: GithubConnectionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:bootstrap:GithubConnection", name, None, opts)
        if not _NAME.fullmatch(args.connection_name):
            raise ComponentInputError(
                _COMPONENT, "connection_name", args.connection_name, "1-32 letters, digits, spaces and '_.@+=,-'"
            )
        connection = aws.codeconnections.Connection(
            f"{name}-connection",
            name=args.connection_name,
            provider_type="GitHub",
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect),
        )
        self.arn = connection.arn
        self.connection_name = connection.name
        self.status = connection.connection_status
        self.register_outputs({"arn": self.arn, "connection_name": self.connection_name, "status": self.status})
