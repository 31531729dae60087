"""Rules over a program recorded under the plan's mocks: real wire names, URNs and dependencies."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_github as github

from stagecraft.rules import evaluate
from tests.conftest import RunProgram

GH = "token.actions.githubusercontent.com"
INTERFACES = ("ecr.api", "ecr.dkr", "kms", "logs", "secretsmanager", "sts")


def _network(name: str) -> list[aws.ec2.Subnet]:
    vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block="10.0.0.0/16")
    aws.ec2.DefaultSecurityGroup(f"{name}-default-sg", vpc_id=vpc.id, ingress=[], egress=[])
    aws.ec2.FlowLog(f"{name}-flow", vpc_id=vpc.id, traffic_type="ALL", log_destination="arn:aws:logs:x")
    for service in INTERFACES:
        aws.ec2.VpcEndpoint(
            f"{name}-{service}",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.us-east-1.{service}",
            vpc_endpoint_type="Interface",
            private_dns_enabled=True,
        )
    aws.ec2.VpcEndpoint(
        f"{name}-s3", vpc_id=vpc.id, service_name="com.amazonaws.us-east-1.s3", vpc_endpoint_type="Gateway"
    )
    private = []
    for zone in ("a", "b"):
        public = aws.ec2.Subnet(f"{name}-public-{zone}", vpc_id=vpc.id, availability_zone=f"us-east-1{zone}")
        nat = aws.ec2.NatGateway(f"{name}-nat-{zone}", subnet_id=public.id, allocation_id=f"eip-{zone}")
        subnet = aws.ec2.Subnet(f"{name}-private-{zone}", vpc_id=vpc.id, availability_zone=f"us-east-1{zone}")
        table = aws.ec2.RouteTable(
            f"{name}-private-rt-{zone}",
            vpc_id=vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)],
        )
        aws.ec2.RouteTableAssociation(f"{name}-private-rta-{zone}", route_table_id=table.id, subnet_id=subnet.id)
        private.append(subnet)
    return private


def _data(name: str, subnets: list[aws.ec2.Subnet]) -> None:
    keep = pulumi.ResourceOptions(protect=True)
    key = aws.kms.Key(f"{name}-key", enable_key_rotation=True, opts=keep)
    pg = aws.rds.ParameterGroup(
        f"{name}-pg",
        family="postgres16",
        parameters=[aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1")],
    )
    group = aws.rds.SubnetGroup(f"{name}-db-subnets", subnet_ids=[s.id for s in subnets])
    aws.rds.Instance(
        f"{name}-db",
        engine="postgres",
        instance_class="db.t4g.medium",
        storage_encrypted=True,
        kms_key_id=key.arn,
        multi_az=True,
        backup_retention_period=14,
        deletion_protection=True,
        publicly_accessible=False,
        enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
        iam_database_authentication_enabled=True,
        copy_tags_to_snapshot=True,
        monitoring_interval=60,
        port=5433,
        username="app_admin",
        manage_master_user_password=True,
        master_user_secret_kms_key_id=key.arn,
        parameter_group_name=pg.name,
        db_subnet_group_name=group.name,
        opts=keep,
    )
    bucket = aws.s3.Bucket(f"{name}-backups", object_lock_enabled=True, opts=keep)
    aws.s3.BucketPublicAccessBlock(
        f"{name}-pab",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    by_default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
        sse_algorithm="aws:kms", kms_master_key_id=key.arn
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(apply_server_side_encryption_by_default=by_default)
        ],
    )
    aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle",
        bucket=bucket.id,
        rules=[aws.s3.BucketLifecycleConfigurationRuleArgs(id="tidy", status="Enabled")],
    )
    retention = aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(mode="GOVERNANCE", days=30)
    aws.s3.BucketObjectLockConfiguration(
        f"{name}-lock",
        bucket=bucket.id,
        rule=aws.s3.BucketObjectLockConfigurationRuleArgs(default_retention=retention),
    )
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
    )
    tls = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    aws.s3.BucketPolicy(
        f"{name}-policy",
        bucket=bucket.id,
        policy=bucket.arn.apply(lambda arn: json.dumps({"Statement": [{**tls, "Resource": [arn, f"{arn}/*"]}]})),
    )
    repo = aws.ecr.Repository(
        f"{name}-app",
        image_tag_mutability="IMMUTABLE",
        image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
        encryption_configurations=[
            aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=key.arn)
        ],
        opts=keep,
    )
    aws.ecr.LifecyclePolicy(f"{name}-app-lifecycle", repository=repo.name, policy=json.dumps({"rules": []}))
    aws.cloudwatch.LogGroup(f"{name}-logs", retention_in_days=365, kms_key_id=key.arn)


def _delivery(name: str) -> None:
    trust = json.dumps(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{GH}"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{GH}:aud": "sts.amazonaws.com",
                            f"{GH}:sub": f"repo:example/app:environment:{name}",
                        }
                    },
                }
            ]
        }
    )
    aws.iam.Role(f"{name}-deploy", assume_role_policy=trust)
    github.ActionsEnvironmentSecret(
        f"{name}-db-url", repository="app", environment=name, secret_name="DB_URL", value="x"
    )
    github.BranchProtection(
        f"{name}-main",
        repository_id="app",
        pattern="main",
        enforce_admins=True,
        required_pull_request_reviews=[
            github.BranchProtectionRequiredPullRequestReviewArgs(
                required_approving_review_count=2,
                dismiss_stale_reviews=True,
                require_code_owner_reviews=True,
                require_last_push_approval=True,
            )
        ],
        required_status_checks=[github.BranchProtectionRequiredStatusCheckArgs(strict=True, contexts=["ci"])],
    )


def test_a_compliant_recorded_stage_has_no_findings(run: RunProgram) -> None:
    def program() -> None:
        _data("prod", _network("prod"))
        _delivery("production")

    assert [f.to_json() for f in evaluate(run(program), "production")] == []


def test_a_recorded_stage_missing_pieces_is_reported(run: RunProgram) -> None:
    def program() -> None:
        aws.ec2.Vpc("bare-vpc", cidr_block="10.1.0.0/16")
        aws.s3.Bucket("bare-bucket")

    rules = sorted({f.rule for f in evaluate(run(program), "production")})
    assert rules == [
        "default-sg-closed",
        "s3-lifecycle",
        "s3-object-lock",
        "s3-ownership-enforced",
        "s3-public-access-block",
        "s3-sse-kms",
        "s3-tls-only",
        "s3-versioning",
        "stateful-protected",
        "vpc-flow-logs",
        "vpc-interface-endpoints",
        "vpc-s3-gateway-endpoint",
    ]
