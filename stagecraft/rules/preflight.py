"""The preflight rules' ids and descriptions (``docs/rules.md``); they are judged by :mod:`stagecraft.preflight`.

Kept apart from the judging code so the rule documentation imports nothing beyond the standard library (the
policy pack imports :mod:`stagecraft.rules`, and its virtualenv has no config loader).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PreflightRule:
    """One preflight rule, for docs/rules.md."""

    id: str
    description: str
    url: str


KUBERNETES = PreflightRule(
    "preflight-kubernetes-reachable",
    "Every phase that applies Kubernetes objects runs where the stage's EKS API admits it: a public endpoint open "
    "to its egress, or the runner's CodeBuild project in the cluster's VPC with TCP 443 admitted from its security "
    "group to the cluster security group; a CodeBuild runner label names a project the stage creates.",
    "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",
)
ACCOUNT = PreflightRule(
    "preflight-account-bootstrap",
    "A bootstrap stack of the stage's account and region (aws:allowedAccountIds, aws:region) creates the state "
    "bucket, the secrets key alias of the stack's secretsprovider, the GitHub OIDC provider, every role the "
    "workflows' phases assume for the stage, and the GitHub connection its runner uses.",
    "https://github.com/aws-actions/configure-aws-credentials#oidc",
)
GITHUB = PreflightRule(
    "preflight-github-api",
    "GitHub API rules the provider does not check: an environment's deployment branch policy has exactly one of "
    "protected/custom branches, deployment branch and tag policies only on a custom-policy environment, at most "
    "6 reviewers, a wait timer of 0-43200 minutes.",
    "https://docs.github.com/en/rest/deployments/environments#create-or-update-an-environment",
)
REFERENCES = PreflightRule(
    "preflight-stack-references",
    "Cross-stack names resolve: a stage with EKS has its cluster stack, naming it, and exports every output that "
    "stack reads by StackReference; rulesets' required deployments name environments a stage of the repository "
    "creates.",
    "https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences",
)
RULES: tuple[PreflightRule, ...] = (ACCOUNT, GITHUB, KUBERNETES, REFERENCES)
