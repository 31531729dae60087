"""Facts about where a stage is deployed, looked up once and shared by every part of the program."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_aws as aws

from infra.config import StageConfig
from infra.github_access import check_github_access
from infra.naming import StageNames
from infra.zones import ZoneChoice, lookup_zones


@dataclass(frozen=True)
class StageContext:
    """The validated config plus the account and zones the stage is deployed into."""

    config: StageConfig
    account_id: str
    zones: list[str]
    """The availability zones the stage uses (their names in this account), in order."""
    zone_choice: ZoneChoice | None = None
    """The zones with their IDs, and the instance types they were checked for (``None``: not looked up)."""

    @property
    def name(self) -> str:
        """``<app>-<stage>``: the stage's name prefix for components and physical names."""
        return self.config.prefix

    @property
    def names(self) -> StageNames:
        """Every physical name and predictable ARN of the stage."""
        return StageNames(
            app=self.config.settings.app, stage=self.config.stage, account_id=self.account_id, region=self.config.region
        )

    @property
    def tags(self) -> dict[str, str]:
        """Default tags for every taggable resource."""
        return self.config.default_tags


def lookup_context(config: StageConfig) -> StageContext:
    """Look up the account and the stage's zones (``infra/zones.py``), and check the GitHub rules the provider
    does not.

    Invokes only, before any resource is registered, so a problem (a reviewer without access, too few zones
    offering the stage's instance types) stops the run with nothing created (answered by the mocks in the
    offline plan).
    """
    check_github_access(config)
    account_id = aws.get_caller_identity().account_id
    choice = lookup_zones(config)
    return StageContext(config=config, account_id=account_id, zones=choice.names, zone_choice=choice)
