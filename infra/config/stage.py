"""``stagecraft:stage``: the root of a stage's settings."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from components.naming import is_github_repository
from infra.config.base import Settings
from infra.config.compute import ComputeSettings
from infra.config.data import BackupSettings, DatabaseSettings, KeySettings, RegistrySettings
from infra.config.delivery import GithubSettings
from infra.config.errors import yaml_value
from infra.config.network import NetworkSettings
from infra.config.profiles import Profile
from infra.config.runner import RunnerSettings

APP_NAME_MAX = 20
STAGE_NAME_MAX = 16
NAME_PATTERN = r"[a-z](?!.*--)[a-z0-9-]*[a-z0-9]"
_TAG_KEY = re.compile(r"[\w.:/=+\-@ ]{1,128}")
_TAG_VALUE = re.compile(r"[\w.:/=+\-@ ]{0,256}")
RESERVED_TAG_KEYS = ("stage", "project", "managed-by", "repository", "profile")
STAGECRAFT_TAGS_MAX = 8
"""The most tags stagecraft itself sets on one resource: the reserved keys, ``Name``, and a subnet's ``tier`` and
load-balancer role (``tests/infra/config/test_names.py`` plans a stage at ``TAGS_MAX`` and holds every resource to
AWS's limit)."""
TAGS_MAX = 50 - STAGECRAFT_TAGS_MAX
"""Extra tags a stage may set. AWS allows 50 user tags per resource (``aws:`` ones not counted):
https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions"""


def check_app_name(value: str, why: str) -> str:
    """``value`` if it can name an app (every layer's config uses it); else a ``ValueError`` saying ``why``."""
    if not (2 <= len(value) <= APP_NAME_MAX and re.fullmatch(NAME_PATTERN, value)):
        raise ValueError(
            f"must be 2-{APP_NAME_MAX} lowercase letters, digits and '-', starting with a letter, "
            f"not ending with '-' and without '--' ({why})"
        )
    return value


class StageSettings(Settings):
    """Everything one stage is made of. Sections are added by the issues that build them."""

    profile: Profile
    """Supplies every default and the floors (minimums) of the stage."""
    app: str
    """Short name of the application the stage runs (used in every physical name)."""
    repository: str
    """The GitHub repository that deploys to this stage, as ``owner/name``."""
    tags: dict[str, str] = Field(default_factory=dict)
    """Extra tags for every taggable resource, on top of the default ones."""
    acknowledge: dict[str, str] = Field(default_factory=dict)
    """Floors this stage deliberately goes below: ``{key path: reason}``."""
    network: NetworkSettings
    # --- data (issue 3) ---
    key: KeySettings
    """The stage's KMS key."""
    registries: RegistrySettings
    """ECR repositories and their image retention."""
    database: DatabaseSettings
    """The RDS PostgreSQL instance."""
    backups: BackupSettings
    """The S3 backup bucket."""
    # --- compute (issue 4) ---
    compute: ComputeSettings
    # --- delivery (issue 5) ---
    github: GithubSettings
    # --- in-VPC runner (issue 11) ---
    runner: RunnerSettings = Field(default_factory=RunnerSettings)
    """The ephemeral in-VPC GitHub Actions runner (docs/components/runner.md)."""

    @field_validator("app")
    @classmethod
    def _app(cls, value: str) -> str:
        return check_app_name(value, "it is part of every AWS and Kubernetes name")

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        if not is_github_repository(value):
            raise ValueError("must be a GitHub repository as 'owner/name', e.g. 'amani-labs/amani-backend'")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > TAGS_MAX:
            raise ValueError(
                f"has {len(value)} tags; at most {TAGS_MAX} (AWS allows 50 per resource and stagecraft sets up to "
                f"{STAGECRAFT_TAGS_MAX})"
            )
        for key, tag in value.items():
            if key.lower().startswith("aws:") or not _TAG_KEY.fullmatch(key):
                raise ValueError(
                    f"tag key {yaml_value(key)} is invalid: 1-128 letters, digits, spaces and '_.:/=+-@', "
                    "not starting with 'aws:'"
                )
            if key in RESERVED_TAG_KEYS:
                raise ValueError(
                    f"tag key {yaml_value(key)} is set by stagecraft; reserved keys: {', '.join(RESERVED_TAG_KEYS)}"
                )
            if not _TAG_VALUE.fullmatch(tag):
                raise ValueError(
                    f"tag {yaml_value(key)} value {yaml_value(tag)} is invalid: 0-256 letters, digits, spaces and "
                    "'_.:/=+-@'"
                )
        return value

    @field_validator("acknowledge")
    @classmethod
    def _acknowledge(cls, value: dict[str, str]) -> dict[str, str]:
        for key, reason in value.items():
            if len(reason.strip()) < 10:
                raise ValueError(f"the reason for {yaml_value(key)} must say why in at least 10 characters")
        return value


def stage_name_problem(stage: str) -> str | None:
    """Why a stack name cannot be a stage name, or ``None``."""
    if 2 <= len(stage) <= STAGE_NAME_MAX and re.fullmatch(NAME_PATTERN, stage):
        return None
    return (
        f"{yaml_value(stage)} cannot name a stage: use 2-{STAGE_NAME_MAX} lowercase letters, digits and '-', starting "
        "with a letter, not ending with '-' and without '--' (it becomes part of AWS and Kubernetes names)"
    )
