"""IAM, OIDC trust, GitHub secrets and the protection of stateful resources."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from stagecraft.plan.inventory import SECRET
from stagecraft.rules._util import as_map, policy_statements, principals, show, strings
from stagecraft.rules.model import MANDATORY, PRODUCTION_ONLY, Options, Rule

IAM_DOC = "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html"
KMS_DOC = "https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html"

POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE = "aws:iam/role:Role"
GITHUB_ISSUER = "token.actions.githubusercontent.com"
GITHUB_SUB = re.compile(r"^repo:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+:environment:[A-Za-z0-9_.-]+$")

STATEFUL = (
    "aws:rds/instance:Instance",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:kms/key:Key",
    "aws:ecr/repository:Repository",
)
GITHUB_SECRETS = (
    "github:index/actionsSecret:ActionsSecret",
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret",
    "github:index/actionsOrganizationSecret:ActionsOrganizationSecret",
    "github:index/dependabotSecret:DependabotSecret",
)
GITHUB_VARIABLES = (
    "github:index/actionsVariable:ActionsVariable",
    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable",
)
SECRET_FIELDS = ("value", "plaintextValue", "encryptedValue", "valueEncrypted")
SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE_KEY|CREDENTIAL|API_KEY)", re.IGNORECASE)


def _allows(inputs: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    documents: list[Any] = [inputs.get("policy")]
    documents += [as_map(p).get("policy") for p in inputs.get("inlinePolicies") or []]
    return [s for d in documents for s in policy_statements(d) if s.get("Effect") == "Allow"]


def _admin(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    for statement in _allows(inputs):
        if "*" in strings(statement.get("Action")) and "*" in strings(statement.get("Resource")):
            return ['policy allows Action "*" on Resource "*"; least-privilege actions required']
    return []


def _service_wildcard(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    wild = sorted({a for s in _allows(inputs) for a in strings(s.get("Action")) if a.endswith(":*")})
    return [f"policy allows {show(wild)}; named actions required"] if wild else []


def _kms_decrypt_all(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    blocked = ("kms:Decrypt", "kms:ReEncryptFrom", "kms:*", "*")
    for statement in _allows(inputs):
        actions = [a for a in strings(statement.get("Action")) if a in blocked]
        if actions and "*" in strings(statement.get("Resource")):
            return [f'policy allows {show(actions)} on Resource "*"; name the key ARNs']
    return []


def _web_identity(statement: Mapping[str, Any]) -> bool:
    federated = strings(as_map(statement.get("Principal")).get("Federated"))
    actions = strings(statement.get("Action"))
    return bool(federated) or "sts:AssumeRoleWithWebIdentity" in actions


def _trust(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    messages = []
    for statement in policy_statements(inputs.get("assumeRolePolicy")):
        if statement.get("Effect") != "Allow" or not _web_identity(statement):
            continue
        condition = as_map(statement.get("Condition"))
        equals = as_map(condition.get("StringEquals"))
        loose = sorted(k for k in condition if k != "StringEquals")
        if loose:
            messages.append(f"assumeRolePolicy uses {', '.join(loose)}; only StringEquals on aud and sub allowed")
        github = any(GITHUB_ISSUER in p for p in principals(statement))
        for claim in ("aud", "sub"):
            keys = [k for k in equals if k.endswith(f":{claim}")]
            values = [v for k in keys for v in strings(equals[k])]
            if not values:
                messages.append(f"assumeRolePolicy has no StringEquals on :{claim}; an exact {claim} required")
            elif any("*" in v or "?" in v for v in values):
                messages.append(f"assumeRolePolicy :{claim} is {show(values)}; no wildcards allowed")
            elif github and claim == "aud" and values != ["sts.amazonaws.com"]:
                messages.append(f"assumeRolePolicy :aud is {show(values)}; sts.amazonaws.com required")
            elif github and claim == "sub" and not all(GITHUB_SUB.match(v) for v in values):
                messages.append(
                    f"assumeRolePolicy :sub is {show(values)}; repo:<owner>/<repo>:environment:<name> required"
                )
    return messages


def _protected(_type: str, _inputs: Mapping[str, Any], options: Options) -> list[str]:
    return [] if options.protect else ["protect is false; stateful resources are protected in production"]


def _secret_values(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    return [
        f"{field} is plain text; a secret value required"
        for field in SECRET_FIELDS
        if inputs.get(field) is not None and inputs.get(field) != SECRET
    ]


def _variable_names(_type: str, inputs: Mapping[str, Any], _options: Options) -> list[str]:
    name = inputs.get("variableName")
    # An ARN names where a secret lives (DATABASE_SECRET_ARN); it is not the secret.
    if isinstance(name, str) and SECRET_NAME.search(name) and not name.upper().endswith("_ARN"):
        return [f"variableName {name} names a secret; store it as an Actions secret"]
    return []


RULES = (
    Rule(
        "iam-no-admin",
        'IAM policies (managed and inline) allow no Action "*" on Resource "*".',
        "FSBP IAM.1",
        f"{IAM_DOC}#iam-1",
        MANDATORY,
        types=(POLICY, ROLE_POLICY, ROLE),
        check=_admin,
    ),
    Rule(
        "iam-no-service-wildcard",
        'Customer-managed IAM policies allow no "<service>:*" actions.',
        "FSBP IAM.21",
        f"{IAM_DOC}#iam-21",
        MANDATORY,
        types=(POLICY,),
        check=_service_wildcard,
    ),
    Rule(
        "iam-no-kms-decrypt-all",
        "IAM policies allow no kms:Decrypt or kms:ReEncryptFrom on all keys.",
        "FSBP KMS.1, KMS.2",
        f"{KMS_DOC}#kms-1",
        MANDATORY,
        types=(POLICY, ROLE_POLICY, ROLE),
        check=_kms_decrypt_all,
    ),
    Rule(
        "oidc-trust-exact",
        "Web-identity trust (GitHub deploy role, IRSA) pins aud and sub with StringEquals, no "
        "wildcards; GitHub sub is environment-scoped.",
        "stagecraft (CKV_AWS_358)",
        "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/"
        "configuring-openid-connect-in-amazon-web-services",
        MANDATORY,
        types=(ROLE,),
        check=_trust,
    ),
    Rule(
        "stateful-protected",
        "RDS instances, buckets, KMS keys and ECR repositories have protect set.",
        "stagecraft",
        "https://www.pulumi.com/docs/iac/concepts/options/protect/",
        PRODUCTION_ONLY,
        types=STATEFUL,
        check=_protected,
    ),
    Rule(
        "github-secret-is-secret",
        "Every GitHub secret value reaches the engine as a Pulumi secret.",
        "stagecraft",
        "https://www.pulumi.com/docs/iac/concepts/secrets/",
        MANDATORY,
        types=GITHUB_SECRETS,
        check=_secret_values,
        pack=False,
        pack_note="the analyzer receives secrets already unwrapped, so it cannot tell; the plan checks it",
    ),
    Rule(
        "github-variable-not-secret",
        "No Actions variable is named like a secret (TOKEN, PASSWORD, ...).",
        "stagecraft",
        "https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions",
        MANDATORY,
        types=GITHUB_VARIABLES,
        check=_variable_names,
    ),
)
