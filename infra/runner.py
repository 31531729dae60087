"""The stage's ephemeral in-VPC GitHub Actions runner, from ``stagecraft:stage.runner``.

Jobs that need the private network (the cluster layer's Kubernetes objects, behind a private or
office-only EKS endpoint) run on it with
``runs-on: codebuild-<app>-<stage>-runner-${{ github.run_id }}-${{ github.run_attempt }}``; see
docs/components/runner.md.
"""

from __future__ import annotations

from typing import Protocol

import pulumi
import pulumi_aws as aws

from components.ci_runner import CiRunner, CiRunnerArgs
from components.github_connection import GITHUB_CONNECTION_NAME
from components.network import Network
from infra.compute import EksStage
from infra.config.runner import runner_enabled, runner_retention
from infra.context import StageContext

CONNECTION_AVAILABLE = "AVAILABLE"


class HasKeyArn(Protocol):
    """The stage key as the builder needs it (``components.stage_key.StageKey`` satisfies it)."""

    @property
    def key_arn(self) -> pulumi.Output[str]:
        """ARN of the stage's KMS key."""
        ...


def build_runner(ctx: StageContext, network: Network, eks: EksStage | None, key: HasKeyArn) -> CiRunner | None:
    """The CodeBuild-hosted runner in the private subnets, or ``None`` without EKS or with ``runner.enabled``
    false (config validation already refused ``true`` without EKS).

    The GitHub connection is the account bootstrap's (:data:`GITHUB_CONNECTION_NAME`), found by name.
    """
    settings = ctx.config.settings
    if eks is None or not runner_enabled(settings):
        return None
    runner = settings.runner
    connection = lookup_connection()
    return CiRunner(
        ctx.name,
        CiRunnerArgs(
            project_name=ctx.names.runner_project,
            repository_url=f"https://github.com/{settings.repository}",
            connection_arn=connection.arn,
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids,
            cluster_security_group_id=eks.cluster.cluster_security_group_id,
            kms_key_arn=key.key_arn,
            region=ctx.config.region,
            account_id=ctx.account_id,
            compute_type=runner.compute_type,
            image=runner.image,
            timeout_minutes=runner.timeout_minutes,
            log_retention_days=runner_retention(settings),
            tags=ctx.tags,
        ),
    )


def lookup_connection() -> pulumi.Output[aws.codestarconnections.GetConnectionResult]:
    """The account's GitHub connection, by name; warns while it still waits for its console approval.

    pulumi-aws has no ``codeconnections`` data source; the CodeStar Connections one reads the same
    connections (the service was renamed; both APIs serve them).
    """
    found = aws.codestarconnections.get_connection_output(name=GITHUB_CONNECTION_NAME)
    found.connection_status.apply(_warn_unless_available)
    return found


def _warn_unless_available(status: str) -> None:
    if status != CONNECTION_AVAILABLE:
        pulumi.log.warn(
            f"the GitHub connection {GITHUB_CONNECTION_NAME!r} is {status}, not {CONNECTION_AVAILABLE}: approve it "
            "once in the console (Developer Tools > Settings > Connections; docs/components/runner.md) or the "
            "runner's webhook cannot be created"
        )
