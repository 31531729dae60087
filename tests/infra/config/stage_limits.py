"""The stage's documented limits (docs/configuration.md), each broken just over it: what ``test_limits`` runs.

``LIMITS`` holds one entry (or more) per stated clause of a row's Limits cell; ``NOT_LIMITS`` names the rows and
``NOT_LIMIT_CLAUSES`` the clauses that state no limit (a note), each with why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    clause: str = ""
    """Words of the row's Limits clause it breaks (clauses are split on ``;``); empty: the row's first clause."""


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
    Limit(
        "stagecraft:stage.tags",
        {"tags": {"stage": "x"}},
        f"{S}.tags",
        "{'stage': 'x'}",
        "reserved",
        clause="are reserved",
    ),
    Limit(
        "stagecraft:stage.acknowledge",
        {"acknowledge": {"network.nat_gateways": "short"}, "network.nat_gateways": "single"},
        f"{S}.acknowledge",
        "{'network.nat_gateways': 'short'}",
        "at least 10 characters",
        profile="production",
        clause="reason",
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
    Limit(
        "database.port",
        {"database.port": 5432},
        f"{S}.database.port",
        "5432",
        "not PostgreSQL's default 5432",
        clause="5432",
    ),
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
        clause="a version RDS offers",
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
        clause="≥ 30",
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
        clause="no host bits",
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
        clause="not `sts`",
    ),
    Limit(
        "compute.eks.admin_principal_arns",
        _eks(admin_principal_arns=[ADMIN, "arn:aws:iam::123456789012:role/Platform-Admin"]),
        f"{S}.compute.eks.admin_principal_arns",
        f"['{ADMIN}', 'arn:aws:iam::123456789012:role/Platform-Admin']",
        "ignoring case",
        clause="distinct",
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
        clause="0-1000",
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
    Limit("compute.eks.node_groups[].name", _group(name="a" * 33), f"{G}.name", f"'{'a' * 33}'", "1-32"),
    Limit(
        "compute.eks.node_groups[].instance_types",
        _group(instance_types=["large"]),
        f"{G}.instance_types",
        "['large']",
        "family.size",
    ),
    Limit(
        "compute.eks.node_groups[].instance_types",
        _group(instance_types=["t4g.medium", "t3.medium"]),
        f"{G}.instance_types",
        "['t4g.medium', 't3.medium']",
        "architecture",
    ),
    Limit("compute.eks.node_groups[].min_size", _group(max_size=1001), f"{G}.max_size", "1001", "0-1000"),
    Limit(
        "compute.eks.node_groups[].min_size",
        _group(min_size=2, desired_size=1),
        G,
        "min_size 2, desired_size 1",
        "min_size <= desired_size",
        clause="`min_size` ≤",
    ),
    Limit(
        "compute.eks.node_groups[].min_size",
        _group(min_size=0, desired_size=0, max_size=0),
        G,
        "max_size 0",
        "max_size >= 1",
        clause="`min_size` ≤",
    ),
    Limit(
        "compute.eks.node_groups[].disk_size_gib",
        _group(disk_size_gib=16385),
        f"{G}.disk_size_gib",
        "16385",
        "20-16384",
    ),
    Limit(
        "compute.eks.node_groups[].labels",
        _group(labels={"bad key!": "x"}),
        f"{G}.labels",
        "{'bad key!': 'x'}",
        "label",
    ),
    Limit(
        "compute.eks.node_groups[].taints",
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
        clause="unique names",
    ),
    Limit("compute.namespaces[].name", _namespace(name="Api"), f"{N}.name", "'Api'", "1-63 lowercase"),
    Limit(
        "compute.namespaces[].quota.requests_cpu",
        _namespace(quota={"requests_cpu": "8", "limits_cpu": "4"}),
        f"{N}.quota.requests_cpu",
        "'8'",
        "limits_cpu",
        clause="requests ≤ limits",
    ),
    Limit("compute.namespaces[].quota.pods", _namespace(quota={"pods": 10001}), f"{N}.quota.pods", "10001", "1-10000"),
    Limit(
        "compute.namespaces[].container_defaults.default_request_cpu",
        _namespace(container_defaults={"default_request_cpu": "1", "default_cpu": "500m"}),
        f"{N}.container_defaults.default_request_cpu",
        "'1'",
        "default_cpu",
    ),
    Limit(
        "compute.namespaces[].container_defaults.default_cpu",
        _namespace(container_defaults={"default_cpu": "8"}),
        f"{N}.container_defaults.default_cpu",
        "'8'",
        "limits_cpu",
    ),
    Limit(
        "compute.namespaces[].allow_ingress_from",
        _namespace(allow_ingress_from=["api"]),
        f"{N}.allow_ingress_from",
        "'api'",
        "itself",
    ),
    Limit(
        "compute.namespaces[].pod_security",
        _namespace(pod_security="baseline"),
        f"{N}.pod_security",
        "'baseline'",
        "restricted",
    ),
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
        clause="null: tags only",
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
        clause="AWS_ACCESS_KEY_ID",
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
        clause="may not reuse",
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
    # Clauses after a row's first (``clause`` names them) and the first clauses the entries above do not break.
    Limit("stagecraft:stage.tags", {"tags": {"a" * 129: "x"}}, f"{S}.tags", f"'{'a' * 129}'", "128"),
    Limit(
        "stagecraft:stage.acknowledge",
        {"acknowledge": {"network.cidr": "we chose this range"}},
        f"{S}.acknowledge.network.cidr",
        "'network.cidr'",
        "is not a floor of this profile",
        profile="production",
    ),
    Limit(
        "network.availability_zones",
        {"network.availability_zones": ["us-west-2a", "us-east-1b"]},
        f"{S}.network.availability_zones[0]",
        "'us-west-2a'",
        "zone of us-east-1",
        clause="names must be zones",
    ),
    Limit(
        "network.availability_zones",
        {"network.availability_zones": ["us-east-1a", "us-east-1a"]},
        f"{S}.network.availability_zones",
        "['us-east-1a', 'us-east-1a']",
        "unique",
        clause="names must be zones",
    ),
    Limit(
        "network.zone_ids",
        {"network.zone_ids": ["use1-az1", "use1-az2"], "network.availability_zones": ["us-east-1a", "us-east-1b"]},
        f"{S}.network.zone_ids",
        "['use1-az1', 'use1-az2']",
        "both name the zones",
        clause="not with a list of names",
    ),
    Limit(
        "network.interface_endpoints",
        {"network.interface_endpoints": ["sts", "sts"]},
        f"{S}.network.interface_endpoints",
        "['sts', 'sts']",
        "unique",
        clause="unique",
    ),
    Limit(
        "compute.eks.public_access_cidrs",
        _eks(public_access_cidrs=["203.0.113.0/24", "203.0.113.0/24"]),
        f"{S}.compute.eks.public_access_cidrs",
        "['203.0.113.0/24', '203.0.113.0/24']",
        "once",
        clause="unique",
    ),
    Limit(
        "compute.eks.addon_versions",
        _eks(addon_versions={"coredns": "latest"}),
        f"{S}.compute.eks.addon_versions",
        "'latest'",
        "eksbuild",
        clause="values like",
    ),
    Limit(
        "compute.eks.node_groups",
        _eks(node_groups=[{"name": "general", "instance_types": ["t4g.medium"]}] * 2),
        f"{S}.compute.eks.node_groups[1].name",
        "'general'",
        "another node group",
        clause="unique names",
    ),
    Limit(
        "compute.namespaces[].quota.requests_cpu",
        _namespace(quota={"requests_cpu": "lots"}),
        f"{N}.quota.requests_cpu",
        "'lots'",
        "quantity",
    ),
    Limit(
        "compute.namespaces[].quota.requests_cpu",
        _namespace(quota={"requests_cpu": "0"}),
        f"{N}.quota.requests_cpu",
        "'0'",
        "greater than zero",
        clause="> 0",
    ),
    Limit(
        "github.secrets",
        {"github.secrets": ["DB_URL"]},
        "stagecraft:secrets.environment.DB_URL",
        "stagecraft:stage.github.secrets",
        "has no value",
        clause="each needs a value",
    ),
    Limit(
        "github.variables",
        {"github.variables": {"AWS_SECRET_ACCESS_KEY": "x"}},
        f"{S}.github.variables",
        "'AWS_SECRET_ACCESS_KEY'",
        "OIDC",
        clause="AWS_ACCESS_KEY_ID",
    ),
]

NOT_LIMITS = {
    "database.migrations.enabled": "says what it creates",
    "database.migrations.image_tag": "says what null means",
    "compute.eks.endpoint_public_access": "says what is always on",
    "compute.ecs.allow_execute_command": "says what it grants",
    "compute.eks.node_groups[].capacity": "an enum; says what the estimate prices",
}
"""Rows whose Limits cell states no limit (a note), each with why."""

NOT_LIMIT_CLAUSES: dict[str, dict[str, str]] = {
    "registries.release_tag_patterns": {"never expired": "says what the lifecycle policy does"},
    "database.port": {"the security group admits": "says what the port is used for"},
    "database.log_retention_days": {"the groups": "names the log groups"},
    "database.migrations.repository": {"null: the first": "says the default"},
    "backups.retention_days": {"objects expire": "says what the days do"},
    "backups.noncurrent_days": {"are kept this long": "says what the days do"},
    "backups.replication_region": {"its own key": "says what is created there"},
    "compute.ecs.spot_weight": {"0 = no Spot": "says what 0 means"},
    "compute.eks.addon_versions": {"list it to pin it": "advice"},
    "compute.eks.node_groups[].name": {"a stable key": "says what renaming does"},
    "compute.eks.node_groups[].min_size": {"left to an autoscaler": "says what happens after creation"},
    "github.environment": {"null: the stage name": "says the default"},
    "github.prevent_self_review": {"null: on whenever": "says the default"},
    "runner.enabled": {"null: on exactly": "says the default", "`false`: no runner": "says what false means"},
    "runner.log_retention_days": {"null: `compute.eks": "says the default"},
}
"""Clauses of a Limits cell that state no limit, per row: words of the clause -> why."""
