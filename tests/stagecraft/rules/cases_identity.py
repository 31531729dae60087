"""Compliant and non-compliant inventories for IAM, OIDC trust, GitHub secrets and protection."""

from __future__ import annotations

from typing import Any

from stagecraft.rules.identity import POLICY, ROLE, ROLE_POLICY
from tests.stagecraft.rules.builders import one, policy, res

GH = "token.actions.githubusercontent.com"
PROVIDER = f"arn:aws:iam::123456789012:oidc-provider/{GH}"
SUB = "repo:example/app:environment:production"


def trust(condition: dict[str, Any], principal: str = PROVIDER) -> str:
    return policy(
        {
            "Effect": "Allow",
            "Principal": {"Federated": principal},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition,
        }
    )


def role(condition: dict[str, Any], principal: str = PROVIDER) -> Any:
    return res(ROLE, "stg-deploy", {"assumeRolePolicy": trust(condition, principal)})


EXACT = {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com", f"{GH}:sub": SUB}}
EKS_ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
IRSA = {
    "StringEquals": {
        f"{EKS_ISSUER}:aud": "sts.amazonaws.com",
        f"{EKS_ISSUER}:sub": "system:serviceaccount:app:api",
    }
}
SERVICE_TRUST = policy({"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"})
ADMIN = {"Effect": "Allow", "Action": "*", "Resource": "*"}
SCOPED = {
    "Effect": "Allow",
    "Action": ["ecr:PutImage"],
    "Resource": "arn:aws:ecr:us-east-1:123456789012:repository/app",
}
DECRYPT_ALL = {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "*"}
SECRET_TYPE = "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret"
VARIABLE_TYPE = "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable"

CASES = [
    one("iam-no-admin", "scoped", res(ROLE_POLICY, "p", {"policy": policy(SCOPED)})),
    one(
        "iam-no-admin",
        "admin",
        res(POLICY, "p", {"policy": policy(ADMIN)}),
        'policy allows Action "*" on Resource "*"; least-privilege actions required',
    ),
    one(
        "iam-no-admin",
        "inline",
        res(
            ROLE,
            "r",
            {"assumeRolePolicy": SERVICE_TRUST, "inlinePolicies": [{"name": "x", "policy": policy(ADMIN)}]},
        ),
        'policy allows Action "*" on Resource "*"; least-privilege actions required',
    ),
    one("iam-no-service-wildcard", "named", res(POLICY, "p", {"policy": policy(SCOPED)})),
    one(
        "iam-no-service-wildcard",
        "ecr-star",
        res(POLICY, "p", {"policy": policy({**SCOPED, "Action": ["ecr:*", "logs:*"]})}),
        "policy allows [ecr:*, logs:*]; named actions required",
    ),
    one(
        "iam-no-kms-decrypt-all",
        "key-arn",
        res(ROLE_POLICY, "p", {"policy": policy({**DECRYPT_ALL, "Resource": "arn:aws:kms:us-east-1:1:key/k"})}),
    ),
    one(
        "iam-no-kms-decrypt-all",
        "star",
        res(ROLE_POLICY, "p", {"policy": policy(DECRYPT_ALL)}),
        'policy allows [kms:Decrypt] on Resource "*"; name the key ARNs',
    ),
    one("oidc-trust-exact", "github-exact", role(EXACT)),
    one("oidc-trust-exact", "irsa-exact", role(IRSA, f"arn:aws:iam::123456789012:oidc-provider/{EKS_ISSUER}")),
    one("oidc-trust-exact", "service-role", res(ROLE, "r", {"assumeRolePolicy": SERVICE_TRUST})),
    one(
        "oidc-trust-exact",
        "wildcard-sub",
        role(
            {
                "StringEquals": {f"{GH}:aud": "sts.amazonaws.com"},
                "StringLike": {f"{GH}:sub": "repo:example/*"},
            }
        ),
        "assumeRolePolicy uses StringLike; only StringEquals on aud and sub allowed",
        "assumeRolePolicy has no StringEquals on :sub; an exact sub required",
    ),
    one(
        "oidc-trust-exact",
        "branch-sub",
        role(
            {
                "StringEquals": {
                    f"{GH}:aud": "sts.amazonaws.com",
                    f"{GH}:sub": "repo:example/app:ref:refs/heads/main",
                }
            }
        ),
        "assumeRolePolicy :sub is [repo:example/app:ref:refs/heads/main]; "
        "repo:<owner>/<repo>:environment:<name> required",
    ),
    one(
        "oidc-trust-exact",
        "star-sub-no-aud",
        role({"StringEquals": {f"{GH}:sub": "repo:example/app:environment:*"}}),
        "assumeRolePolicy has no StringEquals on :aud; an exact aud required",
        "assumeRolePolicy :sub is [repo:example/app:environment:*]; no wildcards allowed",
    ),
    one(
        "oidc-trust-exact",
        "wrong-aud",
        role({"StringEquals": {f"{GH}:aud": "https://github.com/example", f"{GH}:sub": SUB}}),
        "assumeRolePolicy :aud is [https://github.com/example]; sts.amazonaws.com required",
    ),
    one("stateful-protected", "protected", res("aws:rds/instance:Instance", "db", {}, protect=True)),
    one("stateful-protected", "stateless", res("aws:ec2/vpc:Vpc", "v", {})),
    one(
        "stateful-protected",
        "bucket",
        res("aws:s3/bucket:Bucket", "b", {}),
        "protect is false; stateful resources are protected in production",
    ),
    one(
        "github-secret-is-secret",
        "secret",
        res(SECRET_TYPE, "s", {"secretName": "DB_URL", "value": "[secret]"}),
    ),
    one(
        "github-secret-is-secret",
        "plain",
        res(SECRET_TYPE, "s", {"secretName": "DB_URL", "plaintextValue": "postgres://"}),
        "plaintextValue is plain text; a secret value required",
    ),
    one(
        "github-variable-not-secret",
        "role-arn",
        res(VARIABLE_TYPE, "v", {"variableName": "AWS_ROLE_ARN", "value": "arn"}),
    ),
    one(
        "github-variable-not-secret",
        "secret-arn",
        res(VARIABLE_TYPE, "v", {"variableName": "DATABASE_SECRET_ARN", "value": "arn:aws:secretsmanager:x"}),
    ),
    one(
        "github-variable-not-secret",
        "token",
        res(VARIABLE_TYPE, "v", {"variableName": "NPM_TOKEN", "value": "x"}),
        "variableName NPM_TOKEN names a secret; store it as an Actions secret",
    ),
]
