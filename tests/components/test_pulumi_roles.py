from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

import pytest

from components.errors import ComponentInputError
from components.pulumi_roles import PulumiRoles, PulumiRolesArgs, deploy_statements, preview_statements
from stagecraft.plan.inventory import Inventory
from tests.conftest import RunProgram

BUCKET = "arn:aws:s3:::stagecraft-state-123456789012-us-east-1"
KEY = "arn:aws:kms:us-east-1:123456789012:key/abc"
ALIAS = "arn:aws:kms:us-east-1:123456789012:alias/stagecraft-secrets"
PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
IAM_ROLE_POLICY_LIMIT = 10_240  # aggregate inline policy size per role, whitespace excluded (IAM quotas)


def _args(**overrides: Any) -> PulumiRolesArgs:
    base: dict[str, Any] = {
        "prefix": "amani-backend-staging",
        "preview_role_name": "amani-backend-staging-pulumi-preview",
        "deploy_role_name": "amani-backend-staging-pulumi-deploy",
        "account_id": "123456789012",
        "region": "us-east-1",
        "oidc_provider_arn": PROVIDER,
        "repository_owner": "amani-labs",
        "repository": "amani-backend",
        "environment": "staging",
        "preview_environment": "staging-preview",
        "state_bucket_arn": BUCKET,
        "secrets_key_arn": KEY,
        "secrets_key_alias_arn": ALIAS,
        "stack": "staging",
        "tags": {"stage": "staging"},
    }
    base.update(overrides)
    return PulumiRolesArgs(**base)


def _run(run: RunProgram, args: PulumiRolesArgs) -> Inventory:
    def program() -> None:
        PulumiRoles("amani-backend-staging", args)

    return run(program)


def _policy(inv: Inventory, key: str) -> list[dict[str, Any]]:
    policy = inv.one("aws:iam/rolePolicy:RolePolicy", f"amani-backend-staging-{key}-permissions")
    statements: list[dict[str, Any]] = json.loads(policy.inputs["policy"])["Statement"]
    return statements


def _sid(statements: list[dict[str, Any]], sid: str) -> dict[str, Any]:
    return next(s for s in statements if s["Sid"] == sid)


def allows(statements: list[dict[str, Any]], action: str, resource: str) -> bool:
    """Whether an explicit Allow matches and no Deny does (Resource/NotResource, Action/NotAction, no conditions)."""

    def matches(s: dict[str, Any]) -> bool:
        actions: Any = s.get("Action", s.get("NotAction"))
        acted = any(fnmatchcase(action, a) for a in ([actions] if isinstance(actions, str) else actions))
        if "NotAction" in s:
            acted = not acted
        resources: Any = s.get("Resource", s.get("NotResource"))
        hit = any(fnmatchcase(resource, r) for r in ([resources] if isinstance(resources, str) else resources))
        if "NotResource" in s:
            hit = not hit
        return acted and hit and "Condition" not in s

    return any(s["Effect"] == "Allow" and matches(s) for s in statements) and not any(
        s["Effect"] == "Deny" and matches(s) for s in statements
    )


def test_each_role_trusts_exactly_one_environment_for_one_hour(run: RunProgram) -> None:
    inv = _run(run, _args())
    for key, subject in (("deploy", "staging"), ("preview", "staging-preview")):
        role = inv.one("aws:iam/role:Role", f"amani-backend-staging-{key}")
        assert role.inputs["name"] == f"amani-backend-staging-pulumi-{key}"
        assert role.inputs["maxSessionDuration"] == 3600
        (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert statement["Principal"] == {"Federated": PROVIDER}
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Condition"] == {
            "StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": f"repo:amani-labs/amani-backend:environment:{subject}",
            }
        }
    attachments = {
        r.name: r.inputs["policyArn"] for r in inv.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    }
    assert attachments == {
        "amani-backend-staging-deploy-managed": "arn:aws:iam::aws:policy/PowerUserAccess",
        "amani-backend-staging-preview-managed": "arn:aws:iam::aws:policy/ReadOnlyAccess",
    }


def test_preview_reads_its_state_and_no_other_data(run: RunProgram) -> None:
    statements = _policy(_run(run, _args()), "preview")
    state = f"{BUCKET}/.pulumi/stacks/stagecraft/staging.json"
    assert allows(statements, "s3:GetObject", state)
    assert allows(statements, "s3:GetObject", f"{BUCKET}/.pulumi/meta.yaml")
    assert allows(statements, "kms:Decrypt", KEY)
    # Another stack's state, any other bucket's objects, secrets: denied even though ReadOnlyAccess allows them.
    deny = _sid(statements, "NoDataReadsOutsideTheState")
    for action, resource in (
        ("s3:GetObject", f"{BUCKET}/.pulumi/stacks/stagecraft/production.json"),
        ("s3:GetObject", "arn:aws:s3:::amani-backend-staging-backups-123456789012/db.dump"),
        ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"),
        ("kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:key/stage-key"),
    ):
        assert action in deny["Action"] and not any(fnmatchcase(resource, r) for r in deny["NotResource"])
    # A preview never locks or writes (diy backend): nothing in the policy writes.
    assert not any(
        a.startswith(("s3:Put", "s3:Delete", "kms:Encrypt", "kms:GenerateDataKey"))
        for s in statements
        if s["Effect"] == "Allow"
        for a in s["Action"]
    )


def test_deploy_writes_its_state_locks_and_history_only(run: RunProgram) -> None:
    statements = _policy(_run(run, _args()), "deploy")
    lock = f"{BUCKET}/.pulumi/locks/organization/stagecraft/staging/0a1b.json"
    assert allows(statements, "s3:PutObject", f"{BUCKET}/.pulumi/stacks/stagecraft/staging.json")
    assert allows(statements, "s3:PutObject", f"{BUCKET}/.pulumi/stacks/stagecraft/staging.json.bak")
    assert allows(statements, "s3:PutObject", lock) and allows(statements, "s3:DeleteObject", lock)
    assert allows(statements, "s3:PutObject", f"{BUCKET}/.pulumi/history/stagecraft/staging/staging-1.history.json")
    assert allows(statements, "s3:PutObject", f"{BUCKET}/.pulumi/backups/stagecraft/staging/staging.1.json")
    assert not allows(statements, "s3:PutObject", f"{BUCKET}/.pulumi/stacks/stagecraft/production.json")
    assert allows(statements, "kms:GenerateDataKey", KEY) and allows(statements, "kms:Decrypt", KEY)


def test_deploy_manages_only_the_stages_iam_names(run: RunProgram) -> None:
    statements = _policy(_run(run, _args()), "deploy")
    iam = "arn:aws:iam::123456789012"
    assert allows(statements, "iam:CreateRole", f"{iam}:role/amani-backend-staging-node-role-1a2b3c4")
    assert allows(statements, "iam:PassRole", f"{iam}:role/amani-backend-staging-execution-role-1a2b3c4")
    assert allows(statements, "iam:CreatePolicy", f"{iam}:policy/amani-backend-staging-x")
    assert allows(statements, "iam:CreateInstanceProfile", f"{iam}:instance-profile/amani-backend-staging-x")
    assert allows(
        statements, "iam:CreateOpenIDConnectProvider", f"{iam}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB"
    )
    assert not allows(statements, "iam:CreateRole", f"{iam}:role/amani-backend-production-node-role")
    assert not allows(
        statements, "iam:CreateOpenIDConnectProvider", f"{iam}:oidc-provider/token.actions.githubusercontent.com"
    )
    # Its own role and the preview role match the prefix, but it can never change them (no self-escalation).
    for own in ("amani-backend-staging-pulumi-deploy", "amani-backend-staging-pulumi-preview"):
        assert not allows(statements, "iam:PutRolePolicy", f"{iam}:role/{own}")
        assert not allows(statements, "iam:UpdateAssumeRolePolicy", f"{iam}:role/{own}")
    slr = _sid(statements, "OnlyTheStagesServiceLinkedRoles")
    assert (
        slr["Effect"] == "Deny"
        and "eks-nodegroup.amazonaws.com" in slr["Condition"]["StringNotEquals"]["iam:AWSServiceName"]
    )


def test_deploy_is_region_locked_and_keeps_the_bucket_and_key(run: RunProgram) -> None:
    statements = _policy(_run(run, _args(additional_regions=("eu-central-1",))), "deploy")
    region = _sid(statements, "OnlyTheStagesRegions")
    assert region["Effect"] == "Deny" and region["Resource"] == "*"
    assert region["Condition"] == {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-central-1"]}}
    assert "iam:*" in region["NotAction"] and "sts:*" in region["NotAction"]
    assert not allows(statements, "s3:DeleteBucket", BUCKET)
    assert not allows(statements, "s3:PutBucketPolicy", BUCKET)
    assert not allows(statements, "s3:DeleteObjectVersion", f"{BUCKET}/.pulumi/stacks/stagecraft/staging.json")
    assert not allows(statements, "kms:ScheduleKeyDeletion", KEY)
    assert not allows(statements, "kms:DeleteAlias", ALIAS)
    eks = _sid(statements, "IamEksOidcProviders")["Resource"]
    assert eks == [
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/*",
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/*",
    ]


def test_policies_fit_the_inline_policy_quota() -> None:
    args = _args(additional_regions=("eu-central-1", "eu-west-1"), projects=("stagecraft", "stagecraft-cluster"))
    for statements in (preview_statements(args), deploy_statements(args)):
        document = json.dumps({"Version": "2012-10-17", "Statement": statements}, separators=(",", ":"))
        assert len(document) < IAM_ROLE_POLICY_LIMIT


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"deploy_role_name": "other-pulumi-deploy"},
            "PulumiRoles: deploy_role_name='other-pulumi-deploy' is invalid: a name starting with prefix "
            "'amani-backend-staging-'",
        ),
        (
            {"preview_role_name": "amani-backend-staging-pulumi-deploy"},
            "PulumiRoles: preview_role_name='amani-backend-staging-pulumi-deploy' is invalid: a name other than "
            "the deploy role's",
        ),
        (
            {"environment": "prod*"},
            "PulumiRoles: environment='prod*' is invalid: letters, digits, '.', '_' and '-' (no wildcards)",
        ),
        (
            {"preview_environment": "staging"},
            "PulumiRoles: preview_environment='staging' is invalid: an environment other than the deploy one",
        ),
        (
            {"repository_owner": "-x"},
            "PulumiRoles: repository_owner='-x' is invalid: a GitHub owner: letters, digits and single '-'",
        ),
        ({"additional_regions": ("mars",)}, "PulumiRoles: additional_regions='mars' is invalid: an AWS region name"),
        ({"account_id": "1234"}, "PulumiRoles: account_id='1234' is invalid: a 12-digit AWS account id"),
    ],
)
def test_invalid_args(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ComponentInputError) as exc:
        PulumiRoles("x", _args(**overrides))
    assert str(exc.value) == message
