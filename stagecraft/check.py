"""``stagecraft check``: what no single stack can see, across every ``Pulumi.*.yaml`` of the project.

- overlapping VPC CIDRs (stages of one project may peer, or share a transit gateway or VPN);
- two stages protecting the same branch of the same repository;
- a repository-level secret name set by two stages of the same repository (the last one wins);
- two stages creating the account's GitHub OIDC provider in the same (or an undeclared) account;
- two stages claiming the same namespace, or deriving the same physical name (registry, bucket, ...).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from infra.config import ConfigError, StageConfig, load_stage_config
from infra.config.loader import ACCOUNTS_KEY as ACCOUNT_KEY
from infra.naming import StageNames
from stagecraft.stackfiles import StackFileError, load_stack, stack_names

S = "stagecraft:stage"


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
            values = load_stack(cwd, stack).placeholder_values()
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


def _same_branch(a: Stage, b: Stage) -> Iterable[str]:
    repo_a, repo_b = a.config.settings.repository, b.config.settings.repository
    branch_a, branch_b = a.config.settings.github.deploy_branch, b.config.settings.github.deploy_branch
    if repo_a == repo_b and branch_a == branch_b:
        yield (
            f"both protect branch {branch_a!r} of {repo_a} ({S}.github.deploy_branch); "
            "each stage needs its own deploy branch"
        )


def _shared_repository_secrets(a: Stage, b: Stage) -> Iterable[str]:
    if a.config.settings.repository != b.config.settings.repository:
        return
    for name in sorted(set(a.config.secrets.repository) & set(b.config.secrets.repository)):
        yield (
            f"both set repository secret {name!r} (stagecraft:secrets.repository.{name}); repository secrets are "
            "shared by every stage, so one would overwrite the other: use an environment secret or distinct names"
        )


def _two_oidc_providers(a: Stage, b: Stage) -> Iterable[str]:
    if a.config.settings.github.oidc_provider != "create" or b.config.settings.github.oidc_provider != "create":
        return
    if a.accounts and b.accounts and not set(a.accounts) & set(b.accounts):
        return
    where = (
        f"the same AWS account ({', '.join(sorted(set(a.accounts) & set(b.accounts)))})"
        if a.accounts and b.accounts
        else f"possibly the same AWS account ({ACCOUNT_KEY} is not set in both)"
    )
    yield (
        f"both create the GitHub OIDC provider ({S}.github.oidc_provider: create) in {where}; it exists once per "
        "account: let one create it and give the other its ARN, or declare distinct accounts"
    )


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
    _same_branch,
    _shared_repository_secrets,
    _two_oidc_providers,
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
