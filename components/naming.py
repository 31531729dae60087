"""Physical-name rules of the services this project names, checked before anything is created.

AWS rejects a bad name only at create time, halfway through a ``pulumi up``. Each rule below is the
documented constraint of one kind of name; :func:`name_problems` returns what is wrong with a value,
and ``infra`` runs it over every name a stage derives, for the longest stage name the config allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from components.errors import yaml_value


@dataclass(frozen=True)
class NameRule:
    """One kind of physical name: its length range, allowed pattern and the rule in words."""

    kind: str
    min_length: int
    max_length: int
    pattern: str
    description: str
    source: str

    def problems(self, value: str) -> list[str]:
        """Return human-readable reasons ``value`` breaks this rule (empty when it is valid)."""
        found: list[str] = []
        if not self.min_length <= len(value) <= self.max_length:
            found.append(
                f"{self.kind} {yaml_value(value)} is {len(value)} characters; "
                f"allowed {self.min_length}-{self.max_length}"
            )
        if not re.fullmatch(self.pattern, value):
            found.append(f"{self.kind} {yaml_value(value)} does not match the rule: {self.description}")
        return found


_DNS_LABEL = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?"

RULES: dict[str, NameRule] = {
    rule.kind: rule
    for rule in (
        NameRule(
            "s3-bucket",
            3,
            63,
            r"(?!xn--)(?!sthree-)(?!.*--x-s3$)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]*[a-z0-9]",
            "lowercase letters, digits, '.' and '-', starting and ending with a letter or digit",
            "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
        ),
        NameRule(
            "rds-identifier",
            1,
            63,
            r"[a-z](?!.*--)[a-z0-9-]*(?<!-)",
            "lowercase letters, digits and '-', starting with a letter, no '--', not ending in '-'",
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints",
        ),
        NameRule(
            "ecr-repository",
            2,
            256,
            r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*",
            "lowercase path segments of letters and digits separated by '.', '_', '-' and '/'",
            "https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html",
        ),
        NameRule(
            "eks-cluster",
            1,
            100,
            r"[0-9A-Za-z][A-Za-z0-9\-_]*",
            "letters, digits, '-' and '_', starting with a letter or digit",
            "https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html",
        ),
        NameRule(
            "ecs-cluster",
            1,
            255,
            r"[A-Za-z0-9_-]+",
            "letters, digits, '-' and '_'",
            "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html",
        ),
        NameRule(
            "iam-role",
            1,
            64,
            r"[\w+=,.@-]+",
            "letters, digits and '+=,.@_-'",
            "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
        ),
        NameRule(
            "kms-alias",
            7,
            256,
            r"alias/(?!aws/)[a-zA-Z0-9/_-]+",
            "'alias/' followed by letters, digits, '/', '_' and '-', not under 'alias/aws/'",
            "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
        ),
        NameRule(
            "log-group",
            1,
            512,
            r"[\.\-_/#A-Za-z0-9]+",
            "letters, digits and '._-/#'",
            "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
        ),
        NameRule(
            "k8s-namespace",
            1,
            63,
            _DNS_LABEL,
            "a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names",
        ),
        NameRule(
            "eks-nodegroup",
            1,
            63,
            r"[0-9A-Za-z][A-Za-z0-9_-]*",
            "letters, digits, '-' and '_', starting with a letter or digit",
            "https://docs.aws.amazon.com/eks/latest/userguide/create-managed-node-group.html",
        ),
        NameRule(
            "codebuild-project",
            2,
            255,
            r"[A-Za-z0-9][A-Za-z0-9_-]+",
            "letters, digits, '-' and '_', starting with a letter or digit",
            "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html",
        ),
        NameRule(
            "launch-template",
            3,
            128,
            r"[a-zA-Z0-9().\-/_]+",
            "letters, digits and '()./-_'",
            "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplate.html",
        ),
        NameRule(
            "security-group",
            1,
            255,
            r"(?!sg-)[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+",
            "letters, digits, spaces and '._-:/()#,@[]+=&;{}!$*', not starting with 'sg-'",
            "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html",
        ),
        NameRule(
            "iam-role-policy",
            1,
            128,
            r"[\w+=,.@-]+",
            "letters, digits and '+=,.@_-'",
            "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html",
        ),
        NameRule(
            "ecs-task-family",
            1,
            255,
            r"[A-Za-z0-9_-]+",
            "letters, digits, '-' and '_'",
            "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html",
        ),
        NameRule(
            "rds-parameter-group",
            1,
            255,
            r"[a-z](?!.*--)[a-z0-9-]*(?<!-)",
            "lowercase letters, digits and '-', starting with a letter, no '--', not ending in '-'",
            "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBParameterGroup.html",
        ),
        NameRule(
            "rds-subnet-group",
            1,
            255,
            r"(?!default$)[a-z0-9 ._-]+",
            "lowercase letters, digits, spaces and '._-', not 'default'",
            "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html",
        ),
        NameRule(
            "codeconnections-connection",
            1,
            32,
            r"[\s\S]+",
            "1-32 characters",
            "https://docs.aws.amazon.com/codeconnections/latest/APIReference/API_CreateConnection.html",
        ),
        NameRule(
            "k8s-name",
            1,
            253,
            rf"{_DNS_LABEL}(\.{_DNS_LABEL})*",
            "a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-subdomain-names",
        ),
        NameRule(
            "github-environment",
            1,
            255,
            r"[^'\"`,;\\]+",
            "any characters except quotes, backticks, ',', ';' and '\\'",
            "https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment",
        ),
        NameRule(
            "github-secret",
            1,
            255,
            r"(?!GITHUB_)[A-Za-z_][A-Za-z0-9_]*",
            "letters, digits and '_', not starting with a digit or 'GITHUB_'",
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions#naming-your-secrets",
        ),
    )
}
# Variables follow the secrets' naming rule, documented on their own page.
RULES["github-variable"] = replace(
    RULES["github-secret"],
    kind="github-variable",
    source="https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/store-information-in-variables#naming-conventions-for-configuration-variables",
)


GITHUB_TEAM_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
"""A GitHub team slug."""
GITHUB_LOGIN = re.compile(r"(?=.{1,39}$)[A-Za-z0-9](?:-?[A-Za-z0-9])*")
"""A GitHub login: letters, digits and single hyphens, not at either end, at most 39 characters."""


def is_github_repository(value: str) -> bool:
    """Whether ``value`` is a GitHub repository as ``owner/name``: the owner a login (:data:`GITHUB_LOGIN`), the
    name 1-100 letters, digits, '.', '_' and '-', not '.', '..' or ending in '.git' (GitHub strips that)."""
    owner, slash, name = value.partition("/")
    return bool(
        slash
        and GITHUB_LOGIN.fullmatch(owner)
        and re.fullmatch(r"[A-Za-z0-9._-]{1,100}", name)
        and name not in (".", "..")
        and not name.endswith(".git")
    )


GIT_BRANCH = re.compile(
    r"(?!-)(?![./])(?!@$)(?!.*\.\.)(?!.*//)(?!.*/\.)(?!.*@\{)(?!.*\.lock(?:/|$))[^\s~^:?*\[\\\x00-\x1f\x7f]+(?<![/.])"
)
"""A concrete git branch name, without glob characters: a stage deploys from exactly one branch, and '*', '?' or
'[' would silently protect (or fail to protect) others. The rules of https://git-scm.com/docs/git-check-ref-format:
no component starts with '.' or ends with '.lock', no '..', '//', '@{', control characters, space or '~^:?*[\\',
not '@' alone, not ending with '/' or '.'; a branch does not start with '-'."""


def name_problems(kind: str, value: str) -> list[str]:
    """Return what is wrong with ``value`` as a name of ``kind`` (a key of :data:`RULES`)."""
    return RULES[kind].problems(value)


PREFIX_SUFFIX = 26
"""Characters Terraform appends to a ``name_prefix`` (``id.PrefixedUniqueId``,
https://github.com/hashicorp/terraform-plugin-sdk/blob/main/helper/id/id.go)."""
AUTONAME_SUFFIX = 8
"""``-`` and 7 random hex characters Pulumi's bridged providers append to a logical name
(https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming)."""


def auto_name(logical_name: str, suffix: int = AUTONAME_SUFFIX) -> str:
    """The longest physical name Pulumi auto-names ``logical_name`` with (``0`` stands for the random part)."""
    return logical_name + "-" + "0" * (suffix - 1)


def prefixed_name(prefix: str) -> str:
    """The physical name a ``name_prefix`` of ``prefix`` gets (``x`` stands for the provider's part)."""
    return prefix + "x" * PREFIX_SUFFIX
