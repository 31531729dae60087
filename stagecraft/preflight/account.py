"""Rule (b): the account-level prerequisites of a stage exist, created by a bootstrap stack of its account.

Before a stage's first ``pulumi up`` can log in, decrypt its secrets and assume its role, the account bootstrap
(``bootstrap/``) must have created, in the stage's account and region: the state bucket and the secrets key alias
(``infra.naming.AccountNames``), the GitHub OIDC provider the roles trust, every role the workflows' phases assume
for the stage (their ARNs are the ``stagecraft stacks`` entry's, ``infra.naming.StageNames``) and, when the stage has
a runner, the CodeConnections connection the runner's CodeBuild project authenticates to GitHub with. This is judged
from the bootstrap stacks' own offline plans: what they would create, not what their config says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.github_connection import GITHUB_CONNECTION_NAME
from infra.config.account import AccountConfig
from infra.config.stackfiles import stack_names
from infra.naming import AccountNames
from stagecraft.plan.inventory import Inventory
from stagecraft.preflight.context import Phase

BOOTSTRAP_DIR = "bootstrap"
GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"


@dataclass(frozen=True)
class BootstrapPlan:
    """One bootstrap stack's account, region and what its plan creates."""

    stack: str
    account_id: str
    region: str
    inventory: Inventory


BootstrapPlanner = Callable[[Path], Sequence[BootstrapPlan]]


def bootstrap_findings(
    root: Path,
    entry: Mapping[str, Any],
    phases: Sequence[Phase],
    stack_secrets_provider: str | None,
    needs_connection: bool,
    plans: BootstrapPlanner,
) -> list[tuple[str | None, str]]:
    """What the stage of ``entry`` (a ``stagecraft stacks`` entry) needs from its account and no bootstrap creates."""
    account, region = str(entry["account"]), str(entry["region"])
    names = AccountNames(account_id=account, region=region)
    known = plans(root / BOOTSTRAP_DIR)
    matching = [p for p in known if p.account_id == account and p.region == region]
    if not matching:
        held = ", ".join(f"{p.stack} ({p.account_id}, {p.region})" for p in known) or "none"
        return [
            (
                None,
                f"no bootstrap stack creates account {account}'s prerequisites in {region} (aws:allowedAccountIds, "
                f"aws:region): {BOOTSTRAP_DIR}/Pulumi.*.yaml has {held}; without its state bucket "
                f"{names.state_bucket!r} no phase can log in (docs/first-deploy.md: bootstrap first)",
            )
        ]
    plan = matching[0]
    where = f"bootstrap stack {plan.stack!r} ({account}, {region})"
    findings: list[tuple[str | None, str]] = []
    needed = [
        ("aws:s3/bucket:Bucket", "bucket", names.state_bucket, "the state bucket every phase logs in to"),
        (
            "aws:kms/alias:Alias",
            "name",
            names.secrets_key_alias,
            "the secrets key alias of the stack's secretsprovider",
        ),
        (
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
            "url",
            GITHUB_OIDC_URL,
            "the OIDC provider the roles trust",
        ),
    ]
    for role_arn, jobs in sorted(_roles(phases, entry).items()):
        what = f"the role {', '.join(jobs)} assume{'s' if len(jobs) == 1 else ''}"
        needed.append(("aws:iam/role:Role", "name", role_arn.rsplit("/", 1)[-1], what))
    if needs_connection:
        needed.append(
            (
                "aws:codeconnections/connection:Connection",
                "name",
                GITHUB_CONNECTION_NAME,
                "the runner's GitHub connection",
            )
        )
    for type_, key, value, why in needed:
        if not any(r.inputs.get(key) == value for r in plan.inventory.of_type(type_)):
            findings.append((None, f"{where} creates no {type_} with {key} {value!r} ({why})"))
    if stack_secrets_provider is not None and stack_secrets_provider != names.secrets_provider:
        findings.append(
            (
                None,
                f"the stack's secretsprovider is {stack_secrets_provider!r}, but {where} creates "
                f"{names.secrets_provider!r}: the stack's secrets cannot be decrypted",
            )
        )
    return findings


def _roles(phases: Sequence[Phase], entry: Mapping[str, Any]) -> dict[str, list[str]]:
    """Role ARN -> the jobs that assume it, from each phase's ``role-to-assume`` matrix key."""
    roles: dict[str, list[str]] = {}
    for phase in phases:
        arn = entry.get(phase.role_key) if phase.role_key else None
        if isinstance(arn, str) and f"{phase.workflow} job {phase.job!r}" not in roles.get(arn, []):
            roles.setdefault(arn, []).append(f"{phase.workflow} job {phase.job!r}")
    return roles


def bootstrap_stacks(directory: Path) -> list[str]:
    """The bootstrap stacks in ``directory`` (none when the project has no bootstrap layer)."""
    return stack_names(directory) if directory.is_dir() else []


def plan_of(stack: str, config: AccountConfig, inventory: Inventory) -> BootstrapPlan:
    """A :class:`BootstrapPlan` from a planned bootstrap stack."""
    return BootstrapPlan(stack=stack, account_id=config.account_id, region=config.region, inventory=inventory)
