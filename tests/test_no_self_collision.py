"""No setting a user may change replaces a fixed-name resource create-before-delete (issue 11, item 6).

Pulumi creates a replacement before it deletes the original. A resource with a fixed physical name whose
replace-forcing input changes would collide with itself (or, for a singleton such as a repository's lifecycle
policy, be deleted right after it was re-created). Each variant below changes every user setting of a shipped
stack at once (identity settings excepted: app, stage, profile, region, account, repository, environment names),
in one direction; the test plans baseline and variant, matches resources by URN and asks
``stagecraft.replace.self_collision`` about every fixed-name resource. Settings that change an identity or scope
(``network.cidr`` replaces the VPC, and every security group with it) get a variant of their own, so they cannot
hide a collision another setting causes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from stagecraft.plan.build import plan_stack
from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.replace import self_collision
from tests.shipped import merged
from tests.stagecraft.conftest import ROOT

STAGE_UP: dict[str, Any] = {
    "tags": {"team": "ledger", "owner": "platform"},
    "network": {
        "nat_gateways": "per_az",
        "flow_logs_retention_days": 731,
        "interface_endpoints": ["ecr.api", "ecr.dkr", "logs", "sts"],
    },
    "registries": {
        "repositories": ["api", "worker"],
        "release_tag_patterns": ["release-*"],
        "commit_tag_prefixes": ["sha-"],
        "commit_tag_days": 120,
        "stage_tag_days": 45,
        "untagged_days": 10,
    },
    "database": {
        "port": 5434,
        "instance_class": "db.t4g.large",
        "log_retention_days": 731,
        "allocated_storage": 30,
        "max_allocated_storage": 200,
        "backup_retention_days": 21,
        "backup_window": "02:00-03:00",
        "maintenance_window": "sat:05:00-sat:06:00",
        "monitoring_interval": 30,
        "migrations": {"cpu": 512, "memory": 1024, "architecture": "ARM64", "log_retention_days": 731},
    },
    "backups": {"retention_days": 400, "transition_days": 60, "noncurrent_days": 60, "object_lock": {"days": 30}},
    "compute": {
        "ecs": {"fargate_base": 3, "exec_log_retention_days": 731},
        "eks": {"metadata_hop_limit": 2, "log_retention_days": 731, "deploy_group": "stagecraft:releasers"},
    },
    "github": {
        "deploy_branch": "release",
        "tag_patterns": ["release-*"],
        "wait_timer_minutes": 10,
        "secrets": ["SECRET_KEY", "SENTRY_DSN", "STRIPE_KEY"],
        "variables": {"LOG_LEVEL": "info", "FEATURE": "on"},
    },
    "runner": {"compute_type": "BUILD_GENERAL1_MEDIUM", "timeout_minutes": 45, "log_retention_days": 90},
}
# Staging's profile lets these go either way; production's floors hold them where they are.
STAGING_UP: dict[str, Any] = {
    "network": {"availability_zones": 3, "flow_logs_traffic": "REJECT"},
    "compute": {
        "ecs": {"container_insights": "enhanced", "spot_weight": 2, "allow_execute_command": False},
        "eks": {
            "node_groups": [
                {
                    "name": "general",
                    "instance_types": ["t4g.large"],
                    "capacity": "on_demand",
                    "min_size": 2,
                    "desired_size": 2,
                    "max_size": 4,
                    "disk_size_gib": 40,
                    "labels": {"tier": "general"},
                }
            ],
            "min_on_demand_nodes": 2,
        },
        "namespaces": [
            {
                "quota": {"requests_cpu": "3", "requests_memory": "6Gi", "limits_cpu": "6", "limits_memory": "12Gi"},
                "allow_ingress_from": ["ingress-nginx", "monitoring"],
            }
        ],
    },
}
REPOSITORY_UP: dict[str, Any] = {
    "branches": {"develop": {"required_approving_reviews": 1, "status_checks": ["lint"]}},
    "tags": {"release": {"patterns": ["release-*"], "bypass": ["team:release-managers"]}},
    "secrets": ["CODECOV_TOKEN", "NPM_TOKEN"],
    "preview_environments": {"staging-preview": {"branches": "protected"}},
}
# (layer folder, stack, config key, changes, stacks of other layers to plan against the changed files)
VARIANTS: dict[str, tuple[str, str, str, dict[str, Any], list[tuple[str, str]]]] = {
    "production-up": ("", "production", "stagecraft:stage", STAGE_UP, [("cluster", "production")]),
    "staging-up": ("", "staging", "stagecraft:stage", {**STAGE_UP, **STAGING_UP}, [("cluster", "staging")]),
    "staging-cidr": ("", "staging", "stagecraft:stage", {"network": {"cidr": "10.21.0.0/16"}}, []),
    "bootstrap-up": ("bootstrap", "amani-staging", "stagecraft:account", {"noncurrent_version_days": 30}, []),
    "repository-up": ("repository", "amani-backend", "stagecraft:repository", REPOSITORY_UP, []),
}


def _project(tmp: Path) -> Path:
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.staging.yaml", "Pulumi.production.yaml"):
        shutil.copy(ROOT / name, tmp / name)
    for layer in ("bootstrap", "repository", "cluster"):
        shutil.copytree(ROOT / layer, tmp / layer, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
    return tmp


def collisions(baseline: Inventory, variant: Inventory) -> list[str]:
    """``urn path...`` for each fixed-name resource the variant would replace into itself (protected ones skipped:
    the engine refuses to replace them at preview instead)."""
    before = baseline.by_urn()
    found = []
    for new in variant.resources:
        old: RecordedResource | None = before.get(new.urn)
        if old is None or not new.custom or new.protect:
            continue
        paths = self_collision(new.type, old.inputs, new.inputs, delete_before_replace=new.delete_before_replace)
        if paths:
            found.append(f"{new.urn}: {', '.join(paths)}")
    return found


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_no_setting_replaces_a_fixed_name_resource_into_itself(tmp_path: Path, variant: str) -> None:
    layer, stack, key, changes, dependents = VARIANTS[variant]
    project = _project(tmp_path)
    stack_file = project / layer / f"Pulumi.{stack}.yaml"
    plans = [(layer, stack), *dependents]
    baselines = [plan_stack(project / d, s).inventory for d, s in plans]
    document = yaml.safe_load(stack_file.read_text())
    document["config"][key] = merged(document["config"][key], changes)
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))
    found = []
    for (d, s), baseline in zip(plans, baselines, strict=True):
        changed = plan_stack(project / d, s).inventory
        assert changed.resources != baseline.resources, f"variant {variant} changes nothing in {d or '.'}/{s}"
        found += collisions(baseline, changed)
    assert found == [], f"variant {variant}: {found}"


def _sg(description: str, dbr: bool = False) -> RecordedResource:
    return RecordedResource(
        urn="urn:pulumi:staging::stagecraft::aws:ec2/securityGroup:SecurityGroup::db",
        type="aws:ec2/securityGroup:SecurityGroup",
        name="db",
        parent=None,
        custom=True,
        provider=None,
        inputs={"name": "app-db", "description": description, "vpcId": "vpc-1"},
        dependencies=(),
        protect=False,
        retain_on_delete=False,
        ignore_changes=(),
        delete_before_replace=dbr,
    )


def test_a_changed_forcing_input_of_a_fixed_name_resource_is_reported() -> None:
    baseline = Inventory("stagecraft", "staging", [_sg("database on port 5432")])
    variant = Inventory("stagecraft", "staging", [_sg("database on port 5434")])
    assert collisions(baseline, variant) == [f"{_sg('').urn}: description"]
    assert collisions(baseline, Inventory("stagecraft", "staging", [_sg("database on port 5434", dbr=True)])) == []
