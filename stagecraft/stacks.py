"""``stagecraft stacks``: every stage stack of the project, with what a workflow needs to run it.

The workflows take their stack list from here (``stagecraft stacks --json [--ref REF]`` in a setup job), so a
new ``Pulumi.<stage>.yaml`` needs no workflow edit and no repository variables: account, region, roles,
backend and secrets provider all derive from the stack file and :mod:`infra.naming`.

The JSON is ``{"schema_version": 1, "include": [<entry>, ...]}``; ``include`` is a GitHub Actions matrix
(``strategy.matrix.include: ${{ fromJSON(needs.stacks.outputs.matrix).include }}``). Each entry is
:meth:`StackEntry.to_json`, entries sorted by stack name. Bump :data:`SCHEMA_VERSION` when a key changes
meaning or disappears; adding a key is compatible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from infra.config import ConfigError, ConfigProblem, StageConfig, load_stage_config
from infra.config.loader import ACCOUNTS_KEY
from infra.config.stackfiles import load_stack, stack_names
from infra.naming import StageNames
from stagecraft.plan.layers import with_declared_secrets

SCHEMA_VERSION = 1
PRODUCTION_PROFILE = "production"
"""Stacks of this profile are never previewed for pull requests (their preview environment admits
protected branches only): unreviewed code never runs with production credentials or secrets."""
PREVIEW_ENVIRONMENT_SUFFIX = "-preview"
CLUSTER_DIR = "cluster"
"""The cluster layer's project directory (docs/architecture.md, layer 4)."""


class RefError(ValueError):
    """``--ref`` is not a full git ref (``refs/heads/<branch>`` or ``refs/tags/<tag>``)."""


@dataclass(frozen=True)
class StackEntry:
    """One stage stack, as a workflow matrix entry."""

    stack: str
    """The Pulumi stack name (``Pulumi.<stack>.yaml``)."""
    stage: str
    """The stage name (the stack name's last segment)."""
    environment: str
    """GitHub environment ``pulumi up`` runs in (the deploy role trusts only this subject)."""
    preview_environment: str
    """GitHub environment previews and drift checks run in (``<environment>-preview``)."""
    profile: str
    """The stage's profile; selects the policy-pack config."""
    account: str
    """The AWS account (``aws:allowedAccountIds[0]``)."""
    region: str
    """The AWS region (``aws:region``)."""
    repository: str
    """The GitHub repository the stage's environment lives in, ``owner/name``."""
    backend_url: str
    """``pulumi login`` URL of the account's state bucket."""
    secrets_provider: str
    """The stack's ``awskms://`` secrets provider."""
    pulumi_preview_role_arn: str
    """Read-only role for ``pulumi preview`` (trusted by ``<environment>-preview``)."""
    pulumi_deploy_role_arn: str
    """Role for ``pulumi up`` (trusted by ``<environment>``)."""
    policy_config: str
    """``--policy-pack-config`` file, by profile: ``policy/profiles/<profile>.json``."""
    preview_on_pull_request: bool
    """Whether pull requests of this repository run ``pulumi preview`` for the stack."""
    deploy_branch: str | None
    """The branch the stage deploys from (``None``: tags only)."""
    tag_patterns: tuple[str, ...]
    """Tag patterns that deploy the stage."""
    cluster_stack: str | None = None
    """The cluster layer's stack (``cluster/Pulumi.<stack>.yaml``) applied after the stage, on the stage's in-VPC
    runner; ``None`` for a stage without EKS."""
    runner_project: str | None = None
    """The CodeBuild project of the stage's in-VPC runner: a job runs on it with
    ``runs-on: codebuild-<runner_project>-${{ github.run_id }}-${{ github.run_attempt }}``."""

    @property
    def repository_owner(self) -> str:
        """Owner part of :attr:`repository` (the GitHub App installation to mint a token for)."""
        return self.repository.split("/", 1)[0]

    @property
    def repository_name(self) -> str:
        """Name part of :attr:`repository` (the only repository the minted token may touch)."""
        return self.repository.split("/", 1)[1]

    def deploys_from(self, ref: str) -> bool:
        """Whether a push of ``ref`` (``refs/heads/...`` or ``refs/tags/...``) deploys this stack."""
        if ref.startswith("refs/heads/"):
            branch = ref.removeprefix("refs/heads/")
            return self.deploy_branch is not None and ref_matches(self.deploy_branch, branch)
        if ref.startswith("refs/tags/"):
            tag = ref.removeprefix("refs/tags/")
            return any(ref_matches(pattern, tag) for pattern in self.tag_patterns)
        return False

    def to_json(self) -> dict[str, Any]:
        """The matrix entry; every value is a string, boolean, ``None`` or list of strings."""
        return {
            "stack": self.stack,
            "stage": self.stage,
            "environment": self.environment,
            "preview_environment": self.preview_environment,
            "profile": self.profile,
            "account": self.account,
            "region": self.region,
            "repository": self.repository,
            "repository_owner": self.repository_owner,
            "repository_name": self.repository_name,
            "backend_url": self.backend_url,
            "secrets_provider": self.secrets_provider,
            "pulumi_preview_role_arn": self.pulumi_preview_role_arn,
            "pulumi_deploy_role_arn": self.pulumi_deploy_role_arn,
            "policy_config": self.policy_config,
            "preview_on_pull_request": self.preview_on_pull_request,
            "deploy_branch": self.deploy_branch,
            "tag_patterns": list(self.tag_patterns),
            "cluster_stack": self.cluster_stack,
            "runner_project": self.runner_project,
        }


def entry_for(config: StageConfig) -> StackEntry:
    """The matrix entry of a validated stage; raises :class:`ConfigError` without an account."""
    if not config.account_ids:
        raise ConfigError(
            [
                ConfigProblem(
                    ACCOUNTS_KEY,
                    "required key is missing: workflows derive the stage's roles and state bucket from its "
                    "account; set it with `pulumi config set --path 'aws:allowedAccountIds[0]' <12-digit id>`",
                )
            ]
        )
    settings = config.settings
    names = StageNames(app=settings.app, stage=config.stage, account_id=config.account_ids[0], region=config.region)
    branch: str | None = settings.github.deploy_branch
    return StackEntry(
        stack=config.stack,
        stage=config.stage,
        environment=config.environment,
        preview_environment=config.environment + PREVIEW_ENVIRONMENT_SUFFIX,
        profile=config.profile,
        account=names.account_id,
        region=config.region,
        repository=settings.repository,
        backend_url=names.account.backend_url,
        secrets_provider=names.account.secrets_provider,
        pulumi_preview_role_arn=names.pulumi_preview_role_arn,
        pulumi_deploy_role_arn=names.pulumi_deploy_role_arn,
        policy_config=f"policy/profiles/{config.profile}.json",
        preview_on_pull_request=config.profile != PRODUCTION_PROFILE,
        deploy_branch=branch,
        tag_patterns=tuple(settings.github.tag_patterns),
        cluster_stack=config.stack if settings.compute.eks.enabled else None,
        runner_project=names.runner_project if settings.compute.eks.enabled else None,
    )


def list_stacks(cwd: Path, ref: str | None = None) -> list[StackEntry]:
    """Every stage stack in ``cwd`` (optionally only those a push of ``ref`` deploys), sorted by name.

    Raises :class:`ConfigError` naming every invalid stack (each key prefixed with its stack file) and
    :class:`RefError` for a ``ref`` that is not ``refs/heads/...`` or ``refs/tags/...``.
    """
    if ref is not None and not re.fullmatch(r"refs/(heads|tags)/.+", ref):
        raise RefError(f"--ref {ref!r} must be a full ref: refs/heads/<branch> or refs/tags/<tag>")
    entries: list[StackEntry] = []
    problems: list[ConfigProblem] = []
    for stack in stack_names(cwd):
        stack_file = with_declared_secrets(load_stack(cwd, stack))
        try:
            entry = entry_for(load_stage_config(stack_file.stack, stack_file.placeholder_values()))
            entries.append(entry)
            cluster_file = cwd / CLUSTER_DIR / f"Pulumi.{entry.cluster_stack}.yaml"
            if entry.cluster_stack is not None and not cluster_file.exists():
                problems.append(
                    ConfigProblem(
                        f"{stack_file.path.name}: stagecraft:stage.compute.eks.enabled",
                        f"true, but {CLUSTER_DIR}/{cluster_file.name} is missing: the stage's Kubernetes objects are "
                        f"applied by that cluster stack (`stagecraft new-stage` writes it; docs/first-deploy.md)",
                    )
                )
        except ConfigError as exc:
            problems.extend(ConfigProblem(f"{stack_file.path.name}: {p.key}", p.message) for p in exc.problems)
    if problems:
        raise ConfigError(problems)
    return [e for e in entries if ref is None or e.deploys_from(ref)]


def matrix(entries: list[StackEntry]) -> dict[str, Any]:
    """The ``stagecraft stacks --json`` document."""
    return {"schema_version": SCHEMA_VERSION, "include": [e.to_json() for e in entries]}


def ref_matches(pattern: str, name: str) -> bool:
    """Whether a branch or tag ``name`` matches a deployment branch/tag ``pattern`` as GitHub matches it.

    GitHub matches environment deployment branch and tag rules with Ruby's ``File.fnmatch`` where wildcards
    do not match ``/`` (``release/*`` does not match ``release/a/b``; ``release/*/*`` does):
    https://docs.github.com/en/actions/reference/workflows-and-actions/deployments-and-environments#deployment-branches-and-tags
    """
    return _compile(pattern).fullmatch(name) is not None


@cache
def _compile(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        elif char == "[" and (end := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1 : end]
            negate = body[0] in "!^"
            body = body[1:] if negate else body
            out.append(f"[{'^/' if negate else ''}{body.replace(chr(92), chr(92) * 2)}]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))
