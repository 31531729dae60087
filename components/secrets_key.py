"""The account's KMS key for Pulumi stack secrets (the ``awskms://`` secrets provider) and the state bucket."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.naming import name_problems
from components.stage_key import DELETION_WINDOW_DAYS

COMPONENT = "SecretsKey"


@dataclass(frozen=True, kw_only=True)
class SecretsKeyArgs:
    """Inputs of :class:`SecretsKey`."""

    alias_name: str
    """Full alias, e.g. ``alias/stagecraft-secrets`` (what ``awskms://<alias>?region=...`` names)."""
    account_id: str
    """The account whose root administers the key; IAM policies of that account grant its use."""
    description: str = "Stagecraft: Pulumi stack secrets and state bucket encryption"
    """Key description shown in the console."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the key."""
    protect: bool = True
    """Pulumi ``protect`` and ``retain_on_delete`` on the key: without it no stack's secrets decrypt."""


def secrets_key_policy(account_id: str) -> dict[str, Any]:
    """Only the account root: every use is granted by IAM policies of the account (the Pulumi roles').

    Nothing is granted to ``"Principal": "*"``, so no other account and no service can use the key
    unless an IAM principal of this account calls it (S3 SSE-KMS acts with the caller's permissions).
    https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
    """
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountRootAdministersAndIamGrants",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


class SecretsKey(pulumi.ComponentResource):
    """A rotating, protected customer-managed KMS key with an alias and a root-only key policy."""

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias_name: pulumi.Output[str]

    def __init__(self, name: str, args: SecretsKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(args)
        super().__init__("stagecraft:bootstrap:SecretsKey", name, None, opts)
        key = aws.kms.Key(
            f"{name}-key",
            description=args.description,
            enable_key_rotation=True,
            deletion_window_in_days=DELETION_WINDOW_DAYS,
            policy=json.dumps(secrets_key_policy(args.account_id)),
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect),
        )
        alias = aws.kms.Alias(
            f"{name}-alias",
            name=args.alias_name,
            target_key_id=key.key_id,
            # The secrets provider URL names the alias: losing it breaks every stack until it is recreated.
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect),
        )
        self.key_arn = key.arn
        self.key_id = key.key_id
        self.alias_name = alias.name
        self.register_outputs({"key_arn": self.key_arn, "key_id": self.key_id, "alias_name": self.alias_name})


def _validate(args: SecretsKeyArgs) -> None:
    problems = name_problems("kms-alias", args.alias_name)
    if problems:
        raise ComponentInputError(COMPONENT, "alias_name", args.alias_name, "; ".join(problems))
    if not (len(args.account_id) == 12 and args.account_id.isdigit()):
        raise ComponentInputError(COMPONENT, "account_id", args.account_id, "a 12-digit AWS account id")
