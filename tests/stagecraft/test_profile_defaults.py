"""Every profile's defaults pass that profile's own mandatory rules (issue 10, section 7).

Each case plans a minimal stack (only the keys a stage must state, plus what EKS needs when it is on)
from the profile's defaults, with and without each optional feature, and expects what ``stagecraft plan``
would exit 0 on: no mandatory finding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.config.profiles import PROFILES, Profile
from stagecraft.plan.build import PlanResult, plan_stack
from tests.stagecraft.conftest import ROOT

ACCOUNT = "123456789012"
EKS: dict[str, Any] = {"enabled": True, "admin_principal_arns": [f"arn:aws:iam::{ACCOUNT}:role/platform-admin"]}
FEATURES: dict[str, dict[str, Any]] = {
    # EKS is opt-in (profiles.py), so the defaults are an ECS-only stage.
    "ecs-only": {},
    "backup-replication": {"backups": {"replication_region": "us-west-2"}},
    "database-restore": {"database": {"restore": {"source_identifier": "amani-backend-staging-pg"}}},
    "ecs-and-eks": {"compute": {"eks": EKS}},
    "eks-only": {"compute": {"ecs": {"enabled": False}, "eks": EKS}},
}


def _required(profile: Profile) -> dict[str, Any]:
    """What a stage must state in ``profile``: no default can name these."""
    stage: dict[str, Any] = {
        "profile": profile,
        "app": "demo",
        "repository": "acme/demo",
        "network": {"cidr": "10.40.0.0/16"},
    }
    if profile == "production":
        stage["github"] = {"reviewers": ["team:platform"]}  # floor github.reviewers: at least 1
    return stage


def _stack(profile: Profile, feature: str) -> dict[str, Any]:
    stage = _required(profile)
    for section, values in FEATURES[feature].items():
        stage[section] = {key: dict(value) if isinstance(value, dict) else value for key, value in values.items()}
    eks = stage.get("compute", {}).get("eks")
    if eks is not None and profile != "production":
        # The endpoint is public by default outside production, so it needs the CIDRs that may reach it.
        eks["public_access_cidrs"] = ["203.0.113.0/24"]
    config = {"aws:region": "us-east-1", "aws:allowedAccountIds": [ACCOUNT], "github:owner": "acme"}
    return {"config": {**config, "stagecraft:stage": stage}}


_PLANS: dict[tuple[Profile, str], PlanResult] = {}


def _plan(tmp_path_factory: pytest.TempPathFactory, profile: Profile, feature: str) -> PlanResult:
    """The plan of the minimal ``profile`` stack with ``feature`` (planned once per session)."""
    if (profile, feature) not in _PLANS:
        project: Path = tmp_path_factory.mktemp(f"{profile}-{feature}")
        (project / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
        (project / "__main__.py").write_text((ROOT / "__main__.py").read_text())
        (project / "Pulumi.qa.yaml").write_text(yaml.safe_dump(_stack(profile, feature), sort_keys=False))
        _PLANS[profile, feature] = plan_stack(project, "qa")
    return _PLANS[profile, feature]


@pytest.mark.parametrize("feature", list(FEATURES))
@pytest.mark.parametrize("profile", PROFILES)
def test_defaults_pass_the_profiles_mandatory_rules(
    tmp_path_factory: pytest.TempPathFactory, profile: Profile, feature: str
) -> None:
    result = _plan(tmp_path_factory, profile, feature)
    assert result.stage_config.profile == profile and result.acknowledged == ()
    mandatory = [f"{f['rule']}: {f['message']}" for f in result.findings if f["level"] == "mandatory"]
    assert mandatory == []


@pytest.mark.parametrize("profile", PROFILES)
def test_the_features_are_really_on(tmp_path_factory: pytest.TempPathFactory, profile: Profile) -> None:
    def types(feature: str) -> set[str]:
        return {r.type for r in _plan(tmp_path_factory, profile, feature).inventory.resources}

    assert "aws:s3/bucketReplicationConfig:BucketReplicationConfig" in types("backup-replication")
    assert "aws:eks/cluster:Cluster" in types("ecs-and-eks") - types("ecs-only")
    assert "aws:ecs/cluster:Cluster" in types("ecs-only") - types("eks-only")
    restored = _plan(tmp_path_factory, profile, "database-restore").inventory.one("aws:rds/instance:Instance")
    assert restored.inputs["restoreToPointInTime"]["sourceDbInstanceIdentifier"] == "amani-backend-staging-pg"


@pytest.mark.parametrize("profile", [p for p in PROFILES if p != "development"])
def test_the_backup_replica_is_locked_like_the_primary(
    tmp_path_factory: pytest.TempPathFactory, profile: Profile
) -> None:
    inventory = _plan(tmp_path_factory, profile, "backup-replication").inventory
    locks = {
        r.name: r.inputs["rule"]
        for r in inventory.of_type("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    }
    assert locks == {
        "demo-qa-backups-object-lock": {"defaultRetention": {"mode": "GOVERNANCE", "days": 14}},
        "demo-qa-backups-replica-object-lock": {"defaultRetention": {"mode": "GOVERNANCE", "days": 14}},
    }
