"""``stagecraft new-stage``: write ``Pulumi.<name>.yaml`` for a new stage, from an existing stack.

The new file is written from a template: a header and comments that describe the new stage, the
``secretsprovider`` line ``pulumi stack init --secrets-provider`` writes, and the source's settings
(key order kept, the source's comments dropped: they describe the source). It gets a VPC CIDR that
overlaps no other stack and none of :data:`AVOIDED_CIDRS`, its own deploy branch, and no secrets at all:
no ``secure:`` value and no ``stagecraft:secrets`` block. The ``pulumi`` commands still to run are
returned in the order they must run. A file that does not plan is kept as ``Pulumi.<name>.yaml.rejected``.
"""

from __future__ import annotations

import io
import ipaddress
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from infra.config.profiles import PROFILES, defaults_for
from infra.config.stackfiles import StackFileError, is_secure, load_stack, stack_names
from infra.config.stage import stage_name_problem
from infra.naming import AccountNames

STAGE = "stagecraft:stage"
SECRETS = "stagecraft:secrets"
REGION = "aws:region"
ACCOUNTS = "aws:allowedAccountIds"
GITHUB_OWNER = "github:owner"
CANDIDATE_POOL = ipaddress.IPv4Network("10.0.0.0/8")
"""Where a free /16 is looked for when no ``--cidr`` is given."""

AVOIDED_CIDRS: tuple[tuple[ipaddress.IPv4Network, str], ...] = tuple(
    (ipaddress.IPv4Network(cidr), why)
    for cidr, why in (
        # The VPC console's and SDKs' default VPC range, so the first VPC of most accounts and tutorials:
        # https://docs.aws.amazon.com/vpc/latest/userguide/create-vpc.html
        ("10.0.0.0/16", "the default range of the VPC console and of most tutorials"),
        ("10.1.0.0/16", "the second VPC of most tutorials and examples"),
        # EKS gives Kubernetes services 10.100.0.0/16 (or 172.20.0.0/16 when the VPC is in 10.0.0.0/8) unless
        # told otherwise: https://docs.aws.amazon.com/eks/latest/APIReference/API_KubernetesNetworkConfigRequest.html
        ("10.100.0.0/16", "the default Kubernetes service range of EKS"),
        # The default VPC of every region is 172.31.0.0/16 (https://docs.aws.amazon.com/vpc/latest/userguide/
        # default-vpc.html); Docker's bridge is 172.17.0.0/16 and its networks come from 172.17.0.0-172.31.255.255
        # and 192.168.0.0/16 (https://github.com/moby/moby/blob/1a6ba91b644b320ed3bad8169dd439c37199512b/
        # libnetwork/ipamutils/utils.go); 172.20.0.0/16 is EKS's other service range (above).
        (
            "172.16.0.0/12",
            "the default VPC (172.31.0.0/16), Docker (172.17.0.0/16 on) and EKS services (172.20.0.0/16)",
        ),
        ("192.168.0.0/16", "home and office networks (VPN clients) and Docker's last default pool"),
    )
)
"""Ranges a new stage's VPC is not picked from: the ones most likely to collide with a peer, a VPN or a runner."""


class NewStageError(Exception):
    """The new stage cannot be written; the message says why."""


@dataclass
class NewStage:
    """What ``new-stage`` wrote and what is left for the user to do."""

    name: str
    source: str
    path: Path
    cidr: str
    secrets_provider: str
    backend_url: str | None = None
    """``pulumi login`` URL of the account's state bucket (``None`` when the stage names no account)."""
    secret_names: list[str] = field(default_factory=list)
    """Environment secrets the stage declares (the source's), to set with ``pulumi config set --secret``."""
    notes: list[str] = field(default_factory=list)
    cluster_path: Path | None = None
    """The cluster layer's stack file written for a stage with EKS (``cluster/Pulumi.<name>.yaml``)."""

    @property
    def secret_commands(self) -> list[str]:
        """One ``pulumi config set --secret`` per declared environment secret."""
        return [
            f"pulumi config set --secret --path '{SECRETS}.environment.{secret}' <value> --stack {self.name}"
            for secret in self.secret_names
        ]

    def next_commands(self) -> list[str]:
        """Every command still to run, in order: the stack exists with its secrets provider before any secret."""
        commands = [f"pulumi login '{self.backend_url}'"] if self.backend_url else []
        commands.append(f"pulumi stack init {self.name} --secrets-provider='{self.secrets_provider}'")
        if self.cluster_path is not None:
            commands.append(
                f"pulumi stack init {self.name} --cwd {self.cluster_path.parent.name} "
                f"--secrets-provider='{self.secrets_provider}'"
            )
        return [*commands, *self.secret_commands, f"pulumi preview --stack {self.name}"]

    def reject(self, errors: str) -> Path:
        """Keep a written stage that does not plan as ``Pulumi.<name>.yaml.rejected``, its errors at the top."""
        rejected = self.path.with_name(f"{self.path.name}.rejected")
        intro = f"Rejected: `stagecraft new-stage {self.name} --from {self.source}` wrote this file; it does not plan:"
        errors_block = "".join(f"#   {line}\n" for line in errors.splitlines())
        outro = f"Fix the errors, delete these comment lines and rename the file to {self.path.name}."
        header = _comment([intro]) + errors_block + _comment([outro])
        rejected.write_text(header + self.path.read_text(encoding="utf-8"), encoding="utf-8")
        self.path.unlink()
        if self.cluster_path is not None:  # a cluster stack of a stage that does not exist would not plan either
            self.cluster_path.unlink(missing_ok=True)
        return rejected


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 120
    return yaml


def _network_ranges(stage: Any) -> list[ipaddress.IPv4Network]:
    network = stage.get("network") if isinstance(stage, dict) else None
    if not isinstance(network, dict):
        return []
    ranges = []
    for value in [network.get("cidr"), *(network.get("reserved_cidrs") or [])]:
        try:
            ranges.append(ipaddress.IPv4Network(value))
        except (TypeError, ValueError):
            continue
    return ranges


def _used_cidrs(cwd: Path, skip: str) -> list[ipaddress.IPv4Network]:
    """Every other stack's VPC and reserved ranges (a copied ``reserved_cidrs`` applies to the new stage too)."""
    used = []
    for stack in stack_names(cwd):
        if stack != skip:
            used += _network_ranges(load_stack(cwd, stack).values.get(STAGE))
    return used


def pick_cidr(used: list[ipaddress.IPv4Network]) -> str:
    """The first /16 in 10.0.0.0/8 that overlaps none of ``used`` and none of :data:`AVOIDED_CIDRS`."""
    taken = [*used, *(net for net, _ in AVOIDED_CIDRS)]
    for candidate in CANDIDATE_POOL.subnets(new_prefix=16):
        if not any(candidate.overlaps(u) for u in taken):
            return str(candidate)
    raise NewStageError("no free /16 left in 10.0.0.0/8; pass --cidr")  # pragma: no cover - 250 stages


def _check_cidr(cidr: str, used: list[ipaddress.IPv4Network], cwd: Path) -> list[str]:
    try:
        net = ipaddress.IPv4Network(cidr)
    except ValueError as exc:
        raise NewStageError(f"--cidr {cidr!r} is not a valid IPv4 CIDR block ({exc})") from None
    clash = [str(u) for u in used if net.overlaps(u)]
    if clash:
        raise NewStageError(f"--cidr {cidr} overlaps another stage's VPC ({', '.join(clash)}) in {cwd}")
    return [
        f"--cidr {cidr} overlaps {avoided} ({why}); expect collisions"
        for avoided, why in AVOIDED_CIDRS
        if net.overlaps(avoided)
    ]


def _fresh(node: Any) -> Any:
    """``node`` rebuilt without the source's comments; lists of plain values stay on one line."""
    if isinstance(node, dict):
        fresh = CommentedMap()
        for key, value in node.items():
            if not is_secure(value):
                fresh[key] = _fresh(value)
        return fresh
    if isinstance(node, list):
        seq = CommentedSeq(_fresh(item) for item in node if not is_secure(item))
        if all(not isinstance(item, dict | list) for item in seq):
            seq.fa.set_flow_style()
        return seq
    return node


def _secret_names(stage: CommentedMap, secrets: Any) -> list[str]:
    """The source's declared environment secrets (``github.secrets``), else the names it has values for."""
    declared = (stage.get("github") or {}).get("secrets")
    if isinstance(declared, list):
        return [str(name) for name in declared]
    environment = secrets.get("environment") if isinstance(secrets, dict) else None
    return [str(name) for name in environment] if isinstance(environment, dict) else []


def create_stage(
    cwd: Path,
    name: str,
    source: str,
    *,
    profile: str | None = None,
    cidr: str | None = None,
    branch: str | None = None,
) -> NewStage:
    """Write ``Pulumi.<name>.yaml`` from ``Pulumi.<source>.yaml``. Raises :class:`NewStageError`."""
    if problem := stage_name_problem(name):
        raise NewStageError(f"stage name {problem}")
    target = cwd / f"Pulumi.{name}.yaml"
    if target.exists():
        raise NewStageError(f"{target} already exists; refusing to overwrite it")
    if profile is not None and profile not in PROFILES:
        raise NewStageError(f"--profile {profile!r} is not one of {', '.join(PROFILES)}")
    try:
        load_stack(cwd, source)
    except StackFileError as exc:
        raise NewStageError(str(exc)) from None
    doc = _yaml().load((cwd / f"Pulumi.{source}.yaml").read_text(encoding="utf-8"))
    config: CommentedMap = doc.get("config") or CommentedMap()
    if not isinstance(config.get(STAGE), dict):
        raise NewStageError(f"Pulumi.{source}.yaml has no {STAGE} mapping to copy")
    stage: CommentedMap = _fresh(config[STAGE])
    used = _used_cidrs(cwd, skip=name)
    notes = _check_cidr(cidr, used, cwd) if cidr is not None else []
    region = str(config.get(REGION) or "us-east-1")
    accounts = config.get(ACCOUNTS)
    account = str(accounts[0]) if isinstance(accounts, list) and accounts else None
    names = AccountNames(account_id=account or "<account>", region=region)
    result = NewStage(
        name=name,
        source=source,
        path=target,
        cidr=cidr or pick_cidr(used),
        secrets_provider=names.secrets_provider,
        backend_url=names.backend_url if account else None,
        secret_names=_secret_names(stage, config.get(SECRETS)),
        notes=notes,
    )
    _adapt(stage, result, profile, branch or name, account)
    if account is None:
        result.notes.append(f"{ACCOUNTS} is not set: add the stage's account, then `pulumi login` to its state bucket")
    dropped = [key for key, value in config.items() if key != SECRETS and is_secure(value)]
    if dropped:
        result.notes.append(f"secret config values of {source} were not copied: {', '.join(dropped)}")
    target.write_text(_render(result, config, stage), encoding="utf-8")
    _write_cluster_stack(cwd, result, stage)
    return result


def _write_cluster_stack(cwd: Path, result: NewStage, stage: CommentedMap) -> None:
    """A stage with EKS gets its cluster layer stack (``cluster/Pulumi.<name>.yaml``): `stagecraft stacks`
    refuses a stage with EKS and no cluster stack, since its Kubernetes objects would never be applied."""
    compute = stage.get("compute")
    eks = compute.get("eks") if isinstance(compute, dict) else None
    cluster = cwd / "cluster"
    path = cluster / f"Pulumi.{result.name}.yaml"
    if not (isinstance(eks, dict) and eks.get("enabled")) or not (cluster / "Pulumi.yaml").exists() or path.exists():
        return
    path.write_text(
        f"# The Kubernetes objects of stage {result.name!r} (docs/architecture.md, layer 4), written by "
        f"`stagecraft new-stage`.\n"
        f"secretsprovider: {result.secrets_provider}\n"
        f"config:\n  stagecraft:cluster:\n    stage: {result.name}\n",
        encoding="utf-8",
    )
    result.cluster_path = path
    result.notes.append(f"wrote cluster/{path.name}: the stage's Kubernetes objects, applied from its in-VPC runner")


def _adapt(stage: CommentedMap, result: NewStage, profile: str | None, branch: str, account: str | None) -> None:
    """Make the copied settings the new stage's: its CIDR, profile, branch, environment, no source-only parts."""
    source = result.source
    network = stage.setdefault("network", CommentedMap())
    network["cidr"] = result.cidr
    if profile is not None and profile != stage.get("profile"):
        stage["profile"] = profile
        result.notes.append(f"profile set to {profile}; its defaults and floors apply")
    if stage.pop("acknowledge", None):
        result.notes.append(f"acknowledged weakenings of {source} were not copied: a new stage meets every floor")
    database = stage.get("database")
    if isinstance(database, dict) and database.pop("restore", None) is not None:
        result.notes.append(f"the database restore block of {source} was not copied")
        if not database:
            del stage["database"]
    github = stage.setdefault("github", CommentedMap())
    github["deploy_branch"] = branch
    if github.pop("environment", None) is not None:
        result.notes.append(f"github.environment of {source} was not copied: the environment is named {result.name}")
    if result.secret_names and "secrets" not in github:  # a source from before secrets were declared by name
        github["secrets"] = list(result.secret_names)
    app, repository = stage.get("app"), stage.get("repository")
    result.notes.append(
        f"the account bootstrap creates the roles CI runs {result.name} as: add {{app: {app}, stage: {result.name}, "
        f"repository: {repository}}} to stagecraft:account.stages of bootstrap/Pulumi.<account>.yaml and `pulumi up` it"
    )
    result.notes.append(
        f"the repository layer protects `{branch}` and creates the {result.name}-preview environment: add them to "
        "stagecraft:repository.branches and .preview_environments of repository/Pulumi.<repository>.yaml "
        "(`stagecraft check` lists what is missing)"
    )


def _render(result: NewStage, source_config: CommentedMap, stage: CommentedMap) -> str:
    """The new stack file: header, ``secretsprovider``, then the config with comments for the new stage."""
    profile = str(stage.get("profile"))
    github = stage["github"]
    defaults = next((defaults_for(known) for known in PROFILES if known == profile), {})
    tags = github.get("tag_patterns", defaults.get("github.tag_patterns", []))
    deploys = f"`{github['deploy_branch']}`" + (f" and tags {', '.join(map(str, tags))}" if tags else "")
    floors = ", and its floors cannot be lowered without an `acknowledge` entry" if profile == "production" else ""
    header = [
        f'Stage "{result.name}" of {stage.get("app")} (profile {profile}): deploys from {deploys}.',
        f"Written by `stagecraft new-stage {result.name} --from {result.source}`. Every key under {STAGE} is "
        f"documented in docs/configuration.md; the {profile} profile supplies every default not written here{floors}.",
        f"No secret value is ever written here: each comes from `pulumi config set --secret --path "
        f"'{SECRETS}.environment.<NAME>' <value> --stack {result.name}`, encrypted with the key below.",
    ]
    config = CommentedMap()
    for key in (REGION, ACCOUNTS, GITHUB_OWNER):
        if key in source_config:
            config[key] = _fresh(source_config[key])
    for key, value in source_config.items():
        if key not in (REGION, ACCOUNTS, GITHUB_OWNER, STAGE, SECRETS) and not is_secure(value):
            config[key] = _fresh(value)
    repository = stage.get("repository")
    if GITHUB_OWNER not in config and isinstance(repository, str) and "/" in repository:
        # The default GitHub provider acts for this owner (infra/config/secrets.py github_problems).
        config[GITHUB_OWNER] = repository.split("/")[0]
    config[STAGE] = stage
    if ACCOUNTS in config:
        config.yaml_set_comment_before_after_key(
            ACCOUNTS,
            before="The only AWS account this stage may deploy into (the provider refuses any other).",
            indent=2,
        )
    stage.yaml_set_comment_before_after_key(
        "network",
        before="The VPC range: overlapping no other stage (`stagecraft check`) keeps peering possible.",
        indent=4,
    )
    stage.yaml_set_comment_before_after_key(
        "github",
        before=f"The GitHub environment {result.name}: who may deploy, from where, its secrets and variables.",
        indent=4,
    )
    doc = CommentedMap()
    # What `pulumi stack init --secrets-provider` writes; the CLI keeps an existing stack file's settings and
    # adds `encryptedkey` (pkg/cmd/pulumi/stack/secrets.go createSecretsManagerForNewStack, pkg/secrets/cloud/
    # manager.go NewCloudSecretsManager): https://github.com/pulumi/pulumi/blob/
    # 1b5949891b3cefcb9974752b24a5ecef0acc86c8/pkg/cmd/pulumi/stack/secrets.go#L96-L131
    doc["secretsprovider"] = result.secrets_provider
    doc["config"] = config
    doc.yaml_set_comment_before_after_key(
        "secretsprovider",
        before="The account's stack-secrets key (created by the account bootstrap, bootstrap/).",
        indent=0,
    )
    buffer = io.StringIO()
    _yaml().dump(doc, buffer)
    return _comment(header) + buffer.getvalue()


def _comment(paragraphs: list[str]) -> str:
    """``paragraphs`` as ``#`` comment lines of at most 110 characters."""
    lines = [line for text in paragraphs for line in textwrap.wrap(text, width=108, break_on_hyphens=False) or [""]]
    return "".join(f"# {line}\n" if line else "#\n" for line in lines)
