"""Compliant and non-compliant inventories for the physical-name rule."""

from __future__ import annotations

from tests.stagecraft.rules.builders import one, res

RULE = "physical-name-valid"
ROLE = "aws:iam/role:Role"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
IAM = "(https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html)"
EKS = "(https://docs.aws.amazon.com/eks/latest/userguide/create-managed-node-group.html)"
K8S = "(https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names)"
VARIABLE = "github:index/actionsVariable:ActionsVariable"
VARIABLES = (
    "(https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/store-information-in-"
    "variables#naming-conventions-for-configuration-variables)"
)

CASES = [
    one(RULE, "auto-named-role-fits", res(ROLE, "r" * 56)),
    one(
        RULE,
        "auto-named-role-one-over",
        res(ROLE, "r" * 57),
        f"iam-role '{'r' * 57}-0000000' is 65 characters; allowed 1-64 {IAM}",
    ),
    one(RULE, "set-name-at-the-limit", res(ROLE, "r" * 80, {"name": "r" * 64})),
    one(RULE, "prefixed-node-group-fits", res(NODE_GROUP, "ng", {"nodeGroupNamePrefix": "g" * 37})),
    one(
        RULE,
        "prefixed-node-group-one-over",
        res(NODE_GROUP, "ng", {"nodeGroupNamePrefix": "g" * 38}),
        f"eks-nodegroup '{'g' * 38}{'x' * 26}' is 64 characters; allowed 1-63 {EKS}",
    ),
    one(RULE, "kubernetes-name", res(SERVICE_ACCOUNT, "sa", {"metadata": {"name": "migrations"}})),
    one(
        RULE,
        "kubernetes-name-uppercase",
        res(SERVICE_ACCOUNT, "sa", {"metadata": {"name": "Migrations"}}),
        "k8s-name 'Migrations' does not match the rule: a DNS-1123 subdomain: lowercase letters, digits, '-' and "
        f"'.', starting and ending with a letter or digit {K8S}",
    ),
    one(RULE, "github-variable-name", res(VARIABLE, "v", {"variableName": "STAGING_URL"})),
    one(
        RULE,
        "github-variable-name-leading-digit",
        res(VARIABLE, "v", {"variableName": "1BAD"}),
        "github-variable '1BAD' does not match the rule: letters, digits and '_', not starting with a digit or "
        f"'GITHUB_' {VARIABLES}",
    ),
]
