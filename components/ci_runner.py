"""Ephemeral GitHub Actions runners inside a VPC: a CodeBuild project with a webhook on queued workflow jobs.

A job that says ``runs-on: codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}`` starts a
fresh CodeBuild container in the given private subnets, which registers itself as a just-in-time runner,
runs that one job and is gone (https://docs.aws.amazon.com/codebuild/latest/userguide/action-runner-overview.html,
https://docs.aws.amazon.com/codebuild/latest/userguide/action-runner-questions.html). Its security group is
admitted on 443 to the EKS cluster security group, so the job reaches a private Kubernetes API endpoint
(https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.iam import service_trust
from components.log_retention import check_log_retention

_COMPONENT = "CiRunner"

PROJECT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_]{1,149}")
"""CodeBuild project names: 2-150 letters, digits, '-' and '_', starting with a letter or digit
(https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html#CodeBuild-CreateProject-request-name)."""

COMPUTE_TYPES: tuple[str, ...] = ("BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE")
"""On-demand EC2 compute types offered (3, 7 and 15 GB of memory); the larger and GPU types cost 2-10x more
per minute and a Pulumi run does not need them
(https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-compute-types.html)."""

IMAGES: tuple[str, ...] = (
    "aws/codebuild/amazonlinux-x86_64-standard:5.0",
    "aws/codebuild/standard:7.0",
)
"""Curated x86_64 Linux images the runner supports (Amazon Linux 2023, Ubuntu 22.04); both run as
``LINUX_CONTAINER`` (https://docs.aws.amazon.com/codebuild/latest/userguide/sample-github-action-runners-update-yaml.images.html)."""

TIMEOUT_MINUTES = (5, 120)
"""Allowed build timeouts. CodeBuild accepts 5-2160 minutes; a runner that lives longer than two hours is not
ephemeral any more, so the range stops there."""

QUEUED_TIMEOUT_MINUTES = 30
"""How long a job may wait for capacity before CodeBuild gives up (CodeBuild's default is 8 hours)."""

WORKFLOW_JOB_QUEUED = "WORKFLOW_JOB_QUEUED"
"""The webhook event that starts one runner per queued job (GitHub and GitHub Enterprise only)."""

_CONNECTION_ARN = re.compile(r"arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection/.+")
_REPOSITORY_URL = re.compile(r"https://github\.com/[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")


@dataclass(frozen=True, kw_only=True)
class CiRunnerArgs:
    """Inputs of :class:`CiRunner`."""

    project_name: str
    """Physical CodeBuild project name; jobs select it with ``runs-on: codebuild-<project_name>-...``."""
    repository_url: str
    """The GitHub repository whose workflow jobs the runner serves, ``https://github.com/<owner>/<name>``."""
    connection_arn: pulumi.Input[str]
    """ARN of an AVAILABLE CodeConnections (or CodeStar Connections) GitHub connection that reaches the
    repository: CodeBuild authenticates to GitHub with the tokens it vends."""
    vpc_id: pulumi.Input[str]
    """The VPC the runner's network interfaces are created in."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets (with a NAT route to GitHub and the AWS APIs) for the runner's network interfaces."""
    cluster_security_group_id: pulumi.Input[str]
    """The EKS cluster security group; it gets an ingress rule admitting TCP 443 from the runner."""
    kms_key_arn: pulumi.Input[str]
    """The stage key: encrypts the build log group."""
    region: str
    """The region of the project and subnets (for the ARNs its role is scoped to)."""
    account_id: str
    """The account of the project and subnets (for the ARNs its role is scoped to)."""
    compute_type: str = "BUILD_GENERAL1_SMALL"
    """One of :data:`COMPUTE_TYPES`."""
    image: str = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
    """One of :data:`IMAGES`."""
    timeout_minutes: int = 30
    """Build timeout: a job still running after this is stopped (within :data:`TIMEOUT_MINUTES`)."""
    log_retention_days: int = 90
    """Retention of the build log group; a value CloudWatch Logs accepts."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for every taggable resource."""


class CiRunner(pulumi.ComponentResource):
    """A CodeBuild project hosting ephemeral GitHub Actions runners in private subnets, its webhook, its
    security group (admitted on 443 to the EKS cluster), its service role and its encrypted log group."""

    project_name: pulumi.Output[str]
    """The CodeBuild project name (the ``runs-on`` label's middle part)."""
    project_arn: pulumi.Output[str]
    """The CodeBuild project ARN."""
    security_group_id: pulumi.Output[str]
    """The runner's security group."""
    role_arn: pulumi.Output[str]
    """The CodeBuild service role: every job on the runner can use its credentials, so it holds only what
    CodeBuild needs (its logs, network interfaces in the subnets, the connection's tokens)."""

    def __init__(self, name: str, args: CiRunnerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:compute:CiRunner", name, None, opts)
        validate_ci_runner_args(args)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        log_group_name = f"/aws/codebuild/{args.project_name}"

        # -- network ------------------------------------------------------------------------------
        security_group = aws.ec2.SecurityGroup(
            f"{name}-runner-sg",
            vpc_id=args.vpc_id,
            description=f"CodeBuild GitHub Actions runners of {args.project_name}: HTTPS out only",
            tags=tags,
            opts=child,
        )
        # HTTPS is all a runner needs: GitHub (jobs, actions, OIDC tokens), the AWS APIs (through NAT or the
        # stage's interface endpoints) and the cluster API. No DNS rule: security groups do not filter traffic
        # to the Amazon-provided DNS resolver
        # (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html).
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-runner-https",
            security_group_id=security_group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
            description="HTTPS to GitHub, the AWS APIs and the cluster API",
            tags=tags,
            opts=child,
        )
        # The cluster security group admits only itself by default: a private endpoint is unreachable from
        # the runner without this rule (https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html).
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-runner-to-cluster",
            security_group_id=args.cluster_security_group_id,
            referenced_security_group_id=security_group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description=f"Kubernetes API from the CI runners of {args.project_name}",
            tags=tags,
            opts=child,
        )

        # -- identity and logs --------------------------------------------------------------------
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-runner-logs",
            name=log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            tags=tags,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-runner-role",
            assume_role_policy=service_trust(
                "codebuild.amazonaws.com", {"StringEquals": {"aws:SourceAccount": args.account_id}}
            ),
            description=f"CodeBuild service role of the CI runners {args.project_name}",
            tags=tags,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-runner-access",
            role=role.id,
            policy=pulumi.Output.json_dumps(runner_policy(args, log_group_name, security_group.id)),
            opts=child,
        )

        # -- project and webhook ------------------------------------------------------------------
        # CodeBuild checks the VPC configuration with the service role when the project is created, so the
        # role's policy must exist first (https://github.com/aws/aws-cdk/issues/2651, fix aws/aws-cdk#2662).
        project = aws.codebuild.Project(
            f"{name}-runner",
            name=args.project_name,
            description=f"Ephemeral GitHub Actions runners in the VPC for {args.repository_url}",
            service_role=role.arn,
            build_timeout=args.timeout_minutes,
            queued_timeout=QUEUED_TIMEOUT_MINUTES,
            artifacts=aws.codebuild.ProjectArtifactsArgs(type="NO_ARTIFACTS"),
            # Nothing outlives a job: no cache (it could carry credentials or checkouts into the next job).
            cache=aws.codebuild.ProjectCacheArgs(type="NO_CACHE"),
            environment=aws.codebuild.ProjectEnvironmentArgs(
                type="LINUX_CONTAINER",
                compute_type=args.compute_type,
                image=args.image,
                image_pull_credentials_type="CODEBUILD",
                privileged_mode=False,
            ),
            source=aws.codebuild.ProjectSourceArgs(
                type="GITHUB",
                location=args.repository_url,
                git_clone_depth=1,
                auth=aws.codebuild.ProjectSourceAuthArgs(type="CODECONNECTIONS", resource=args.connection_arn),
            ),
            vpc_config=aws.codebuild.ProjectVpcConfigArgs(
                vpc_id=args.vpc_id, subnets=args.subnet_ids, security_group_ids=[security_group.id]
            ),
            logs_config=aws.codebuild.ProjectLogsConfigArgs(
                cloudwatch_logs=aws.codebuild.ProjectLogsConfigCloudwatchLogsArgs(
                    status="ENABLED", group_name=log_group.name
                ),
                s3_logs=aws.codebuild.ProjectLogsConfigS3LogsArgs(status="DISABLED"),
            ),
            tags=tags,
            opts=child.merge(pulumi.ResourceOptions(depends_on=[policy, log_group])),
        )
        # CreateWebhook registers the repository's workflow-job events through the connection, so the
        # connection must be AVAILABLE (approved once in the console) before this is created.
        aws.codebuild.Webhook(
            f"{name}-runner-webhook",
            project_name=project.name,
            build_type="BUILD",
            filter_groups=[
                aws.codebuild.WebhookFilterGroupArgs(
                    filters=[aws.codebuild.WebhookFilterGroupFilterArgs(type="EVENT", pattern=WORKFLOW_JOB_QUEUED)]
                )
            ],
            opts=child,
        )

        # -- outputs ------------------------------------------------------------------------------
        self.project_name = project.name
        self.project_arn = project.arn
        self.security_group_id = security_group.id
        self.role_arn = role.arn
        self.register_outputs(
            {
                "project_name": self.project_name,
                "project_arn": self.project_arn,
                "security_group_id": self.security_group_id,
                "role_arn": self.role_arn,
            }
        )


def validate_ci_runner_args(args: CiRunnerArgs) -> None:
    """Raise :class:`ComponentInputError` for the first argument CodeBuild, EC2 or CloudWatch would reject."""
    if not PROJECT_NAME.fullmatch(args.project_name):
        raise ComponentInputError(
            _COMPONENT,
            "project_name",
            args.project_name,
            "2-150 letters, digits, '-' and '_', starting with a letter or digit",
        )
    if not _REPOSITORY_URL.fullmatch(args.repository_url) or args.repository_url.endswith(".git"):
        raise ComponentInputError(
            _COMPONENT, "repository_url", args.repository_url, "'https://github.com/<owner>/<name>' without '.git'"
        )
    if isinstance(args.connection_arn, str) and not _CONNECTION_ARN.fullmatch(args.connection_arn):
        raise ComponentInputError(
            _COMPONENT,
            "connection_arn",
            args.connection_arn,
            "a CodeConnections connection ARN, arn:aws:codeconnections:<region>:<account>:connection/<id>",
        )
    if args.compute_type not in COMPUTE_TYPES:
        raise ComponentInputError(_COMPONENT, "compute_type", args.compute_type, f"one of {', '.join(COMPUTE_TYPES)}")
    if args.image not in IMAGES:
        raise ComponentInputError(_COMPONENT, "image", args.image, f"one of {', '.join(IMAGES)}")
    low, high = TIMEOUT_MINUTES
    if not low <= args.timeout_minutes <= high:
        raise ComponentInputError(_COMPONENT, "timeout_minutes", args.timeout_minutes, f"{low}-{high} minutes")
    if not (len(args.account_id) == 12 and args.account_id.isdigit()):
        raise ComponentInputError(_COMPONENT, "account_id", args.account_id, "a 12-digit AWS account id")
    if not re.fullmatch(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d", args.region):
        raise ComponentInputError(_COMPONENT, "region", args.region, "an AWS region name such as 'us-east-1'")
    check_log_retention(_COMPONENT, "log_retention_days", args.log_retention_days)


def runner_policy(
    args: CiRunnerArgs,
    log_group_name: str,
    security_group_id: pulumi.Input[str],
) -> dict[str, Any]:
    """The service role's permissions: the CodeBuild-in-a-VPC list, each action as narrow as IAM allows.

    The network-interface actions are the ones CodeBuild documents for a project in a VPC
    (https://docs.aws.amazon.com/codebuild/latest/userguide/auth-and-access-control-iam-identity-based-access-control.html#customer-managed-policies-example-create-vpc-network-interface);
    the ``Describe*`` actions accept only ``"*"``, the create and delete actions are scoped to the
    subnets and the runner's security group (IAM service authorization reference for EC2). The connection
    actions are the ones CodeBuild documents for GitHub App connections
    (https://docs.aws.amazon.com/codebuild/latest/userguide/connections-github-app.html); their prefix
    follows the ARN's service, as IAM requires.
    """
    ec2 = f"arn:aws:ec2:{args.region}:{args.account_id}"
    subnet_arns = pulumi.Output.from_input(args.subnet_ids).apply(lambda ids: [f"{ec2}:subnet/{i}" for i in ids])
    group = f"arn:aws:logs:{args.region}:{args.account_id}:log-group:{log_group_name}"
    connection = pulumi.Output.from_input(args.connection_arn)
    service = connection.apply(lambda arn: arn.split(":")[2])
    in_subnets = {"StringEquals": {"ec2:Subnet": subnet_arns}}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteBuildLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [f"{group}:*"],
            },
            {
                "Sid": "DescribeTheNetwork",
                "Effect": "Allow",
                "Action": [
                    "ec2:DescribeDhcpOptions",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                    "ec2:DescribeVpcs",
                ],
                "Resource": "*",
            },
            {
                "Sid": "CreateInterfacesInTheSubnets",
                "Effect": "Allow",
                "Action": ["ec2:CreateNetworkInterface"],
                "Resource": pulumi.Output.all(subnet_arns, security_group_id).apply(
                    lambda v: [f"{ec2}:network-interface/*", *v[0], f"{ec2}:security-group/{v[1]}"]
                ),
            },
            {
                "Sid": "DeleteInterfacesInTheSubnets",
                "Effect": "Allow",
                "Action": ["ec2:DeleteNetworkInterface"],
                "Resource": [f"{ec2}:network-interface/*"],
                "Condition": in_subnets,
            },
            {
                "Sid": "LetCodeBuildUseTheInterfaces",
                "Effect": "Allow",
                "Action": ["ec2:CreateNetworkInterfacePermission"],
                "Resource": [f"{ec2}:network-interface/*"],
                "Condition": {
                    "StringEquals": {"ec2:Subnet": subnet_arns, "ec2:AuthorizedService": "codebuild.amazonaws.com"}
                },
            },
            {
                "Sid": "UseTheGitHubConnection",
                "Effect": "Allow",
                "Action": service.apply(lambda s: [f"{s}:GetConnectionToken", f"{s}:GetConnection"]),
                "Resource": [connection],
            },
        ],
    }
