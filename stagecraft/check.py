"""``stagecraft check``: what no single stack can see, across the stage stacks and the repository layer.

Between stage stacks (``Pulumi.*.yaml``):

- overlapping VPC CIDRs (stages of one project may peer, or share a transit gateway or VPN);
- two stages claiming the same namespace, or deriving the same physical name (registry, bucket, ...).

Between the stages and the repository layer (``repository/Pulumi.*.yaml``, see docs/components/repository.md):

- every branch a stage deploys from is protected, and every release-tag pattern covered by a tag ruleset;
- each stage has its preview environment, protected-branches-only for production-profile stages;
- every ``required_deployments`` environment is one some stage deploys through;
- one repository stack per repository, so each repository secret is set once;
- a warning (not a conflict) when code-owner review is required but the project has no CODEOWNERS file.

Stages may share a branch (seed 004 deploys three environments from one ``main``); the account's OIDC
provider belongs to the account bootstrap, and repository secrets to the repository layer.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, TextIO

from infra.config import ConfigError, StageConfig, load_stage_config
from infra.config.errors import yaml_value
from infra.config.repository import REPOSITORY_KEY, RepositoryConfig, load_repository_config
from infra.config.stackfiles import StackFileError, load_stack, stack_names
from infra.naming import StageNames
from stagecraft.plan.layers import with_declared_secrets

S = "stagecraft:stage"
R = REPOSITORY_KEY
REPOSITORY_LAYER = "repository"
"""The repository layer's folder, relative to the project root."""
CODEOWNERS_PATHS = ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS")
"""Where GitHub looks for a CODEOWNERS file (https://docs.github.com/en/repositories/managing-your-
repositorys-settings-and-features/customizing-your-repository/about-code-owners#codeowners-file-location)."""


@dataclass(frozen=True, order=True)
class Conflict:
    """Two stacks that get in each other's way, with the keys involved."""

    first: str
    second: str
    message: str

    def __str__(self) -> str:
        return f"stacks {self.first!r} and {self.second!r}: {self.message}"


@dataclass(frozen=True)
class Stage:
    """One stack's validated config plus the accounts it declares."""

    stack: str
    config: StageConfig
    accounts: tuple[str, ...]
    """From ``aws:allowedAccountIds``; empty when the stack does not declare its account."""

    def names(self) -> StageNames:
        """Physical names with a placeholder account (only the stage-specific part is compared)."""
        account = self.accounts[0] if self.accounts else "000000000000"
        settings = self.config.settings
        return StageNames(app=settings.app, stage=self.config.stage, account_id=account, region=self.config.region)


def load_stages(cwd: Path) -> tuple[list[Stage], list[str]]:
    """Every stack of the project, validated; and the problems of the stacks that are invalid."""
    stages: list[Stage] = []
    errors: list[str] = []
    for stack in stack_names(cwd):
        try:
            values = with_declared_secrets(load_stack(cwd, stack)).placeholder_values()
            config = load_stage_config(stack, values)
        except (StackFileError, ConfigError) as exc:
            errors.append(f"{stack}: {exc}")
            continue
        stages.append(Stage(stack, config, config.account_ids))
    return stages, errors


def _overlapping_cidrs(a: Stage, b: Stage) -> Iterable[str]:
    net_a = ipaddress.IPv4Network(a.config.settings.network.cidr)
    net_b = ipaddress.IPv4Network(b.config.settings.network.cidr)
    if net_a.overlaps(net_b):
        yield (f"VPC CIDRs overlap ({S}.network.cidr: {net_a} and {net_b}); stages that may peer need distinct ranges")


def _shared_names(a: Stage, b: Stage) -> Iterable[str]:
    names_a = {name: kind for kind, name in _physical(a)}
    for kind, name in _physical(b):
        if name in names_a:
            yield f"both derive the {kind} name {name!r} (from {S}.app and the stack name); rename one app or stage"


def _physical(stage: Stage) -> list[tuple[str, str]]:
    # Account ids are left out so only the stage-specific names are compared.
    names = stage.names()
    repositories = tuple(stage.config.settings.registries.repositories)
    return [(kind, name.replace(names.account_id, "<account>")) for kind, name in names.checks(repositories)]


def _namespaces(stage: Stage) -> set[str]:
    compute = stage.config.settings.compute
    if not compute.eks.enabled:
        return set()
    return {spec.name for spec in compute.namespace_specs(stage.names().namespace)}


def _shared_namespaces(a: Stage, b: Stage) -> Iterable[str]:
    for name in sorted(_namespaces(a) & _namespaces(b)):
        yield (
            f"both claim Kubernetes namespace {name!r} ({S}.compute.namespaces); a shared cluster or a later "
            "merge of clusters would mix their workloads and RBAC"
        )


CHECKS = (
    _overlapping_cidrs,
    _shared_namespaces,
    _shared_names,
)


def find_conflicts(stages: list[Stage]) -> list[Conflict]:
    """Every conflict between two stages, sorted."""
    conflicts = [
        Conflict(a.stack, b.stack, message)
        for a, b in combinations(sorted(stages, key=lambda s: s.stack), 2)
        for check in CHECKS
        for message in check(a, b)
    ]
    return sorted(conflicts)


@dataclass(frozen=True)
class RepositoryStack:
    """One stack of the repository layer, validated."""

    stack: str
    config: RepositoryConfig

    @property
    def label(self) -> str:
        """``repository/<stack>``: how findings and the summary name it."""
        return f"{REPOSITORY_LAYER}/{self.stack}"


@dataclass(frozen=True, order=True)
class Problem:
    """A stack the repository layer does not match (a conflict) or a warning, with the keys involved."""

    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


def load_repositories(cwd: Path) -> tuple[list[RepositoryStack], list[str]]:
    """Every stack of the repository layer (``repository/Pulumi.*.yaml``), validated; and the invalid ones' problems.

    A project without a ``repository/`` folder has no repository stacks.
    """
    layer = cwd / REPOSITORY_LAYER
    stacks: list[RepositoryStack] = []
    errors: list[str] = []
    if not layer.is_dir():
        return stacks, errors
    for stack in stack_names(layer):
        try:
            config = load_repository_config(stack, with_declared_secrets(load_stack(layer, stack)).placeholder_values())
        except (StackFileError, ConfigError) as exc:
            errors.append(f"{REPOSITORY_LAYER}/{stack}: {exc}")
            continue
        stacks.append(RepositoryStack(stack, config))
    return stacks, errors


def _stage(stage: Stage) -> str:
    return f"stage {stage.stack!r}"


def _repository_findings(stage: Stage, managing: list[RepositoryStack]) -> Iterable[str]:
    repository = stage.config.settings.repository
    if not managing:
        yield (
            f"deploys from {repository} ({S}.repository), which no repository stack manages: add "
            f"{REPOSITORY_LAYER}/Pulumi.<name>.yaml with {R}.repository: {repository}"
        )
        return
    where = ", ".join(repr(r.label) for r in managing)
    github = stage.config.settings.github
    branch: str | None = github.deploy_branch  # None once a stage may deploy from tags only
    if branch is not None and not any(branch in r.config.settings.branches for r in managing):
        yield (
            f"deploys from branch {branch!r} of {repository} ({S}.github.deploy_branch), but {where} does not "
            f"protect it: add it under {R}.branches"
        )
    covered = {p for r in managing for ruleset in r.config.settings.tags.values() for p in ruleset.patterns}
    for pattern in github.tag_patterns:
        if pattern not in covered:
            yield (
                f"deploys from tags {pattern!r} of {repository} ({S}.github.tag_patterns), but no tag ruleset of "
                f"{where} covers that pattern: add it to {R}.tags.<key>.patterns so only its bypass actors can "
                "create, move or delete such tags"
            )
    preview = f"{stage.config.environment}{stage.names().preview_environment_suffix}"
    found = [
        r.config.settings.preview_environments[preview]
        for r in managing
        if preview in r.config.settings.preview_environments
    ]
    settings = found[0] if found else None
    if settings is None:
        yield (
            f"has no preview environment {preview!r} in {where}: add it under {R}.preview_environments "
            f"(branches: {'protected' if stage.config.profile == 'production' else 'any'})"
        )
    elif stage.config.profile == "production" and settings.branches != "protected":
        yield (
            f"is a production stage, but {where} lets any branch use its preview environment ({R}."
            f"preview_environments.{preview}.branches: {settings.branches}): set it to 'protected' so only "
            "reviewed code gets production's preview credentials"
        )


def _deployment_findings(repository: RepositoryStack, stages: list[Stage]) -> Iterable[str]:
    settings = repository.config.settings
    environments = sorted({s.config.environment for s in stages if s.config.settings.repository == settings.repository})
    for branch, protection in sorted(settings.branches.items()):
        for environment in protection.required_deployments:
            if environment not in environments:
                known = ", ".join(environments) or "none"
                yield (
                    f"branch {branch!r} requires a deployment to {environment!r} ({R}.branches.{branch}."
                    f"required_deployments), but no stage of {settings.repository} deploys through that "
                    f"environment (stage environments: {known}); merges into {branch!r} would wait forever"
                )


def _shared_repository(a: RepositoryStack, b: RepositoryStack) -> Iterable[str]:
    repository = a.config.settings.repository
    if repository != b.config.settings.repository:
        return
    yield (
        f"both manage {repository} ({R}.repository): their branch protection, rulesets and preview "
        "environments would overwrite each other; keep one repository stack per repository"
    )
    for name in sorted(set(a.config.settings.secrets) & set(b.config.settings.secrets)):
        yield (
            f"both set repository secret {name!r} of {repository} ({R}.secrets); a repository secret is set by "
            "exactly one stack, or the last run wins"
        )


def find_problems(stages: list[Stage], repositories: list[RepositoryStack]) -> list[Problem]:
    """Every mismatch between the stages and the repository layer, and between repository stacks, sorted."""
    found: list[Problem] = []
    for stage in stages:
        managing = [r for r in repositories if r.config.settings.repository == stage.config.settings.repository]
        found += [Problem(_stage(stage), m) for m in _repository_findings(stage, managing)]
    for repository in repositories:
        found += [
            Problem(f"repository stack {repository.label!r}", m) for m in _deployment_findings(repository, stages)
        ]
    for a, b in combinations(sorted(repositories, key=lambda r: r.stack), 2):
        found += [Problem(f"stacks {a.label!r} and {b.label!r}", m) for m in _shared_repository(a, b)]
    return sorted(found)


def find_warnings(cwd: Path, repositories: list[RepositoryStack]) -> list[Problem]:
    """Advice that does not fail the check: code-owner review required without any CODEOWNERS file."""
    if any((cwd / path).is_file() for path in CODEOWNERS_PATHS):
        return []
    warnings: list[Problem] = []
    for repository in sorted(repositories, key=lambda r: r.stack):
        branches = sorted(b for b, s in repository.config.settings.branches.items() if s.require_code_owner_reviews)
        if branches:
            warnings.append(
                Problem(
                    f"repository stack {repository.label!r}",
                    f"requires code-owner review on {', '.join(map(yaml_value, branches))} ({R}.branches.<branch>."
                    f"require_code_owner_reviews), but the project has no CODEOWNERS file "
                    f"({', '.join(CODEOWNERS_PATHS)}): GitHub then requires no code-owner approval; add one",
                )
            )
    return warnings


@dataclass(frozen=True)
class CheckReport:
    """What ``stagecraft check`` found: stacks that do not load, conflicts, warnings, and the stacks checked."""

    errors: tuple[str, ...]
    conflicts: tuple[str, ...]
    warnings: tuple[str, ...]
    stacks: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        """2 when a stack does not load, 1 on a conflict, else 0 (warnings never fail)."""
        return 2 if self.errors else 1 if self.conflicts else 0

    def to_json(self) -> dict[str, Any]:
        """The ``check --json`` document."""
        return {
            "schema_version": CHECK_SCHEMA_VERSION,
            "errors": list(self.errors),
            "conflicts": list(self.conflicts),
            "warnings": list(self.warnings),
            "stacks": list(self.stacks),
            "exit_code": self.exit_code,
        }


CHECK_SCHEMA_VERSION = 1
"""Version of the ``check --json`` document; bumped only when a key changes meaning or goes away."""


def check(cwd: Path) -> CheckReport:
    """Check the stage stacks against each other and against the repository layer."""
    stages, errors = load_stages(cwd)
    repositories, repository_errors = load_repositories(cwd)
    conflicts = [*map(str, find_conflicts(stages)), *map(str, find_problems(stages, repositories))]
    return CheckReport(
        errors=(*errors, *repository_errors),
        conflicts=tuple(conflicts),
        warnings=tuple(map(str, find_warnings(cwd, repositories))),
        stacks=(*(s.stack for s in stages), *(r.label for r in repositories)),
    )


def run(cwd: Path, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """``stagecraft check``: print errors, conflicts and warnings; 0 ok, 1 a conflict, 2 an invalid stack.

    ``out`` and ``err`` default to the streams current at the call (so a redirected ``sys.stdout`` is used).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    report = check(cwd)
    for error in report.errors:
        print(f"error: {error}", file=err)
    for conflict in report.conflicts:
        print(f"conflict: {conflict}", file=out)
    for warning in report.warnings:
        print(f"warning: {warning}", file=out)
    if report.exit_code == 0:
        print(f"No conflicts between {len(report.stacks)} stacks: {', '.join(report.stacks)}", file=out)
    return report.exit_code
