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

LOGS_USE = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*")
"""What CloudWatch Logs does with the key for a log group; every such request carries the log group's ARN as
encryption context (``kms:EncryptionContext:aws:logs:arn``)."""

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
    """The stage's region; the CloudWatch Logs service principal is regional."""
    description: str = "Stagecraft stage data key"
    """Key description shown in the console."""
    autoscaling_service_role: bool = True
    """Name the account's Auto Scaling service-linked role in the key policy (EKS node root volumes). The role
    must exist when the key is created: KMS rejects a policy naming an unknown principal."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the key (the stage's default tags)."""
    protect: bool = False
    """Pulumi ``protect`` and ``retain_on_delete`` on the key (on in production)."""


def key_policy(account_id: str, region: str, *, autoscaling: bool = True) -> dict[str, Any]:
    """The key policy: the account root, CloudWatch Logs, and (``autoscaling``) the Auto Scaling role.

    No statement names ``Principal: "*"``. The root statement makes the account's IAM policies decide who may
    use the key (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam).
    RDS, S3, ECR, Secrets Manager and EKS call KMS with the credentials of the principal that uses them
    (forward access sessions), so the stage's roles get the key through their own IAM policies (the ECS
    execution and task roles, the EKS cluster role, the backup replication role, the deploy role), where
    ``kms:ViaService`` can narrow them further:
    https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service,
    https://docs.aws.amazon.com/kms/latest/developerguide/services-s3.html,
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.Keys.html,
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html,
    https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html.

    Only services acting as their own principal need the key policy:
    - CloudWatch Logs encrypts log groups as ``logs.<region>.amazonaws.com``; its use is bound to this
      account's log groups by the encryption context its requests carry
      (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html). ``kms:DescribeKey``
      carries no encryption context (it is not among the action's condition keys in the service authorization
      reference, https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html),
      so it has its own statement: under the context condition it would never match.
    - The Auto Scaling service-linked role launches EKS managed nodes whose root volumes are encrypted with
      this key: use, and grants for AWS resources only
      (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
      It is named as the principal, so it must exist first (``aws iam create-service-linked-role
      --aws-service-name autoscaling.amazonaws.com``, once per account).
    """
    logs = {"Service": f"logs.{region}.amazonaws.com"}
    statements: list[dict[str, Any]] = [
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
            "Principal": logs,
            "Action": list(LOGS_USE),
            "Resource": "*",
            "Condition": {
                "ArnLike": {"kms:EncryptionContext:aws:logs:arn": f"arn:aws:logs:{region}:{account_id}:log-group:*"}
            },
        },
        {
            "Sid": "CloudWatchLogsDescribeKey",
            "Effect": "Allow",
            "Principal": logs,
            "Action": "kms:DescribeKey",
            "Resource": "*",
        },
    ]
    if autoscaling:
        role = {"AWS": autoscaling_role_arn(account_id)}
        statements += [
            {
                "Sid": "AutoScalingServiceLinkedRoleUse",
                "Effect": "Allow",
                "Principal": role,
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
            },
            {
                "Sid": "AutoScalingServiceLinkedRoleGrants",
                "Effect": "Allow",
                "Principal": role,
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        ]
    return {"Version": "2012-10-17", "Statement": statements}


class StageKey(pulumi.ComponentResource):
    """A customer-managed, rotating KMS key with an alias; IAM policies decide who uses it (see :func:`key_policy`)."""

    key_arn: pulumi.Output[str]
    key_id: pulumi.Output[str]
    alias_name: pulumi.Output[str]

    def __init__(self, name: str, args: StageKeyArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(args)
        super().__init__("stagecraft:data:StageKey", name, None, opts)

        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect)
        policy = pulumi.Output.all(args.account_id, args.region).apply(
            lambda ar: json.dumps(key_policy(str(ar[0]), str(ar[1]), autoscaling=args.autoscaling_service_role))
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
