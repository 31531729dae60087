"""Every limit docs/configuration.md states is a config error: the full key, the bad value as YAML, what is allowed.

``LIMITS`` holds one entry (or more) per documented limit; ``test_every_documented_limit_is_covered`` reads the
doc's tables and fails for a row that states a limit no entry breaks, so a new limit in the doc needs a test here.
"""

from __future__ import annotations

import copy
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from infra.config import ConfigError
from infra.config.account import load_account_config
from infra.config.cluster import load_cluster_config
from infra.config.loader import load_stage_config
from infra.config.repository import load_repository_config
from stagecraft import cli
from tests.infra.config.conftest import BASE
from tests.stagecraft.conftest import ROOT

DOC = (Path(__file__).resolve().parents[3] / "docs" / "configuration.md").read_text()
S = "stagecraft:stage"
ADMIN = "arn:aws:iam::123456789012:role/platform-admin"
EKS: dict[str, Any] = {"enabled": True, "admin_principal_arns": [ADMIN], "public_access_cidrs": ["203.0.113.0/24"]}


@dataclass(frozen=True)
class Limit:
    """One documented limit, broken just over it."""

    row: str
    """The doc table row that states it: its first cell's first key, as written there."""
    stage: dict[str, Any]
    """Merged over the valid stage settings (dotted keys are paths)."""
    key: str
    """The full key the problem names."""
    value: str
    """The bad value as YAML, as the message must show it."""
    allowed: str
    """Words of what is allowed, as the message must say them."""
    top: dict[str, Any] = field(default_factory=dict)
    """Merged over the top-level config keys."""
    profile: str = "staging"


def _merge(target: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    for dotted, value in over.items():
        *parents, leaf = dotted.split(".") if not dotted.startswith(("aws:", "stagecraft:")) else [dotted]
        node = target
        for part in parents:
            node = node.setdefault(part, {})
        if isinstance(value, dict) and isinstance(node.get(leaf), dict):
            _merge(node[leaf], value)
        else:
            node[leaf] = copy.deepcopy(value)
    return target


def _eks(**eks: Any) -> dict[str, Any]:
    return {"compute": {"eks": {**EKS, **eks}}}


def _group(**fields: Any) -> dict[str, Any]:
    return _eks(node_groups=[{"name": "general", "instance_types": ["t4g.medium"], **fields}])


def _namespace(**fields: Any) -> dict[str, Any]:
    return {"compute": {"eks": EKS, "namespaces": [{"name": "api", **fields}]}}


G = f"{S}.compute.eks.node_groups[0]"
N = f"{S}.compute.namespaces[0]"
LIMITS: list[Limit] = [
    Limit("aws:region", {}, "aws:region", "'us-east-9'", "regions of", top={"aws:region": "us-east-9"}),
    Limit(
        "aws:allowedAccountIds",
        {},
        "aws:allowedAccountIds",
        "['12345']",
        "12-digit",
        top={"aws:allowedAccountIds": ["12345"]},
    ),
    Limit("stagecraft:stage.app", {"app": "a" * 21}, f"{S}.app", f"'{'a' * 21}'", "2-20 lowercase letters"),
    Limit("stagecraft:stage.app", {"app": "a--b"}, f"{S}.app", "'a--b'", "without '--'"),
    Limit("stagecraft:stage.repository", {"repository": "amani"}, f"{S}.repository", "'amani'", "'owner/name'"),
    Limit("stagecraft:stage.tags", {"tags": {"stage": "x"}}, f"{S}.tags", "{'stage': 'x'}", "reserved"),
    Limit(
        "stagecraft:stage.acknowledge",
        {"acknowledge": {"network.nat_gateways": "short"}, "network.nat_gateways": "single"},
        f"{S}.acknowledge",
        "{'network.nat_gateways': 'short'}",
        "at least 10 characters",
        profile="production",
    ),
    Limit("network.cidr", {"network.cidr": "10.20.0.0/24"}, f"{S}.network.cidr", "'10.20.0.0/24'", "/16 to /22"),
    Limit("network.cidr", {"network.cidr": "8.8.0.0/16"}, f"{S}.network.cidr", "'8.8.0.0/16'", "private"),
    Limit(
        "network.availability_zones", {"network.availability_zones": 7}, f"{S}.network.availability_zones", "7", "2-6"
    ),
    Limit(
        "network.zone_ids",
        {"network.zone_ids": ["use1-az1", "use1-az1"]},
        f"{S}.network.zone_ids",
        "['use1-az1', 'use1-az1']",
        "unique",
    ),
    Limit(
        "network.flow_logs_retention_days",
        {"network.flow_logs_retention_days": 2},
        f"{S}.network.flow_logs_retention_days",
        "2",
        "1, 3, 5, 7",
    ),
    Limit(
        "network.interface_endpoints",
        {"network.interface_endpoints": ["s3"]},
        f"{S}.network.interface_endpoints",
        "['s3']",
        "ecr.api",
    ),
    Limit(
        "network.reserved_cidrs",
        {"network.reserved_cidrs": ["10.20.128.0/17"]},
        f"{S}.network.reserved_cidrs[0]",
        "'10.20.128.0/17'",
        "overlap",
    ),
    Limit(
        "registries.repositories",
        {"registries.repositories": [f"r{i}" for i in range(21)]},
        f"{S}.registries.repositories",
        "['r0', 'r1',",
        "at most 20",
    ),
    Limit(
        "registries.repositories",
        {"registries.repositories": ["a" * 65]},
        f"{S}.registries.repositories[0]",
        f"'{'a' * 65}'",
        "1-64",
    ),
    Limit(
        "registries.moving_tags",
        {"registries.moving_tags": ["a" * 129]},
        f"{S}.registries.moving_tags",
        f"['{'a' * 129}']",
        "1-128",
    ),
    Limit(
        "registries.release_tag_patterns",
        {"registries.release_tag_patterns": ["v***"]},
        f"{S}.registries.release_tag_patterns",
        "['v***']",
        "at most 2 '*'",
    ),
    Limit(
        "registries.commit_tag_prefixes",
        {"registries.commit_tag_prefixes": ["a" * 128]},
        f"{S}.registries.commit_tag_prefixes",
        f"['{'a' * 128}']",
        "1-127",
    ),
    Limit(
        "registries.commit_tag_days",
        {"registries.commit_tag_days": 0},
        f"{S}.registries.commit_tag_days",
        "0",
        "at least 1",
    ),
    Limit(
        "registries.stage_tag_days",
        {"registries.stage_tag_days": 91},
        f"{S}.registries.stage_tag_days",
        "91",
        "commit_tag_days",
    ),
    Limit(
        "registries.untagged_days",
        {"registries.untagged_days": 31},
        f"{S}.registries.untagged_days",
        "31",
        "stage_tag_days",
    ),
    Limit("database.port", {"database.port": 5432}, f"{S}.database.port", "5432", "not PostgreSQL's default 5432"),
    Limit("database.port", {"database.port": 1149}, f"{S}.database.port", "1149", "1150-65535"),
    Limit("database.port", {"database.port": 65536}, f"{S}.database.port", "65536", "1150-65535"),
    Limit(
        "database.engine_version",
        {"database.engine_version": "13"},
        f"{S}.database.engine_version",
        "'13'",
        "14, 15, 16, 17, 18",
    ),
    Limit(
        "database.engine_version",
        {"database.engine_version": "17.99"},
        f"{S}.database.engine_version",
        "'17.99'",
        "engine version",
    ),
    Limit(
        "database.instance_class",
        {"database.instance_class": "db.t4g.micr"},
        f"{S}.database.instance_class",
        "'db.t4g.micr'",
        "did you mean 'db.t4g.micro'",
    ),
    Limit(
        "database.allocated_storage",
        {"database.allocated_storage": 19},
        f"{S}.database.allocated_storage",
        "19",
        "20-65536",
    ),
    Limit(
        "database.max_allocated_storage",
        {"database.max_allocated_storage": 65537},
        f"{S}.database.max_allocated_storage",
        "65537",
        "65536",
    ),
    Limit(
        "database.max_allocated_storage",
        {"database.allocated_storage": 50, "database.max_allocated_storage": 40},
        f"{S}.database.max_allocated_storage",
        "40",
        "allocated_storage",
    ),
    Limit(
        "database.backup_retention_days",
        {"database.backup_retention_days": 36},
        f"{S}.database.backup_retention_days",
        "36",
        "1-35",
    ),
    Limit(
        "database.backup_window",
        {"database.backup_window": "03:00-03:29"},
        f"{S}.database.backup_window",
        "'03:00-03:29'",
        "30 minutes",
    ),
    Limit(
        "database.maintenance_window",
        {"database.maintenance_window": "sun:05:00-sun:05:29"},
        f"{S}.database.maintenance_window",
        "'sun:05:00-sun:05:29'",
        "30 minutes",
    ),
    Limit(
        "database.maintenance_window",
        {"database.maintenance_window": "sun:03:00-sun:04:00"},
        f"{S}.database.maintenance_window",
        "'sun:03:00-sun:04:00'",
        "overlap",
    ),
    Limit(
        "database.monitoring_interval",
        {"database.monitoring_interval": 2},
        f"{S}.database.monitoring_interval",
        "2",
        "0, 1, 5, 10, 15, 30, 60",
    ),
    Limit(
        "database.performance_insights_retention_days",
        {"database.performance_insights_retention_days": 744},
        f"{S}.database.performance_insights_retention_days",
        "744",
        "713",
    ),
    Limit("database.db_name", {"database.db_name": "a" * 64}, f"{S}.database.db_name", f"'{'a' * 64}'", "1-63"),
    Limit("database.db_name", {"database.db_name": "postgres"}, f"{S}.database.db_name", "'postgres'", "reserved"),
    Limit("database.username", {"database.username": "a" * 17}, f"{S}.database.username", f"'{'a' * 17}'", "1-16"),
    Limit("database.username", {"database.username": "admin"}, f"{S}.database.username", "'admin'", "RDS.25"),
    Limit(
        "database.log_retention_days",
        {"database.log_retention_days": 2},
        f"{S}.database.log_retention_days",
        "2",
        "1, 3, 5, 7",
    ),
    Limit(
        "database.migrations.repository",
        {"database.migrations.repository": "worker"},
        f"{S}.database.migrations.repository",
        "'worker'",
        "registries.repositories",
    ),
    Limit("database.migrations.cpu", {"database.migrations.cpu": 300}, f"{S}.database.migrations.cpu", "300", "256"),
    Limit(
        "database.migrations.memory",
        {"database.migrations.memory": 100},
        f"{S}.database.migrations.memory",
        "100",
        "512",
    ),
    Limit(
        "database.migrations.architecture",
        {"database.migrations.architecture": "ARM"},
        f"{S}.database.migrations.architecture",
        "'ARM'",
        "'ARM64'",
    ),
    Limit(
        "database.migrations.log_retention_days",
        {"database.migrations.log_retention_days": 2},
        f"{S}.database.migrations.log_retention_days",
        "2",
        "1, 3, 5, 7",
    ),
    Limit(
        "database.restore",
        {"database.restore": {"source_identifier": "amani-backend-production-pg", "source_retention_days": 36}},
        f"{S}.database.restore.source_retention_days",
        "36",
        "35",
    ),
    Limit(
        "backups.retention_days", {"backups.retention_days": 36501}, f"{S}.backups.retention_days", "36501", "1-36500"
    ),
    Limit(
        "backups.transition_days",
        {"backups.transition_days": 90},
        f"{S}.backups.transition_days",
        "90",
        "retention_days",
    ),
    Limit(
        "backups.transition_days",
        {"backups.transition_days": 7, "backups.transition_storage_class": "STANDARD_IA"},
        f"{S}.backups.transition_days",
        "7",
        "30",
    ),
    Limit(
        "backups.transition_storage_class",
        {"backups.transition_storage_class": "STANDARD"},
        f"{S}.backups.transition_storage_class",
        "'STANDARD'",
        "GLACIER_IR",
    ),
    Limit("backups.noncurrent_days", {"backups.noncurrent_days": 0}, f"{S}.backups.noncurrent_days", "0", "1-36500"),
    Limit(
        "backups.object_lock.days",
        {"backups.object_lock.days": 91},
        f"{S}.backups.object_lock.days",
        "91",
        "retention_days",
    ),
    Limit(
        "backups.replication_region",
        {"backups.replication_region": "us-east-1"},
        f"{S}.backups.replication_region",
        "'us-east-1'",
        "another region",
    ),
    Limit(
        "backups.replication_region",
        {"backups.replication_region": "us-east-9"},
        f"{S}.backups.replication_region",
        "'us-east-9'",
        "regions of",
    ),
    Limit(
        "compute.ecs.fargate_base",
        {"compute.ecs.fargate_base": 100001},
        f"{S}.compute.ecs.fargate_base",
        "100001",
        "0-100000",
    ),
    Limit(
        "compute.ecs.spot_weight", {"compute.ecs.spot_weight": 1001}, f"{S}.compute.ecs.spot_weight", "1001", "0-1000"
    ),
    Limit(
        "compute.ecs.exec_log_retention_days",
        {"compute.ecs.exec_log_retention_days": 2},
        f"{S}.compute.ecs.exec_log_retention_days",
        "2",
        "1, 3, 5, 7",
    ),
    Limit(
        "compute.ecs.container_insights",
        {"compute.ecs.container_insights": "disabled"},
        f"{S}.compute.ecs.container_insights",
        "'disabled'",
        "'enhanced'",
    ),
    Limit(
        "compute.pod_security",
        {"compute.pod_security": "permissive"},
        f"{S}.compute.pod_security",
        "'permissive'",
        "'restricted'",
    ),
    Limit(
        "compute.eks.kubernetes_version",
        _eks(kubernetes_version="1.20"),
        f"{S}.compute.eks.kubernetes_version",
        "'1.20'",
        "1.35",
    ),
    Limit(
        "compute.eks.public_access_cidrs",
        _eks(public_access_cidrs=[]),
        f"{S}.compute.eks.public_access_cidrs",
        "[]",
        "required when endpoint_public_access is true",
    ),
    Limit(
        "compute.eks.public_access_cidrs",
        _eks(public_access_cidrs=["203.0.113.1/24"]),
        f"{S}.compute.eks.public_access_cidrs",
        "['203.0.113.1/24']",
        "host bits",
    ),
    Limit(
        "compute.eks.admin_principal_arns",
        _eks(admin_principal_arns=[]),
        f"{S}.compute.eks.admin_principal_arns",
        "[]",
        "at least one",
    ),
    Limit(
        "compute.eks.admin_principal_arns",
        _eks(admin_principal_arns=["arn:aws:sts::123456789012:assumed-role/admin/me"]),
        f"{S}.compute.eks.admin_principal_arns",
        "['arn:aws:sts::123456789012:assumed-role/admin/me']",
        "role",
    ),
    Limit(
        "compute.eks.admin_principal_arns",
        _eks(admin_principal_arns=[ADMIN, "arn:aws:iam::123456789012:role/Platform-Admin"]),
        f"{S}.compute.eks.admin_principal_arns",
        f"['{ADMIN}', 'arn:aws:iam::123456789012:role/Platform-Admin']",
        "ignoring case",
    ),
    Limit(
        "compute.eks.metadata_hop_limit",
        _eks(metadata_hop_limit=3),
        f"{S}.compute.eks.metadata_hop_limit",
        "3",
        "1 or 2",
    ),
    Limit(
        "compute.eks.log_retention_days",
        _eks(log_retention_days=2),
        f"{S}.compute.eks.log_retention_days",
        "2",
        "1, 3, 5, 7",
    ),
    Limit(
        "compute.eks.min_on_demand_nodes",
        _eks(min_on_demand_nodes=1001),
        f"{S}.compute.eks.min_on_demand_nodes",
        "1001",
        "0-1000",
    ),
    Limit(
        "compute.eks.min_on_demand_nodes",
        _eks(min_on_demand_nodes=5),
        f"{S}.compute.eks.min_on_demand_nodes",
        "5",
        "min_size",
    ),
    Limit(
        "compute.eks.deploy_group",
        _eks(deploy_group="system:masters"),
        f"{S}.compute.eks.deploy_group",
        "'system:masters'",
        "system:",
    ),
    Limit(
        "compute.eks.addon_versions",
        _eks(addon_versions={"ebs-csi": "v1.0.0-eksbuild.1"}),
        f"{S}.compute.eks.addon_versions",
        "{'ebs-csi': 'v1.0.0-eksbuild.1'}",
        "coredns",
    ),
    Limit("compute.eks.node_groups", _eks(node_groups=[]), f"{S}.compute.eks.node_groups", "[]", "at least one"),
    Limit("name", _group(name="a" * 33), f"{G}.name", f"'{'a' * 33}'", "1-32"),
    Limit("instance_types", _group(instance_types=["large"]), f"{G}.instance_types", "['large']", "family.size"),
    Limit(
        "instance_types",
        _group(instance_types=["t4g.medium", "t3.medium"]),
        f"{G}.instance_types",
        "['t4g.medium', 't3.medium']",
        "architecture",
    ),
    Limit("min_size", _group(max_size=1001), f"{G}.max_size", "1001", "0-1000"),
    Limit("min_size", _group(min_size=2, desired_size=1), G, "min_size 2, desired_size 1", "min_size <= desired_size"),
    Limit("min_size", _group(min_size=0, desired_size=0, max_size=0), G, "max_size 0", "max_size >= 1"),
    Limit("disk_size_gib", _group(disk_size_gib=16385), f"{G}.disk_size_gib", "16385", "20-16384"),
    Limit("labels", _group(labels={"bad key!": "x"}), f"{G}.labels", "{'bad key!': 'x'}", "label"),
    Limit(
        "taints",
        _group(taints=[{"key": "spot", "effect": "NoSchedule"}]),
        f"{G}.taints[0].effect",
        "'NoSchedule'",
        "NO_SCHEDULE",
    ),
    Limit(
        "compute.namespaces",
        {"compute": {"namespaces": [{"name": "api"}]}},
        f"{S}.compute.namespaces",
        "[{'name': 'api'}]",
        "compute.eks.enabled",
    ),
    Limit(
        "compute.namespaces",
        {"compute": {"eks": EKS, "namespaces": [{"name": "api"}, {"name": "api"}]}},
        f"{S}.compute.namespaces[1].name",
        "'api'",
        "names another namespace",
    ),
    Limit("name", _namespace(name="Api"), f"{N}.name", "'Api'", "1-63 lowercase"),
    Limit(
        "quota.requests_cpu",
        _namespace(quota={"requests_cpu": "8", "limits_cpu": "4"}),
        f"{N}.quota.requests_cpu",
        "'8'",
        "limits_cpu",
    ),
    Limit("quota.pods", _namespace(quota={"pods": 10001}), f"{N}.quota.pods", "10001", "1-10000"),
    Limit(
        "container_defaults.default_request_cpu",
        _namespace(container_defaults={"default_request_cpu": "1", "default_cpu": "500m"}),
        f"{N}.container_defaults.default_request_cpu",
        "'1'",
        "default_cpu",
    ),
    Limit(
        "container_defaults.default_cpu",
        _namespace(container_defaults={"default_cpu": "8"}),
        f"{N}.container_defaults.default_cpu",
        "'8'",
        "limits_cpu",
    ),
    Limit("allow_ingress_from", _namespace(allow_ingress_from=["api"]), f"{N}.allow_ingress_from", "'api'", "itself"),
    Limit("pod_security", _namespace(pod_security="baseline"), f"{N}.pod_security", "'baseline'", "restricted"),
    Limit("github.environment", {"github.environment": "a,b"}, f"{S}.github.environment", "'a,b'", "','"),
    Limit(
        "github.deploy_branch",
        {"github.deploy_branch": "refs/heads/main"},
        f"{S}.github.deploy_branch",
        "'refs/heads/main'",
        "refs/heads/",
    ),
    Limit(
        "github.deploy_branch",
        {"github.deploy_branch": None, "github.tag_patterns": []},
        f"{S}.github.deploy_branch",
        "null",
        "tag_patterns",
    ),
    Limit(
        "github.tag_patterns",
        {"github.tag_patterns": ["v*", "v*"]},
        f"{S}.github.tag_patterns",
        "['v*', 'v*']",
        "only once",
    ),
    Limit(
        "github.reviewers",
        {"github.reviewers": [f"user:u{i}" for i in range(7)]},
        f"{S}.github.reviewers",
        "['user:u0',",
        "at most 6",
    ),
    Limit(
        "github.reviewers",
        {"github.reviewers": ["user:Wanjiru", "user:wanjiru"]},
        f"{S}.github.reviewers",
        "['user:Wanjiru', 'user:wanjiru']",
        "more than once",
    ),
    Limit(
        "github.wait_timer_minutes",
        {"github.wait_timer_minutes": 43201},
        f"{S}.github.wait_timer_minutes",
        "43201",
        "0-43200",
    ),
    Limit(
        "github.prevent_self_review",
        {"github.prevent_self_review": True, "github.reviewers": []},
        f"{S}.github.prevent_self_review",
        "true",
        "reviewers",
    ),
    Limit(
        "github.secrets",
        {"github.secrets": ["db_url", "DB_URL"]},
        f"{S}.github.secrets",
        "['db_url', 'DB_URL']",
        "ignore case",
    ),
    Limit(
        "github.secrets",
        {"github.secrets": ["github_token"]},
        f"{S}.github.secrets",
        "['github_token']",
        "'GITHUB_'",
    ),
    Limit(
        "github.secrets",
        {"github.secrets": ["aws_access_key_id"]},
        f"{S}.github.secrets",
        "['aws_access_key_id']",
        "OIDC",
    ),
    Limit(
        "github.variables",
        {"github.variables": {"Github_Sha": "x"}},
        f"{S}.github.variables",
        "{'Github_Sha': 'x'}",
        "'GITHUB_'",
    ),
    Limit(
        "github.variables",
        {"github.variables": {"sentry_dsn": "x"}, "github.secrets": ["SENTRY_DSN"]},
        f"{S}.github.variables.sentry_dsn",
        "'sentry_dsn'",
        "environment secret",
    ),
    Limit("runner.enabled", {"runner.enabled": True}, f"{S}.runner.enabled", "true", "compute.eks.enabled"),
    Limit(
        "runner.compute_type",
        {"runner.compute_type": "BUILD_GENERAL1_2XLARGE"},
        f"{S}.runner.compute_type",
        "'BUILD_GENERAL1_2XLARGE'",
        "BUILD_GENERAL1_SMALL",
    ),
    Limit(
        "runner.image",
        {"runner.image": "aws/codebuild/standard:6.0"},
        f"{S}.runner.image",
        "'aws/codebuild/standard:6.0'",
        "aws/codebuild/standard:7.0",
    ),
    Limit("runner.timeout_minutes", {"runner.timeout_minutes": 121}, f"{S}.runner.timeout_minutes", "121", "5-120"),
    Limit("runner.timeout_minutes", {"runner.timeout_minutes": 4}, f"{S}.runner.timeout_minutes", "4", "5-120"),
    Limit(
        "runner.log_retention_days",
        {"runner.log_retention_days": 2},
        f"{S}.runner.log_retention_days",
        "2",
        "1, 3, 5, 7",
    ),
]

NOT_LIMITS = {
    "database.migrations.enabled": "says what it creates",
    "database.migrations.image_tag": "says what null means",
    "compute.eks.endpoint_public_access": "says what is always on",
    "compute.ecs.allow_execute_command": "says what it grants",
    "capacity": "an enum; says what the estimate prices",
}
"""Rows whose Limits cell states no limit (a note), each with why."""


def _stage_values(limit: Limit) -> dict[str, Any]:
    values = copy.deepcopy(BASE)
    values[S]["profile"] = limit.profile
    _merge(values[S], limit.stage)
    return _merge(values, limit.top)


def _problem(load: Any, key: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load()
    found = {p.key: p.message for p in caught.value.problems}
    assert key in found, f"no problem at {key}: {found}"
    return found[key]


@pytest.mark.parametrize("limit", LIMITS, ids=lambda limit: f"{limit.key.removeprefix(S + '.')}={limit.value}")
def test_breaking_a_documented_limit_is_a_config_error(limit: Limit) -> None:
    stack = "production" if limit.profile == "production" else "staging"
    message = _problem(lambda: load_stage_config(stack, _stage_values(limit)), limit.key)
    assert limit.value in message and limit.allowed in message, message


def _rows() -> dict[str, str]:
    """``{first key of the row: Limits cell}`` of every table of docs/configuration.md with a Limits column."""
    rows: dict[str, str] = {}
    header: list[str] = []
    for line in DOC.splitlines():
        if not line.startswith("|"):
            header = []
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if cells[0] == "Key":
            header = cells
        elif header and "Limits" in header and not set(line) <= set("|- "):
            key = re.findall(r"`([^`]+)`", cells[0])[0]
            rows.setdefault(key, cells[header.index("Limits")])
    return rows


def test_every_documented_limit_is_covered() -> None:
    rows = _rows()
    assert len(rows) > 90
    stated = {key for key, cell in rows.items() if cell and key not in NOT_LIMITS}
    covered = {limit.row for limit in LIMITS}
    assert sorted(stated - covered) == []
    assert sorted(covered - set(rows)) == []  # every entry names a row the doc has
    assert sorted(set(NOT_LIMITS) - {k for k, c in rows.items() if c}) == []


ACCOUNT_STAGE = {"app": "amani-backend", "stage": "staging", "repository": "amani-labs/amani-backend"}
A = "stagecraft:account"
R = "stagecraft:repository"


def _account(**settings: Any) -> dict[str, Any]:
    return {
        "aws:region": "us-east-1",
        "aws:allowedAccountIds": ["123456789012"],
        A: {"stages": [dict(ACCOUNT_STAGE)], **settings},
    }


def _repository(**settings: Any) -> dict[str, Any]:
    return {"github:owner": "amani-labs", R: {"repository": "amani-labs/amani-backend", **settings}}


LAYER_LIMITS: list[tuple[str, Any, dict[str, Any], str, str, str]] = [
    # (doc, loader, config, key, value as YAML, what is allowed): docs/components/bootstrap.md's and
    # repository.md's stated limits, and the cluster layer's section of docs/configuration.md.
    (
        "bootstrap: 1-3650",
        load_account_config,
        _account(noncurrent_version_days=3651),
        f"{A}.noncurrent_version_days",
        "3651",
        "3650",
    ),
    ("bootstrap: at least one stage", load_account_config, _account(stages=[]), f"{A}.stages", "[]", "at least 1"),
    (
        "bootstrap: stage 2-16",
        load_account_config,
        _account(stages=[{**ACCOUNT_STAGE, "stage": "s" * 17}]),
        f"{A}.stages[0].stage",
        f"'{'s' * 17}'",
        "2-16",
    ),
    (
        "bootstrap: app at most 20",
        load_account_config,
        _account(stages=[{**ACCOUNT_STAGE, "app": "a" * 21}]),
        f"{A}.stages[0].app",
        f"'{'a' * 21}'",
        "2-20",
    ),
    (
        "bootstrap: each (app, stage) once",
        load_account_config,
        _account(stages=[ACCOUNT_STAGE, ACCOUNT_STAGE]),
        f"{A}.stages[1]",
        "'staging'",
        "each stage once",
    ),
    (
        "bootstrap: exactly one account",
        load_account_config,
        {**_account(), "aws:allowedAccountIds": ["123456789012", "210987654321"]},
        "aws:allowedAccountIds",
        "['123456789012', '210987654321']",
        "exactly one",
    ),
    (
        "repository: 0-6 reviews",
        load_repository_config,
        _repository(branches={"main": {"required_approving_reviews": 7}}),
        f"{R}.branches.main.required_approving_reviews",
        "7",
        "0-6",
    ),
    (
        "repository: bypass at least one actor",
        load_repository_config,
        _repository(tags={"release": {"patterns": ["v*"], "bypass": []}}),
        f"{R}.tags.release.bypass",
        "[]",
        "at least one",
    ),
    (
        "repository: '<environment>-preview'",
        load_repository_config,
        _repository(preview_environments={"staging": {}}),
        f"{R}.preview_environments",
        "{'staging': {}}",
        "'<environment>-preview'",
    ),
    (
        "cluster: a stage name",
        load_cluster_config,
        {"stagecraft:cluster": {"stage": "Staging"}},
        "stagecraft:cluster.stage",
        "'Staging'",
        "2-16 lowercase",
    ),
]


@pytest.mark.parametrize(
    ("doc", "loader", "config", "key", "value", "allowed"), LAYER_LIMITS, ids=[x[0] for x in LAYER_LIMITS]
)
def test_breaking_a_layer_limit_is_a_config_error(
    doc: str, loader: Any, config: dict[str, Any], key: str, value: str, allowed: str
) -> None:
    message = _problem(lambda: loader("amani-staging", config), key)
    assert value in message and allowed in message, message


CASE_DUPLICATES: list[tuple[Any, dict[str, Any], str, str]] = [
    # GitHub environment names "are not case sensitive" (docs.github.com, Managing environments for deployment);
    # Actions secret and variable names are not either ("Naming your secrets"), nor is the reserved GITHUB_ prefix.
    (
        load_repository_config,
        _repository(preview_environments={"Staging-preview": {}, "staging-preview": {}}),
        f"{R}.preview_environments",
        "'staging-preview' and 'Staging-preview' name the same environment",
    ),
    (
        load_repository_config,
        _repository(branches={"main": {"required_deployments": ["Staging", "staging"]}}),
        f"{R}.branches.main.required_deployments",
        "ignore case",
    ),
    (load_repository_config, _repository(secrets=["db_url", "DB_URL"]), f"{R}.secrets", "ignore case"),
    (load_repository_config, _repository(secrets=["github_app_key"]), f"{R}.secrets", "'GITHUB_' in any case"),
    (load_repository_config, _repository(variables={"Github_Ref": "x"}), f"{R}.variables", "'GITHUB_' in any case"),
    (
        load_account_config,
        _account(
            stages=[
                ACCOUNT_STAGE,
                {
                    **ACCOUNT_STAGE,
                    "stage": "stage2",
                    "repository": "Amani-Labs/Amani-Backend",
                    "environment": "Staging",
                },
            ]
        ),
        f"{A}.stages[1].environment",
        "'Staging' of Amani-Labs/Amani-Backend is already the environment of stages[0]",
    ),
]


@pytest.mark.parametrize(("loader", "config", "key", "message"), CASE_DUPLICATES)
def test_github_names_differing_only_in_case_are_one_name(
    loader: Any, config: dict[str, Any], key: str, message: str
) -> None:
    assert message in _problem(lambda: loader("amani-staging", config), key)


def test_a_broken_limit_exits_2_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.staging.yaml"):
        shutil.copy(ROOT / name, project / name)
    path = project / "Pulumi.staging.yaml"
    path.write_text(
        path.read_text().replace("cidr: 10.20.0.0/16", "cidr: 10.20.0.0/16\n    database:\n      port: 5432", 1)
    )
    assert cli.main(["--cwd", str(project), "plan", "staging"]) == 2
    err = capsys.readouterr().err
    assert "stagecraft:stage.database.port: 5432 is not allowed: must be 1150-65535" in err
    assert "Traceback" not in err
