"""Hand-kept inputs of ``gen_replace_paths.py``: which provider resource each Pulumi type bridges, its physical
name inputs, and the terraform-provider-aws ForceNew table used when no checkout of that provider is at hand.

Physical names are a judgement, not something a schema says: ``NAME_INPUTS`` lists the inputs whose value the
cloud keeps unique (``name``, ``bucket``, ``identifier``, ``roleName``...; ``...Prefix`` inputs mean "auto-named")
and ``SCOPE_INPUTS`` the inputs that scope that uniqueness (a security group's name is unique per VPC), so a
replacement that changes a scope input cannot collide.
"""

from __future__ import annotations

AWS = "aws"
GITHUB = "github"
KUBERNETES = "kubernetes"

TERRAFORM_TYPES: dict[str, tuple[str, str, str]] = {
    # Pulumi type token: (provider, Terraform resource type, source file in the provider repository)
    "aws:cloudwatch/logGroup:LogGroup": (AWS, "aws_cloudwatch_log_group", "internal/service/logs/group.go"),
    "aws:codebuild/project:Project": (AWS, "aws_codebuild_project", "internal/service/codebuild/project.go"),
    "aws:codebuild/webhook:Webhook": (AWS, "aws_codebuild_webhook", "internal/service/codebuild/webhook.go"),
    "aws:codeconnections/connection:Connection": (
        AWS,
        "aws_codeconnections_connection",
        "internal/service/codeconnections/connection.go",
    ),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (
        AWS,
        "aws_default_security_group",
        "internal/service/ec2/vpc_default_security_group.go",
    ),
    "aws:ec2/eip:Eip": (AWS, "aws_eip", "internal/service/ec2/ec2_eip.go"),
    "aws:ec2/flowLog:FlowLog": (AWS, "aws_flow_log", "internal/service/ec2/vpc_flow_log.go"),
    "aws:ec2/internetGateway:InternetGateway": (
        AWS,
        "aws_internet_gateway",
        "internal/service/ec2/vpc_internet_gateway.go",
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": (
        AWS,
        "aws_launch_template",
        "internal/service/ec2/ec2_launch_template.go",
    ),
    "aws:ec2/natGateway:NatGateway": (AWS, "aws_nat_gateway", "internal/service/ec2/vpc_nat_gateway.go"),
    "aws:ec2/routeTable:RouteTable": (AWS, "aws_route_table", "internal/service/ec2/vpc_route_table.go"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": (
        AWS,
        "aws_route_table_association",
        "internal/service/ec2/vpc_route_table_association.go",
    ),
    "aws:ec2/securityGroup:SecurityGroup": (AWS, "aws_security_group", "internal/service/ec2/vpc_security_group.go"),
    "aws:ec2/subnet:Subnet": (AWS, "aws_subnet", "internal/service/ec2/vpc_subnet.go"),
    "aws:ec2/vpc:Vpc": (AWS, "aws_vpc", "internal/service/ec2/vpc_.go"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (AWS, "aws_vpc_endpoint", "internal/service/ec2/vpc_endpoint.go"),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": (
        AWS,
        "aws_ecr_lifecycle_policy",
        "internal/service/ecr/lifecycle_policy.go",
    ),
    "aws:ecr/repository:Repository": (AWS, "aws_ecr_repository", "internal/service/ecr/repository.go"),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": (
        AWS,
        "aws_ecr_repository_policy",
        "internal/service/ecr/repository_policy.go",
    ),
    "aws:ecs/cluster:Cluster": (AWS, "aws_ecs_cluster", "internal/service/ecs/cluster.go"),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (
        AWS,
        "aws_ecs_cluster_capacity_providers",
        "internal/service/ecs/cluster_capacity_providers.go",
    ),
    "aws:ecs/taskDefinition:TaskDefinition": (
        AWS,
        "aws_ecs_task_definition",
        "internal/service/ecs/task_definition.go",
    ),
    "aws:eks/accessEntry:AccessEntry": (AWS, "aws_eks_access_entry", "internal/service/eks/access_entry.go"),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": (
        AWS,
        "aws_eks_access_policy_association",
        "internal/service/eks/access_policy_association.go",
    ),
    "aws:eks/addon:Addon": (AWS, "aws_eks_addon", "internal/service/eks/addon.go"),
    "aws:eks/cluster:Cluster": (AWS, "aws_eks_cluster", "internal/service/eks/cluster.go"),
    "aws:eks/nodeGroup:NodeGroup": (AWS, "aws_eks_node_group", "internal/service/eks/node_group.go"),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": (
        AWS,
        "aws_eks_pod_identity_association",
        "internal/service/eks/pod_identity_association.go",
    ),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (
        AWS,
        "aws_iam_openid_connect_provider",
        "internal/service/iam/openid_connect_provider.go",
    ),
    "aws:iam/role:Role": (AWS, "aws_iam_role", "internal/service/iam/role.go"),
    "aws:iam/rolePolicy:RolePolicy": (AWS, "aws_iam_role_policy", "internal/service/iam/role_policy.go"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (
        AWS,
        "aws_iam_role_policy_attachment",
        "internal/service/iam/role_policy_attachment.go",
    ),
    "aws:kms/alias:Alias": (AWS, "aws_kms_alias", "internal/service/kms/alias.go"),
    "aws:kms/key:Key": (AWS, "aws_kms_key", "internal/service/kms/key.go"),
    "aws:rds/instance:Instance": (AWS, "aws_db_instance", "internal/service/rds/instance.go"),
    "aws:rds/parameterGroup:ParameterGroup": (AWS, "aws_db_parameter_group", "internal/service/rds/parameter_group.go"),
    "aws:rds/subnetGroup:SubnetGroup": (AWS, "aws_db_subnet_group", "internal/service/rds/subnet_group.go"),
    "aws:s3/bucket:Bucket": (AWS, "aws_s3_bucket", "internal/service/s3/bucket.go"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        AWS,
        "aws_s3_bucket_lifecycle_configuration",
        "internal/service/s3/bucket_lifecycle_configuration.go",
    ),
    "aws:s3/bucketLogging:BucketLogging": (AWS, "aws_s3_bucket_logging", "internal/service/s3/bucket_logging.go"),
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": (
        AWS,
        "aws_s3_bucket_object_lock_configuration",
        "internal/service/s3/bucket_object_lock_configuration.go",
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": (
        AWS,
        "aws_s3_bucket_ownership_controls",
        "internal/service/s3/bucket_ownership_controls.go",
    ),
    "aws:s3/bucketPolicy:BucketPolicy": (AWS, "aws_s3_bucket_policy", "internal/service/s3/bucket_policy.go"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        AWS,
        "aws_s3_bucket_public_access_block",
        "internal/service/s3/bucket_public_access_block.go",
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        AWS,
        "aws_s3_bucket_server_side_encryption_configuration",
        "internal/service/s3/bucket_server_side_encryption_configuration.go",
    ),
    "aws:s3/bucketVersioning:BucketVersioning": (
        AWS,
        "aws_s3_bucket_versioning",
        "internal/service/s3/bucket_versioning.go",
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        AWS,
        "aws_vpc_security_group_egress_rule",
        "internal/service/ec2/vpc_security_group_egress_rule.go",
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        AWS,
        "aws_vpc_security_group_ingress_rule",
        "internal/service/ec2/vpc_security_group_ingress_rule.go",
    ),
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": (
        GITHUB,
        "github_actions_environment_secret",
        "github/resource_github_actions_environment_secret.go",
    ),
    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": (
        GITHUB,
        "github_actions_environment_variable",
        "github/resource_github_actions_environment_variable.go",
    ),
    "github:index/actionsSecret:ActionsSecret": (
        GITHUB,
        "github_actions_secret",
        "github/resource_github_actions_secret.go",
    ),
    "github:index/repositoryEnvironment:RepositoryEnvironment": (
        GITHUB,
        "github_repository_environment",
        "github/resource_github_repository_environment.go",
    ),
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": (
        GITHUB,
        "github_repository_environment_deployment_policy",
        "github/resource_github_repository_environment_deployment_policy.go",
    ),
    "github:index/repositoryRuleset:RepositoryRuleset": (
        GITHUB,
        "github_repository_ruleset",
        "github/resource_github_repository_ruleset.go",
    ),
}

KUBERNETES_KINDS: dict[str, tuple[str, str]] = {
    # Pulumi type token: (API group as diff.go keys it, kind)
    "kubernetes:core/v1:LimitRange": ("core", "LimitRange"),
    "kubernetes:core/v1:Namespace": ("core", "Namespace"),
    "kubernetes:core/v1:ResourceQuota": ("core", "ResourceQuota"),
    "kubernetes:core/v1:ServiceAccount": ("core", "ServiceAccount"),
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": ("networking.k8s.io", "NetworkPolicy"),
    "kubernetes:rbac.authorization.k8s.io/v1:Role": ("rbac.authorization.k8s.io", "Role"),
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": ("rbac.authorization.k8s.io", "RoleBinding"),
}

PROVIDER_TYPES = ("pulumi:providers:kubernetes",)
"""Provider resources: no replace-forcing inputs of their own (a changed cluster replaces the provider, and with
it its objects, which the Kubernetes provider deletes before it re-creates them when they are named)."""

NAME_INPUTS: dict[str, tuple[str, ...]] = {
    "aws:cloudwatch/logGroup:LogGroup": ("name", "namePrefix"),
    "aws:codebuild/project:Project": ("name",),
    "aws:codebuild/webhook:Webhook": ("projectName",),
    "aws:codeconnections/connection:Connection": ("name",),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ("vpcId",),
    "aws:ec2/launchTemplate:LaunchTemplate": ("name", "namePrefix"),
    "aws:ec2/securityGroup:SecurityGroup": ("name", "namePrefix"),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": ("repository",),
    "aws:ecr/repository:Repository": ("name",),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": ("repository",),
    "aws:ecs/cluster:Cluster": ("name",),
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": ("clusterName",),
    "aws:eks/accessEntry:AccessEntry": ("principalArn",),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": ("principalArn", "policyArn"),
    "aws:eks/addon:Addon": ("addonName",),
    "aws:eks/cluster:Cluster": ("name",),
    "aws:eks/nodeGroup:NodeGroup": ("nodeGroupName", "nodeGroupNamePrefix"),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ("namespace", "serviceAccount"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ("url",),
    "aws:iam/role:Role": ("name", "namePrefix"),
    "aws:iam/rolePolicy:RolePolicy": ("name", "namePrefix"),
    "aws:kms/alias:Alias": ("name", "namePrefix"),
    "aws:rds/instance:Instance": ("identifier", "identifierPrefix"),
    "aws:rds/parameterGroup:ParameterGroup": ("name", "namePrefix"),
    "aws:rds/subnetGroup:SubnetGroup": ("name", "namePrefix"),
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix"),
    **{
        token: ("bucket",)
        for token in TERRAFORM_TYPES
        if token.startswith("aws:s3/bucket") and token != "aws:s3/bucket:Bucket"
    },
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": ("secretName",),
    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": ("variableName",),
    "github:index/actionsSecret:ActionsSecret": ("secretName",),
    "github:index/repositoryEnvironment:RepositoryEnvironment": ("environment",),
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": (
        "branchPattern",
        "tagPattern",
    ),
    "github:index/repositoryRuleset:RepositoryRuleset": ("name",),
    **dict.fromkeys(KUBERNETES_KINDS, ("metadata.name",)),
}

SCOPE_INPUTS: dict[str, tuple[str, ...]] = {
    "aws:ec2/securityGroup:SecurityGroup": ("vpcId",),
    "aws:eks/accessEntry:AccessEntry": ("clusterName",),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": ("clusterName",),
    "aws:eks/addon:Addon": ("clusterName",),
    "aws:eks/nodeGroup:NodeGroup": ("clusterName",),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ("clusterName",),
    "aws:iam/rolePolicy:RolePolicy": ("role",),
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": ("repository", "environment"),
    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": ("repository", "environment"),
    "github:index/actionsSecret:ActionsSecret": ("repository",),
    "github:index/repositoryEnvironment:RepositoryEnvironment": ("repository",),
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": (
        "repository",
        "environment",
    ),
    "github:index/repositoryRuleset:RepositoryRuleset": ("repository",),
    **dict.fromkeys(KUBERNETES_KINDS, ("metadata.namespace",)),
}

AWS_FORCE_NEW: dict[str, tuple[tuple[str, ...], tuple[str, ...], str | None]] = {
    # Terraform type: (ForceNew/RequiresReplace attribute paths, conditionally replacing paths (CustomizeDiff),
    # the hashicorp/terraform-provider-aws commit whose file was read to check the entry; None: from the
    # resource's documentation ("Forces new resource"), not re-read here).
    "aws_cloudwatch_log_group": (("name", "name_prefix", "log_group_class"), (), None),
    "aws_codebuild_project": (("name",), (), None),
    "aws_codebuild_webhook": (("project_name", "manual_creation", "scope_configuration"), (), None),
    "aws_codeconnections_connection": (("name", "provider_type", "host_arn"), (), None),
    "aws_default_security_group": (("vpc_id",), (), None),
    "aws_eip": (
        ("address", "customer_owned_ipv4_pool", "domain", "ipam_pool_id", "network_border_group", "public_ipv4_pool"),
        (),
        None,
    ),
    "aws_flow_log": (
        (
            "deliver_cross_account_role",
            "destination_options",
            "eni_id",
            "iam_role_arn",
            "log_destination",
            "log_destination_type",
            "log_format",
            "max_aggregation_interval",
            "subnet_id",
            "traffic_type",
            "transit_gateway_attachment_id",
            "transit_gateway_id",
            "vpc_id",
        ),
        (),
        None,
    ),
    "aws_internet_gateway": ((), (), None),
    "aws_launch_template": (("name", "name_prefix"), (), None),
    "aws_nat_gateway": (("allocation_id", "connectivity_type", "private_ip", "subnet_id"), (), None),
    "aws_route_table": (("vpc_id",), (), None),
    "aws_route_table_association": (("gateway_id", "subnet_id"), (), None),
    "aws_security_group": (
        ("description", "name", "name_prefix", "vpc_id"),
        (),
        "01606926a0c0ab9174aec440f976a48b0baee722",
    ),
    "aws_subnet": (
        ("availability_zone", "availability_zone_id", "cidr_block", "outpost_arn", "vpc_id"),
        (),
        None,
    ),
    "aws_vpc": (("cidr_block", "ipv4_ipam_pool_id", "ipv4_netmask_length"), (), None),
    "aws_vpc_endpoint": (("service_name", "service_region", "vpc_endpoint_type", "vpc_id"), (), None),
    "aws_ecr_lifecycle_policy": (("policy", "repository"), (), "00a35305dc1b297a6fcdecdfbba33f1e63c3da39"),
    "aws_ecr_repository": (
        (
            "encryption_configuration",
            "encryption_configuration.encryption_type",
            "encryption_configuration.kms_key",
            "name",
        ),
        (),
        None,
    ),
    "aws_ecr_repository_policy": (("repository",), (), None),
    "aws_ecs_cluster": (("name",), (), None),
    "aws_ecs_cluster_capacity_providers": (("cluster_name",), (), None),
    "aws_ecs_task_definition": (
        (
            "container_definitions",
            "cpu",
            "enable_fault_injection",
            "ephemeral_storage",
            "execution_role_arn",
            "family",
            "ipc_mode",
            "memory",
            "network_mode",
            "pid_mode",
            "placement_constraints",
            "proxy_configuration",
            "requires_compatibilities",
            "runtime_platform",
            "task_role_arn",
            "volume",
        ),
        (),
        None,
    ),
    "aws_eks_access_entry": (("cluster_name", "principal_arn", "type"), (), None),
    "aws_eks_access_policy_association": (
        ("access_scope", "access_scope.namespaces", "access_scope.type", "cluster_name", "policy_arn", "principal_arn"),
        (),
        None,
    ),
    "aws_eks_addon": (("addon_name", "cluster_name"), (), None),
    "aws_eks_cluster": (
        (
            "access_config.bootstrap_cluster_creator_admin_permissions",
            "bootstrap_self_managed_addons",
            "kubernetes_network_config.ip_family",
            "kubernetes_network_config.service_ipv4_cidr",
            "name",
            "outpost_config.control_plane_instance_type",
            "outpost_config.control_plane_placement.group_name",
            "remote_network_config",
            "remote_network_config.remote_node_networks.cidrs",
            "remote_network_config.remote_pod_networks.cidrs",
            "role_arn",
        ),
        ("compute_config.node_role_arn", "encryption_config"),
        "00555dc5b38f92abbfa230badea0ed0754cea81e",
    ),
    "aws_eks_node_group": (
        (
            "ami_type",
            "capacity_type",
            "cluster_name",
            "disk_size",
            "instance_types",
            "launch_template.id",
            "launch_template.name",
            "node_group_name",
            "node_group_name_prefix",
            "node_role_arn",
            "remote_access",
            "subnet_ids",
        ),
        (),
        None,
    ),
    "aws_eks_pod_identity_association": (("cluster_name", "namespace", "service_account"), (), None),
    "aws_iam_openid_connect_provider": (("url",), (), None),
    "aws_iam_role": (("name", "name_prefix", "path"), (), "0040ea6911af00bea2cca6dbb14e86829826ad8e"),
    "aws_iam_role_policy": (("name", "name_prefix", "role"), (), None),
    "aws_iam_role_policy_attachment": (("policy_arn", "role"), (), None),
    "aws_kms_alias": (("name", "name_prefix"), (), None),
    "aws_kms_key": (
        ("custom_key_store_id", "customer_master_key_spec", "key_usage", "multi_region", "xks_key_id"),
        (),
        None,
    ),
    "aws_db_instance": (
        (
            "availability_zone",
            "character_set_name",
            "custom_iam_instance_profile",
            "db_name",
            "engine",
            "identifier",
            "identifier_prefix",
            "kms_key_id",
            "nchar_character_set_name",
            "restore_to_point_in_time",
            "s3_import.bucket_name",
            "s3_import.bucket_prefix",
            "s3_import.ingestion_role",
            "s3_import.source_engine",
            "s3_import.source_engine_version",
            "snapshot_identifier",
            "storage_encrypted",
            "timezone",
            "username",
        ),
        (),
        "00e4b23838859616dd0ebc9d1fd9364c0f6bff22",
    ),
    "aws_db_parameter_group": (("description", "family", "name", "name_prefix"), (), None),
    "aws_db_subnet_group": (("name", "name_prefix"), (), None),
    "aws_s3_bucket": (("bucket", "bucket_prefix", "object_lock_enabled"), (), None),
    "aws_s3_bucket_lifecycle_configuration": (("bucket", "expected_bucket_owner"), (), None),
    "aws_s3_bucket_logging": (("bucket", "expected_bucket_owner"), (), None),
    "aws_s3_bucket_object_lock_configuration": (("bucket", "expected_bucket_owner", "object_lock_enabled"), (), None),
    "aws_s3_bucket_ownership_controls": (("bucket",), (), None),
    "aws_s3_bucket_policy": (("bucket",), (), None),
    "aws_s3_bucket_public_access_block": (("bucket",), (), None),
    "aws_s3_bucket_server_side_encryption_configuration": (("bucket", "expected_bucket_owner"), (), None),
    "aws_s3_bucket_versioning": (("bucket", "expected_bucket_owner"), (), None),
    "aws_vpc_security_group_egress_rule": (("security_group_id",), (), None),
    "aws_vpc_security_group_ingress_rule": (("security_group_id",), (), None),
}
