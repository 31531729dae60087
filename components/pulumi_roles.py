"""The two roles ``pulumi`` of one stage runs as in GitHub Actions: a read-only preview role and a deploy role.

State access follows what the DIY (S3) backend reads and writes, per stack
(https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/pkg/backend/diy/store.go#L39-L135):
``.pulumi/meta.yaml``, ``.pulumi/stacks/<project>/<stack>.json[.gz|.zst][.bak]``, and, only for updates,
``.pulumi/locks/organization/<project>/<stack>/<id>.json``, ``.pulumi/history/<project>/<stack>/...`` and
``.pulumi/backups/<project>/<stack>/...``. A preview takes no lock and writes no history or backup
(``Preview`` never calls ``Lock``, and ``apply`` persists only when not a dry run:
https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/pkg/backend/diy/backend.go#L1197-L1213,
https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/pkg/backend/diy/backend.go#L1369-L1452).
The ``awskms`` secrets provider only decrypts the stack's data key on every run; it encrypts only when a new
data key is made (``stack init``, ``change-secrets-provider``: done by people, not CI):
https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/pkg/secrets/cloud/manager.go#L79-L112.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.deploy_role import MAX_SESSION_SECONDS, trust_policy
from components.errors import ComponentInputError
from components.naming import GITHUB_LOGIN, name_problems

COMPONENT = "PulumiRoles"
READ_ONLY_POLICY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
POWER_USER_POLICY = "arn:aws:iam::aws:policy/PowerUserAccess"

DATA_READS = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "kms:Decrypt",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "sqs:ReceiveMessage",
)
"""Reads of data (not configuration) ReadOnlyAccess allows; the preview role is denied them outside its state."""

IAM_ROLE_ACTIONS = (
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:GetRole",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
    "iam:UpdateAssumeRolePolicy",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:ListRoleTags",
    "iam:PutRolePolicy",
    "iam:GetRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:ListRolePolicies",
    "iam:AttachRolePolicy",
    "iam:DetachRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
    "iam:PassRole",
)
IAM_POLICY_ACTIONS = (
    "iam:CreatePolicy",
    "iam:DeletePolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:ListPolicyVersions",
    "iam:CreatePolicyVersion",
    "iam:DeletePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:TagPolicy",
    "iam:UntagPolicy",
    "iam:ListEntitiesForPolicy",
)
IAM_INSTANCE_PROFILE_ACTIONS = (
    "iam:CreateInstanceProfile",
    "iam:DeleteInstanceProfile",
    "iam:GetInstanceProfile",
    "iam:AddRoleToInstanceProfile",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:UntagInstanceProfile",
)
IAM_OIDC_PROVIDER_ACTIONS = (
    "iam:CreateOpenIDConnectProvider",
    "iam:DeleteOpenIDConnectProvider",
    "iam:GetOpenIDConnectProvider",
    "iam:TagOpenIDConnectProvider",
    "iam:UntagOpenIDConnectProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint",
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:RemoveClientIDFromOpenIDConnectProvider",
)
SERVICE_LINKED_ROLES = (
    "autoscaling.amazonaws.com",
    "ecs.amazonaws.com",
    "eks.amazonaws.com",
    "eks-nodegroup.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
    "rds.amazonaws.com",
    "spot.amazonaws.com",
)
"""Services whose service-linked role a stage's first deploy may create (node groups, load balancers, RDS...)."""

GLOBAL_ACTIONS = (
    "iam:*",
    "sts:*",
    "organizations:*",
    "account:*",
    "support:*",
    "health:*",
    "budgets:*",
    "ce:*",
    "pricing:*",
    "route53:*",
    "route53domains:*",
    "cloudfront:*",
    "globalaccelerator:*",
    "waf:*",
    "shield:*",
    "s3:ListAllMyBuckets",
    "s3:GetAccountPublicAccessBlock",
    "ec2:DescribeRegions",
)
"""Global services, exempt from the region lock: their requests are signed for us-east-1 whatever the region
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_deny-requested-region.html)."""

STATE_BUCKET_GUARDED = (
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketPolicy",
    "s3:PutBucketVersioning",
    "s3:PutLifecycleConfiguration",
    "s3:PutEncryptionConfiguration",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketAcl",
)
SECRETS_KEY_GUARDED = (
    "kms:ScheduleKeyDeletion",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:PutKeyPolicy",
    "kms:DeleteAlias",
    "kms:UpdateAlias",
)

_REPOSITORY = re.compile(r"[A-Za-z0-9._-]{1,100}")
_ENVIRONMENT = re.compile(r"[A-Za-z0-9._-]{1,255}")
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")


@dataclass(frozen=True, kw_only=True)
class PulumiRolesArgs:
    """Inputs of :class:`PulumiRoles`."""

    prefix: str
    """The stage's name prefix ``<app>-<stage>``: the deploy role manages IAM names starting ``<prefix>-``."""
    preview_role_name: str
    """Physical name of the read-only role ``pulumi preview`` runs as."""
    deploy_role_name: str
    """Physical name of the role ``pulumi up`` runs as."""
    account_id: str
    """The account both roles live in (IAM ARNs name it)."""
    region: str
    """The stage's region: the deploy role is refused every other region (global services aside)."""
    additional_regions: Sequence[str] = ()
    """Further regions the stage deploys into (a backup replica's, for example)."""
    oidc_provider_arn: pulumi.Input[str]
    """The account's GitHub Actions OIDC provider."""
    repository_owner: str
    """GitHub owner of the repository deploying the stage."""
    repository: str
    """GitHub repository name (without owner)."""
    environment: str
    """The stage's deploy environment: the deploy role trusts exactly ``repo:<owner>/<repo>:environment:<it>``."""
    preview_environment: str
    """The environment previews run in: the preview role trusts exactly that subject."""
    state_bucket_arn: str
    """The account's state bucket."""
    secrets_key_arn: pulumi.Input[str]
    """The key encrypting the stack secrets and the state bucket."""
    secrets_key_alias_arn: str
    """ARN of the secrets key's alias (the deploy role may not repoint or delete it)."""
    stack: str
    """The stage's stack name; only its state files are readable and writable."""
    projects: Sequence[str] = ("stagecraft",)
    """Pulumi projects whose ``stack`` the roles run (the state paths are per project and stack)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for both roles."""


class PulumiRoles(pulumi.ComponentResource):
    """A stage's preview (read-only) and deploy roles, each assumable by one GitHub environment only."""

    preview_role_arn: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: PulumiRolesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(args)
        super().__init__("stagecraft:bootstrap:PulumiRoles", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        subject = f"repo:{args.repository_owner}/{args.repository}:environment:"
        roles: dict[str, aws.iam.Role] = {}
        for key, role_name, environment, managed, statements in (
            ("preview", args.preview_role_name, args.preview_environment, READ_ONLY_POLICY, preview_statements(args)),
            ("deploy", args.deploy_role_name, args.environment, POWER_USER_POLICY, deploy_statements(args)),
        ):
            role = aws.iam.Role(
                f"{name}-{key}",
                name=role_name,
                description=f"pulumi {key} in GitHub Actions for {subject}{environment}",
                assume_role_policy=pulumi.Output.json_dumps(
                    trust_policy(args.oidc_provider_arn, subject + environment)
                ),
                max_session_duration=MAX_SESSION_SECONDS,
                tags=dict(args.tags),
                opts=child,
            )
            aws.iam.RolePolicyAttachment(f"{name}-{key}-managed", role=role.name, policy_arn=managed, opts=child)
            aws.iam.RolePolicy(
                f"{name}-{key}-permissions",
                role=role.name,
                policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}),
                opts=child,
            )
            roles[key] = role
        self.preview_role_arn = roles["preview"].arn
        self.deploy_role_arn = roles["deploy"].arn
        self.register_outputs({"preview_role_arn": self.preview_role_arn, "deploy_role_arn": self.deploy_role_arn})


def state_paths(args: PulumiRolesArgs) -> dict[str, list[str]]:
    """Object ARNs of the stack's state in the bucket, by what the backend does with them."""
    bucket = args.state_bucket_arn
    return {
        "meta": [f"{bucket}/.pulumi/meta.yaml"],
        "stack": [f"{bucket}/.pulumi/stacks/{p}/{args.stack}.json*" for p in args.projects],
        "lock": [f"{bucket}/.pulumi/locks/organization/{p}/{args.stack}/*" for p in args.projects],
        "history": [
            *(f"{bucket}/.pulumi/history/{p}/{args.stack}/*" for p in args.projects),
            *(f"{bucket}/.pulumi/backups/{p}/{args.stack}/*" for p in args.projects),
        ],
    }


def iam_resource_patterns(args: PulumiRolesArgs) -> dict[str, list[str]]:
    """The IAM ARNs (with wildcards) the deploy role may manage, by kind: exactly the stage's own names."""
    iam = f"arn:aws:iam::{args.account_id}"
    regions = [args.region, *args.additional_regions]
    return {
        "role": [f"{iam}:role/{args.prefix}-*"],
        "policy": [f"{iam}:policy/{args.prefix}-*"],
        "instance-profile": [f"{iam}:instance-profile/{args.prefix}-*"],
        "oidc-provider": [f"{iam}:oidc-provider/oidc.eks.{r}.amazonaws.com/*" for r in regions],
    }


def preview_statements(args: PulumiRolesArgs) -> list[Any]:
    """ReadOnlyAccess covers refresh; this adds the stack's state and secrets and denies reading data."""
    paths = state_paths(args)
    readable = [*paths["meta"], *paths["stack"]]
    return [
        _statement("StateList", "Allow", ["s3:ListBucket"], [args.state_bucket_arn]),
        _statement("StateRead", "Allow", ["s3:GetObject"], readable),
        _statement("SecretsDecrypt", "Allow", ["kms:Decrypt"], [args.secrets_key_arn]),
        {
            "Sid": "NoDataReadsOutsideTheState",
            "Effect": "Deny",
            "Action": list(DATA_READS),
            "NotResource": [*readable, args.secrets_key_arn],
        },
    ]


def deploy_statements(args: PulumiRolesArgs) -> list[Any]:
    """PowerUserAccess (everything but IAM and Organizations) plus IAM on the stage's own names, fenced in."""
    paths = state_paths(args)
    patterns = iam_resource_patterns(args)
    iam = f"arn:aws:iam::{args.account_id}"
    own_roles = [f"{iam}:role/{args.deploy_role_name}", f"{iam}:role/{args.preview_role_name}"]
    return [
        _statement("StateList", "Allow", ["s3:ListBucket"], [args.state_bucket_arn]),
        _statement("StateRead", "Allow", ["s3:GetObject"], [*paths["meta"], *paths["stack"], *paths["lock"]]),
        _statement("StateWrite", "Allow", ["s3:PutObject"], [*paths["stack"], *paths["lock"], *paths["history"]]),
        _statement("StateUnlock", "Allow", ["s3:DeleteObject"], paths["lock"]),
        # S3 encrypts state objects with the key on the caller's behalf: reads decrypt, writes make a data key.
        _statement("SecretsAndStateKey", "Allow", ["kms:Decrypt", "kms:GenerateDataKey"], [args.secrets_key_arn]),
        _statement("IamRoles", "Allow", list(IAM_ROLE_ACTIONS), patterns["role"]),
        _statement("IamPolicies", "Allow", list(IAM_POLICY_ACTIONS), patterns["policy"]),
        _statement("IamInstanceProfiles", "Allow", list(IAM_INSTANCE_PROFILE_ACTIONS), patterns["instance-profile"]),
        _statement("IamEksOidcProviders", "Allow", list(IAM_OIDC_PROVIDER_ACTIONS), patterns["oidc-provider"]),
        {
            "Sid": "OnlyTheStagesServiceLinkedRoles",
            "Effect": "Deny",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:AWSServiceName": list(SERVICE_LINKED_ROLES)}},
        },
        {
            "Sid": "NotItsOwnOrThePreviewRole",
            "Effect": "Deny",
            "NotAction": ["iam:Get*", "iam:List*"],
            "Resource": own_roles,
        },
        {
            "Sid": "OnlyTheStagesRegions",
            "Effect": "Deny",
            "NotAction": list(GLOBAL_ACTIONS),
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": [args.region, *args.additional_regions]}},
        },
        _statement("KeepTheStateBucket", "Deny", list(STATE_BUCKET_GUARDED), [args.state_bucket_arn]),
        _statement("KeepStateHistory", "Deny", ["s3:DeleteObjectVersion"], [f"{args.state_bucket_arn}/*"]),
        _statement(
            "KeepTheSecretsKey", "Deny", list(SECRETS_KEY_GUARDED), [args.secrets_key_arn, args.secrets_key_alias_arn]
        ),
    ]


def _statement(sid: str, effect: str, actions: list[str], resources: list[Any]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": effect, "Action": actions, "Resource": resources}


def _validate(args: PulumiRolesArgs) -> None:
    for argument, value in (("preview_role_name", args.preview_role_name), ("deploy_role_name", args.deploy_role_name)):
        if problems := name_problems("iam-role", value):
            raise ComponentInputError(COMPONENT, argument, value, "; ".join(problems))
        if not value.startswith(f"{args.prefix}-"):
            raise ComponentInputError(COMPONENT, argument, value, f"a name starting with prefix '{args.prefix}-'")
    if args.preview_role_name == args.deploy_role_name:
        raise ComponentInputError(
            COMPONENT, "preview_role_name", args.preview_role_name, "a name other than the deploy role's"
        )
    checks = (
        ("repository_owner", args.repository_owner, GITHUB_LOGIN, "a GitHub owner: letters, digits and single '-'"),
        ("repository", args.repository, _REPOSITORY, "a GitHub repository name: letters, digits, '.', '_', '-'"),
        ("environment", args.environment, _ENVIRONMENT, "letters, digits, '.', '_' and '-' (no wildcards)"),
        ("preview_environment", args.preview_environment, _ENVIRONMENT, "letters, digits, '.', '_' and '-'"),
        ("region", args.region, _REGION, "an AWS region name"),
        *(("additional_regions", r, _REGION, "an AWS region name") for r in args.additional_regions),
    )
    for argument, value, rule, allowed in checks:
        if not rule.fullmatch(value):
            raise ComponentInputError(COMPONENT, argument, value, allowed)
    if args.environment == args.preview_environment:
        raise ComponentInputError(
            COMPONENT, "preview_environment", args.preview_environment, "an environment other than the deploy one"
        )
    if not (len(args.account_id) == 12 and args.account_id.isdigit()):
        raise ComponentInputError(COMPONENT, "account_id", args.account_id, "a 12-digit AWS account id")
