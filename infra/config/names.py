"""Every physical name a stage's config derives, checked against its service's rules before anything runs.

AWS rejects a bad name only when it creates the resource, halfway through a ``pulumi up``. The loader calls
:func:`derived_name_problems`, so a name that breaks a rule is a config error naming the setting it derives
from. Names come from ``<app>-<stage>`` and from the settings that name things (node groups, repositories,
the GitHub environment). A name the program sets is checked as is; one Pulumi auto-names from a logical
name is checked at its longest (``components.naming.auto_name``); one set by prefix with the provider's
26 characters (``prefixed_name``).

A test plans the stage and checks that this list is exactly the names the plan registers, so a component
that names something new cannot skip the check.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.eks_node_group import node_group_name_prefix
from components.naming import auto_name, name_problems, prefixed_name
from infra.config.errors import yaml_value
from infra.config.runner import runner_enabled
from infra.config.stage import StageSettings
from infra.naming import MigrationNames, StageNames

PLACEHOLDER_ACCOUNT = "9" * 12
"""Account ids are 12 digits; names that embed one are checked with this one (the account is known later)."""


@dataclass(frozen=True)
class DerivedName:
    """One physical name, the service rule it must meet and the setting it derives from."""

    key: str
    """Key under ``stagecraft:stage`` the name derives from (``app`` for names of ``<app>-<stage>`` only)."""
    kind: str
    """A key of ``components.naming.RULES``."""
    name: str
    value: str | None = None
    """The value of :attr:`key` (``None`` for ``app``: the message names app and stage)."""
    registered: bool = True
    """Whether the stage program registers a resource of this name (not: the bootstrap's roles, a final
    snapshot RDS names when the database is deleted)."""


def derived_names(settings: StageSettings, stage: str, region: str) -> list[DerivedName]:
    """Every physical name the stage program registers for ``settings``, in a stable order."""
    names = StageNames(app=settings.app, stage=stage, account_id=PLACEHOLDER_ACCOUNT, region=region)
    p = names.prefix
    found = [
        DerivedName("app", "kms-alias", names.key_alias),
        DerivedName("app", "iam-role", names.deploy_role),
        DerivedName("app", "iam-role-policy", auto_name(f"{p}-deploy-permissions")),
        DerivedName("app", "iam-role", names.pulumi_deploy_role, registered=False),
        DerivedName("app", "iam-role", names.pulumi_preview_role, registered=False),
        DerivedName(
            "github.environment",
            "github-environment",
            settings.github.environment or stage,
            value=settings.github.environment,
        ),
        *_network(settings, p),
        *(
            DerivedName(f"registries.repositories[{i}]", "ecr-repository", names.registry(repository), repository)
            for i, repository in enumerate(settings.registries.repositories)
        ),
        *_compute(settings, names),
        *_data(settings, names),
    ]
    if runner_enabled(settings):
        found += [
            DerivedName("app", "codebuild-project", names.runner_project),
            DerivedName("app", "log-group", f"/aws/codebuild/{names.runner_project}"),
            DerivedName("app", "security-group", auto_name(f"{p}-runner-sg")),
            DerivedName("app", "iam-role", auto_name(f"{p}-runner-role")),
            DerivedName("app", "iam-role-policy", auto_name(f"{p}-runner-access")),
        ]
    return found


def _network(settings: StageSettings, p: str) -> list[DerivedName]:
    found = [
        DerivedName("app", "log-group", f"/stagecraft/{p}/vpc-flow-logs"),
        DerivedName("app", "iam-role", auto_name(f"{p}-flow-logs")),
        DerivedName("app", "iam-role-policy", auto_name(f"{p}-flow-logs")),
    ]
    if settings.network.interface_endpoints:
        found.append(DerivedName("app", "security-group", auto_name(f"{p}-endpoints")))
    return found


def _compute(settings: StageSettings, names: StageNames) -> list[DerivedName]:
    p = names.prefix
    found: list[DerivedName] = []
    if settings.compute.ecs.enabled:
        found += [
            DerivedName("app", "ecs-cluster", names.ecs_cluster),
            DerivedName("app", "log-group", f"/ecs/{p}/exec"),
            DerivedName("app", "security-group", auto_name(f"{p}-services-sg")),
            DerivedName("app", "iam-role", auto_name(f"{p}-execution-role")),
            DerivedName("app", "iam-role", auto_name(f"{p}-task-role")),
            DerivedName("app", "iam-role-policy", auto_name(f"{p}-execution-access")),
        ]
        if settings.compute.ecs.allow_execute_command:
            found.append(DerivedName("app", "iam-role-policy", auto_name(f"{p}-task-exec")))
    eks = settings.compute.eks
    if eks.enabled:
        found += [
            DerivedName("app", "eks-cluster", names.eks_cluster),
            DerivedName("app", "log-group", f"/aws/eks/{names.eks_cluster}/cluster"),
            DerivedName("app", "iam-role", auto_name(f"{p}-cluster-role")),
            DerivedName("app", "iam-role", auto_name(f"{p}-node-role")),
            DerivedName("app", "iam-role-policy", auto_name(f"{p}-cluster-secrets-key")),
        ]
        for i, group in enumerate(eks.node_groups):
            key = f"compute.eks.node_groups[{i}].name"
            found += [
                DerivedName(key, "launch-template", auto_name(f"{p}-{group.name}-lt"), group.name),
                DerivedName(key, "eks-nodegroup", prefixed_name(node_group_name_prefix(group.name)), group.name),
            ]
    return found


def _data(settings: StageSettings, names: StageNames) -> list[DerivedName]:
    p = names.prefix
    found: list[DerivedName] = []
    database = settings.database
    if database.enabled:
        identifier = names.database
        found += [
            DerivedName("app", "rds-identifier", identifier),
            DerivedName("app", "rds-identifier", f"{identifier}-final", registered=False),
            DerivedName("app", "rds-subnet-group", identifier),
            DerivedName("app", "rds-parameter-group", f"{identifier}-postgres{database.engine_version.split('.')[0]}"),
            DerivedName("app", "security-group", prefixed_name(f"{identifier}-db-")),
            DerivedName("app", "log-group", f"/aws/rds/instance/{identifier}/postgresql"),
            DerivedName("app", "log-group", f"/aws/rds/instance/{identifier}/upgrade"),
        ]
        if database.monitoring_interval:
            found.append(DerivedName("app", "iam-role", f"{identifier}-rds-monitoring"))
        if database.migrations.enabled:
            found += _migrations(settings, MigrationNames(names))
    backups = settings.backups
    if backups.enabled:
        found += [
            DerivedName("app", "s3-bucket", names.backup_bucket),
            DerivedName("app", "s3-bucket", f"{names.backup_bucket}-logs"),
        ]
        if backups.replication_region is not None:
            found += [
                DerivedName("app", "s3-bucket", names.backup_replica_bucket),
                DerivedName("app", "iam-role", names.backup_replication_role),
                DerivedName("app", "iam-role-policy", auto_name(f"{p}-backups-replication")),
            ]
    return found


def _migrations(settings: StageSettings, names: MigrationNames) -> list[DerivedName]:
    p = names.names.prefix
    found: list[DerivedName] = []
    if settings.compute.ecs.enabled:
        found += [
            DerivedName("app", "ecs-task-family", names.family),
            DerivedName("app", "iam-role", names.task_role),
            DerivedName("app", "iam-role-policy", auto_name(f"{p}-migrate-task-access")),
            DerivedName("app", "log-group", names.log_group),
            DerivedName("app", "security-group", prefixed_name(f"{names.family}-")),
        ]
    if settings.compute.eks.enabled:
        found += [
            DerivedName("app", "iam-role", names.pod_role),
            DerivedName("app", "iam-role-policy", auto_name(f"{p}-migrate-access")),
        ]
    return found


def derived_name_problems(settings: StageSettings, stage: str, region: str) -> list[tuple[str, str]]:
    """``(key under stagecraft:stage, message)`` for every derived name that breaks its service's rules."""
    found: list[tuple[str, str]] = []
    for derived in derived_names(settings, stage, region):
        source = (
            f"{yaml_value(settings.app)} (with stage {yaml_value(stage)})"
            if derived.key == "app"
            else yaml_value(derived.value if derived.value is not None else stage)
        )
        for problem in name_problems(derived.kind, derived.name):
            found.append((derived.key, f"{source} derives a name the service rejects: {problem}"))
    return found
