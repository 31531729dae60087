"""The stage's customer-managed KMS key: one key encrypts every data-tier resource of one stage."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.naming import name_problems

COMPONENT = "StageKey"

DELETION_WINDOW_DAYS = 30
"""The longest window KMS allows: a scheduled deletion can be cancelled for a month."""

VIA_SERVICES = ("rds", "s3", "ecr", "secretsmanager", "eks")
"""Services that use the key on a caller's behalf (``kms:ViaService``), besides CloudWatch Logs."""

AUTOSCALING_ROLE_PATH = "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
"""The Auto Scaling service-linked role, which launches EKS managed nodes with key-encrypted root volumes."""


def autoscaling_role_arn(account_id: str) -> str:
    """ARN of the account's Auto Scaling service-linked role."""
    return f"arn:aws:iam::{account_id}:{AUTOSCALING_ROLE_PATH}"


@dataclass(frozen=True, kw_only=True)
class StageKeyArgs:
    """Inputs of :class:`StageKey`."""

    alias_name: str
    """Full alias, ``alias/<prefix>``, e.g. ``alias/stagecraft-staging``."""
    account_id: pulumi.Input[str]
    """The AWS account the stage runs in; the account root stays key administrator."""
    region: pulumi.Input[str]
    """The stage's region; CloudWatch Logs and the ``kms:ViaService`` names are regional."""
    description: str = "Stagecraft stage data key"
    """Key description shown in the console."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the key (the stage's default tags)."""
    protect: bool = False
    """Pulumi ``protect`` and ``retain_on_delete`` on the key (on in production)."""


def key_policy(account_id: str, region: str) -> dict[str, Any]:
    """The key policy: the account root administers; the stage's services may use the key.

    Service use is scoped with ``kms:CallerAccount`` + ``kms:ViaService`` (the pattern of AWS managed
    keys), so only principals of this account acting through those services can use the key.
    Logs is a service principal and gets the key only for log groups of this account, see
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html

    The Auto Scaling service-linked role launches the EKS managed node groups, whose root volumes are
    encrypted with this key; without use and ``CreateGrant`` (for AWS resources only) nodes fail to launch:
    https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html
    It is matched with ``aws:PrincipalArn`` under an account condition rather than named as the
    principal, because KMS rejects a key policy naming a role that does not exist yet, and the
    service-linked role only appears with the account's first Auto Scaling group (after this key).
    """
    use = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    autoscaling = {
        "StringEquals": {"kms:CallerAccount": account_id},
        "ArnEquals": {"aws:PrincipalArn": autoscaling_role_arn(account_id)},
    }
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountRootAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchLogsOfThisAccount",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                "Action": use,
                "Resource": "*",
                "Condition": {
                    "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account_id}:*"}
                },
            },
            {
                "Sid": "StageServicesOfThisAccount",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": [*use, "kms:CreateGrant", "kms:ListGrants"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "kms:CallerAccount": account_id,
                        "kms:ViaService": [f"{s}.{region}.amazonaws.com" for s in VIA_SERVICES],
                    }
                },
            },
            {
                "Sid": "AutoScalingServiceLinkedRoleUse",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": use,
                "Resource": "*",
                "Condition": autoscaling,
            },
            {
                "Sid": "AutoScalingServiceLinkedRoleGrants",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {**autoscaling, "Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ],
    }


class StageKey(pulumi.ComponentResource):
    """A customer-managed, rotating KMS key with an alias and a least-privilege service policy."""

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias_name: pulumi.Output[str]

    def __init__(self, name: str, args: StageKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(args)
        super().__init__("stagecraft:data:StageKey", name, None, opts)

        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect)
        policy = pulumi.Output.all(args.account_id, args.region).apply(
            lambda ar: json.dumps(key_policy(str(ar[0]), str(ar[1])))
        )
        key = aws.kms.Key(
            f"{name}-key",
            description=args.description,
            enable_key_rotation=True,
            deletion_window_in_days=DELETION_WINDOW_DAYS,
            policy=policy,
            tags=dict(args.tags),
            opts=stateful,
        )
        alias = aws.kms.Alias(
            f"{name}-alias",
            name=args.alias_name,
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.key_arn = key.arn
        self.key_id = key.key_id
        self.alias_name = alias.name
        self.register_outputs({"key_arn": self.key_arn, "key_id": self.key_id, "alias_name": self.alias_name})


def _validate(args: StageKeyArgs) -> None:
    problems = name_problems("kms-alias", args.alias_name)
    if problems:
        raise ComponentInputError(COMPONENT, "alias_name", args.alias_name, "; ".join(problems))
