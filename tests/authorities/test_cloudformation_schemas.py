"""The main AWS types' inputs checked against the CloudFormation resource schemas cfn-lint bundles.

CloudFormation's registry schemas state AWS's own patterns, enums and ranges for each property (a log
group's allowed retention days, an RDS identifier's pattern, a CodeBuild timeout's range). The Pulumi inputs
are the Terraform provider's names, so :data:`MAPPING` (maintained here) says which CloudFormation property
each input is; a value the schema rejects is a value AWS would reject at create time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from tests.shipped import shipped_plan_of

ROOT = Path(__file__).resolve().parents[2]
LAYERS = [(".", "staging"), (".", "production"), ("bootstrap", "amani-staging"), ("bootstrap", "amani-production")]

MAPPING: dict[str, tuple[str, dict[str, str]]] = {
    "aws:rds/instance:Instance": (
        "AWS::RDS::DBInstance",
        {
            "identifier": "DBInstanceIdentifier",
            "instanceClass": "DBInstanceClass",
            "engine": "Engine",
            "engineVersion": "EngineVersion",
            "allocatedStorage": "AllocatedStorage",
            "maxAllocatedStorage": "MaxAllocatedStorage",
            "backupRetentionPeriod": "BackupRetentionPeriod",
            "backupWindow": "PreferredBackupWindow",
            "maintenanceWindow": "PreferredMaintenanceWindow",
            "port": "Port",
            "monitoringInterval": "MonitoringInterval",
            "storageType": "StorageType",
            "performanceInsightsRetentionPeriod": "PerformanceInsightsRetentionPeriod",
            "dbName": "DBName",
            "username": "MasterUsername",
            "caCertIdentifier": "CACertificateIdentifier",
        },
    ),
    "aws:rds/parameterGroup:ParameterGroup": (
        "AWS::RDS::DBParameterGroup",
        {"name": "DBParameterGroupName", "family": "Family", "description": "Description"},
    ),
    "aws:rds/subnetGroup:SubnetGroup": (
        "AWS::RDS::DBSubnetGroup",
        {"name": "DBSubnetGroupName", "description": "DBSubnetGroupDescription"},
    ),
    "aws:eks/cluster:Cluster": ("AWS::EKS::Cluster", {"name": "Name", "version": "Version"}),
    "aws:eks/nodeGroup:NodeGroup": (
        "AWS::EKS::Nodegroup",
        {"capacityType": "CapacityType", "amiType": "AmiType", "instanceTypes": "InstanceTypes"},
    ),
    "aws:eks/addon:Addon": ("AWS::EKS::Addon", {"addonName": "AddonName", "addonVersion": "AddonVersion"}),
    "aws:cloudwatch/logGroup:LogGroup": (
        "AWS::Logs::LogGroup",
        {"name": "LogGroupName", "retentionInDays": "RetentionInDays", "kmsKeyId": "KmsKeyId"},
    ),
    "aws:ecr/repository:Repository": (
        "AWS::ECR::Repository",
        {"name": "RepositoryName", "imageTagMutability": "ImageTagMutability"},
    ),
    "aws:kms/key:Key": (
        "AWS::KMS::Key",
        {"deletionWindowInDays": "PendingWindowInDays", "keyUsage": "KeyUsage", "description": "Description"},
    ),
    "aws:kms/alias:Alias": ("AWS::KMS::Alias", {"name": "AliasName"}),
    "aws:iam/role:Role": (
        "AWS::IAM::Role",
        {"name": "RoleName", "maxSessionDuration": "MaxSessionDuration", "path": "Path", "description": "Description"},
    ),
    "aws:s3/bucket:Bucket": ("AWS::S3::Bucket", {"bucket": "BucketName"}),
    "aws:codebuild/project:Project": (
        "AWS::CodeBuild::Project",
        {"name": "Name", "buildTimeout": "TimeoutInMinutes", "queuedTimeout": "QueuedTimeoutInMinutes"},
    ),
    "aws:ecs/cluster:Cluster": ("AWS::ECS::Cluster", {"name": "ClusterName"}),
    "aws:ecs/taskDefinition:TaskDefinition": (
        "AWS::ECS::TaskDefinition",
        {"family": "Family", "cpu": "Cpu", "memory": "Memory", "networkMode": "NetworkMode"},
    ),
    "aws:ec2/vpc:Vpc": ("AWS::EC2::VPC", {"cidrBlock": "CidrBlock", "instanceTenancy": "InstanceTenancy"}),
    "aws:ec2/subnet:Subnet": ("AWS::EC2::Subnet", {"cidrBlock": "CidrBlock", "availabilityZone": "AvailabilityZone"}),
    "aws:ec2/securityGroup:SecurityGroup": (
        "AWS::EC2::SecurityGroup",
        {"description": "GroupDescription", "name": "GroupName"},
    ),
    "aws:ec2/flowLog:FlowLog": (
        "AWS::EC2::FlowLog",
        {"trafficType": "TrafficType", "maxAggregationInterval": "MaxAggregationInterval"},
    ),
}
"""Pulumi type -> (CloudFormation type, Pulumi input -> CloudFormation property)."""


def _schema(cfn_type: str, region: str) -> dict[str, Any]:
    schema: dict[str, Any] = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, cfn_type).schema
    return schema


def _as_cfn(value: Any, schema: dict[str, Any]) -> Any:
    """CloudFormation types some numbers as strings (``AllocatedStorage``, ``Port``, ``Cpu``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return str(value) if "string" in kinds and not {"integer", "number"} & set(kinds) else value


def _problems(cfn_type: str, region: str, inputs: dict[str, Any], fields: dict[str, str]) -> list[str]:
    schema = _schema(cfn_type, region)
    found = []
    for pulumi_name, cfn_name in fields.items():
        value = inputs.get(pulumi_name)
        if value is None:
            continue
        wrapper = {**schema, "$ref": f"#/properties/{cfn_name}"}  # resolves the property's own $refs
        value = _as_cfn(value, schema["properties"][cfn_name])
        for error in jsonschema.Draft7Validator(wrapper).iter_errors(value):
            found.append(f"{pulumi_name} ({cfn_type}.{cfn_name}) = {value!r}: {error.message}")
    return found


def _cases() -> list[tuple[str, str, str, str, dict[str, Any]]]:
    cases = []
    for cwd, stack in LAYERS:
        plan = shipped_plan_of(ROOT / cwd, stack)
        for resource in plan.inventory.resources:
            if resource.type in MAPPING:
                cases.append((f"{stack}:{resource.name}", plan.region, resource.type, resource.urn, resource.inputs))
    return cases


CASES = _cases()


def test_the_mapping_names_real_properties() -> None:
    for type_, (cfn_type, fields) in MAPPING.items():
        properties = _schema(cfn_type, "us-east-1")["properties"]
        assert set(fields.values()) <= set(properties), (type_, sorted(set(fields.values()) - set(properties)))


def test_every_mapped_type_is_used_and_checked() -> None:
    used = {type_ for _, _, type_, _, _ in CASES}
    assert used == set(MAPPING), f"mapped but not in any shipped stack: {sorted(set(MAPPING) - used)}"
    checked = sum(1 for _, _, t, _, inputs in CASES for name in MAPPING[t][1] if inputs.get(name) is not None)
    assert checked > 100


@pytest.mark.parametrize(("where", "region", "type_", "urn", "inputs"), CASES, ids=[c[0] for c in CASES])
def test_inputs_meet_the_cloudformation_schema(
    where: str, region: str, type_: str, urn: str, inputs: dict[str, Any]
) -> None:
    cfn_type, fields = MAPPING[type_]
    assert _problems(cfn_type, region, inputs, fields) == [], urn


@pytest.mark.parametrize(
    ("type_", "inputs", "expected"),
    [
        ("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 4}, "retentionInDays"),
        ("aws:codebuild/project:Project", {"buildTimeout": 4000}, "buildTimeout"),
        ("aws:rds/instance:Instance", {"identifier": "1bad--id"}, "identifier"),
    ],
)
def test_a_value_aws_rejects_is_caught(type_: str, inputs: dict[str, Any], expected: str) -> None:
    cfn_type, fields = MAPPING[type_]
    (problem,) = _problems(cfn_type, "us-east-1", inputs, fields)
    assert problem.startswith(expected)
