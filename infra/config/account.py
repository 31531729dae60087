"""``stagecraft:account``: what the account bootstrap creates in one AWS account, validated like a stage.

The stack file of a bootstrap stack (``bootstrap/Pulumi.<name>.yaml``) names the account once, in
``aws:allowedAccountIds`` (exactly one: the AWS provider then refuses any other account), the region in
``aws:region``, and under ``stagecraft:account`` the stages that live in the account.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field, field_validator

from components.naming import is_github_repository
from components.state_bucket import NONCURRENT_DAYS_MAX
from infra.config.base import Settings
from infra.config.errors import ConfigError, ConfigProblem, yaml_value
from infra.config.loader import ACCOUNTS_KEY, account_ids_of, region_of, suggest, validate_settings
from infra.config.stage import check_app_name, stage_name_problem
from infra.naming import AccountNames, StageNames

ACCOUNT_KEY = "stagecraft:account"
KNOWN_KEYS = (ACCOUNT_KEY,)
# Environment names end up verbatim in the roles' trust conditions: only characters that are literal there.
_ENVIRONMENT = re.compile(r"[A-Za-z0-9._-]{1,247}")  # 255 minus "-preview"


class AccountStage(Settings):
    """One stage deployed into this account: its Pulumi roles are created for it."""

    app: str
    """The stage's ``stagecraft:stage.app``."""
    stage: str
    """The stage name (the stage stack's name)."""
    repository: str
    """The GitHub repository deploying the stage, as ``owner/name``."""
    environment: str | None = None
    """The stage's GitHub environment (``stagecraft:stage.github.environment``); ``null`` means the stage name."""
    additional_regions: list[str] = Field(default_factory=list)
    """Regions the stage deploys into besides ``aws:region`` (a backup replica's region, for example)."""

    @field_validator("app")
    @classmethod
    def _app(cls, value: str) -> str:
        return check_app_name(value, "the stage's app name, part of its role names")

    @field_validator("stage")
    @classmethod
    def _stage(cls, value: str) -> str:
        if problem := stage_name_problem(value):
            raise ValueError(problem.removeprefix(f"{yaml_value(value)} "))
        return value

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        if not is_github_repository(value):
            raise ValueError("must be a GitHub repository as 'owner/name', e.g. 'amani-labs/amani-backend'")
        return value

    @field_validator("environment")
    @classmethod
    def _environment(cls, value: str | None) -> str | None:
        if value is not None and not _ENVIRONMENT.fullmatch(value):
            raise ValueError(
                "must be 1-247 letters, digits, '.', '_' and '-' (it is matched literally in the roles' trust policies)"
            )
        return value

    @property
    def environment_name(self) -> str:
        """The environment the deploy role trusts: ``environment``, else the stage name."""
        return self.environment or self.stage

    @property
    def owner(self) -> str:
        """The repository's owner."""
        return self.repository.split("/")[0]

    @property
    def repository_name(self) -> str:
        """The repository's name without its owner."""
        return self.repository.split("/")[1]


class AccountSettings(Settings):
    """Everything under ``stagecraft:account``."""

    stages: list[AccountStage] = Field(min_length=1)
    """The stages deployed into this account (each gets a preview and a deploy role)."""
    noncurrent_version_days: int = Field(default=90, ge=1, le=NONCURRENT_DAYS_MAX)
    """Days a replaced version of a state file is kept in the state bucket (current versions never expire)."""
    github_connection: bool = True
    """Create the account's CodeConnections GitHub connection (``stagecraft-github``) the stages' in-VPC
    runners authenticate with; ``false`` for an account whose stages run no EKS (docs/components/runner.md)."""


@dataclass(frozen=True)
class AccountConfig:
    """One account bootstrap's validated, frozen configuration."""

    stack: str
    """The bootstrap stack's name, as given."""
    account_id: str
    """The only account of ``aws:allowedAccountIds``."""
    region: str
    """``aws:region``: where the state bucket and the secrets key live."""
    settings: AccountSettings

    @property
    def names(self) -> AccountNames:
        """The account-level names (state bucket, secrets key, OIDC provider)."""
        return AccountNames(account_id=self.account_id, region=self.region)

    def stage_names(self, stage: AccountStage) -> StageNames:
        """The names of one of the account's stages."""
        return StageNames(app=stage.app, stage=stage.stage, account_id=self.account_id, region=self.region)


def load_account_config(stack: str, values: Mapping[str, Any]) -> AccountConfig:
    """Validate a bootstrap stack's config map; raises :class:`ConfigError` listing every problem."""
    problems: list[ConfigProblem] = []
    for key in values:
        if key.startswith("stagecraft:") and key not in KNOWN_KEYS:
            problems.append(ConfigProblem(key, "unknown key" + suggest(key, KNOWN_KEYS)))
    region = region_of(values, problems)
    account_id = _account_id(values, problems)

    raw = values.get(ACCOUNT_KEY)
    settings: AccountSettings | None = None
    if raw is None:
        problems.append(
            ConfigProblem(ACCOUNT_KEY, "required key is missing; it lists the stages of this account (see bootstrap/)")
        )
    elif not isinstance(raw, Mapping):
        problems.append(ConfigProblem(ACCOUNT_KEY, f"{yaml_value(raw)} is not allowed: must be a mapping of settings"))
    else:
        settings = validate_settings(AccountSettings, raw, problems, prefix=ACCOUNT_KEY)
    if settings is not None:
        problems.extend(_stage_problems(settings, region))

    if problems or settings is None or region is None or account_id is None:
        raise ConfigError(problems)
    return AccountConfig(stack=stack, account_id=account_id, region=region, settings=settings)


def _account_id(values: Mapping[str, Any], problems: list[ConfigProblem]) -> str | None:
    value = values.get(ACCOUNTS_KEY)
    if value is None:
        problems.append(
            ConfigProblem(
                ACCOUNTS_KEY,
                "required key is missing; the bootstrap creates the account's state bucket and roles, so it names "
                'exactly one account: aws:allowedAccountIds: ["123456789012"]',
            )
        )
        return None
    found: list[ConfigProblem] = []
    ids = account_ids_of(value, found)
    problems.extend(found)
    if len(ids) > 1:
        problems.append(
            ConfigProblem(
                ACCOUNTS_KEY,
                f"{yaml_value(list(ids))} is not allowed: one bootstrap stack per account, so exactly one id",
            )
        )
    return ids[0] if len(ids) == 1 else None


def _stage_problems(settings: AccountSettings, region: str | None) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = _connection_problems(settings)
    seen: dict[tuple[str, str], int] = {}
    subjects: dict[tuple[str, str], int] = {}
    for index, stage in enumerate(settings.stages):
        key = f"{ACCOUNT_KEY}.stages[{index}]"
        first = seen.setdefault((stage.app, stage.stage), index)
        if first != index:
            problems.append(
                ConfigProblem(
                    key,
                    f"stage {yaml_value(stage.stage)} of app {yaml_value(stage.app)} is already listed as "
                    f"stages[{first}]; "
                    "each stage once (its role names would collide)",
                )
            )
            continue
        # GitHub repository and environment names ignore case: 'Staging' and 'staging' are one environment.
        subject = (stage.repository.lower(), stage.environment_name.lower())
        other = subjects.setdefault(subject, index)
        if other != index:
            problems.append(
                ConfigProblem(
                    f"{key}.environment",
                    f"{yaml_value(stage.environment_name)} of {stage.repository} is already the environment of "
                    f"stages[{other}]; "
                    "each environment deploys one stage (a role trusts exactly one environment)",
                )
            )
        for position, extra in enumerate(stage.additional_regions):
            if extra == region or extra in stage.additional_regions[:position]:
                problems.append(
                    ConfigProblem(
                        f"{key}.additional_regions[{position}]",
                        f"{yaml_value(extra)} is listed twice (aws:region is always included)",
                    )
                )
            elif problem := region_problem(extra):
                problems.append(ConfigProblem(f"{key}.additional_regions[{position}]", problem))
    return problems


def _connection_problems(settings: AccountSettings) -> list[ConfigProblem]:
    """One connection is one installation of the AWS Connector GitHub App, in one GitHub owner's account
    (https://docs.aws.amazon.com/dtconsole/latest/userguide/connections-create-github.html), so it reaches
    the repositories of one owner only."""
    owners = sorted({stage.owner.lower() for stage in settings.stages})
    if not settings.github_connection or len(owners) <= 1:
        return []
    return [
        ConfigProblem(
            f"{ACCOUNT_KEY}.github_connection",
            f"true is not allowed with stages of several GitHub owners ({', '.join(owners)}): the account's one "
            "GitHub connection reaches one owner's repositories; give each owner's stages their own account",
        )
    ]


def region_problem(value: str) -> str | None:
    """Why ``value`` is not an AWS region name, or ``None``."""
    found: list[ConfigProblem] = []
    region_of({"aws:region": value}, found)
    return found[0].message if found else None
