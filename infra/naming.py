"""Every physical name (and predictable ARN) of a stage, derived in one place from app, stage and account.

Names are deterministic so a stage's resources can be found, granted and audited by name, and so the
deploy role's permissions can name resources that are created after it. Each name is checked against the
service's rules (``components.naming``); :func:`longest_names` proves the rules hold for the longest
app and stage names the config accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.naming import name_problems
from infra.config.stage import APP_NAME_MAX, STAGE_NAME_MAX


@dataclass(frozen=True)
class StageNames:
    """Physical names and ARNs of one stage's resources."""

    app: str
    stage: str
    account_id: str
    region: str

    @property
    def prefix(self) -> str:
        """``<app>-<stage>``: the start of every name."""
        return f"{self.app}-{self.stage}"

    @property
    def key_alias(self) -> str:
        """The stage KMS key's alias."""
        return f"alias/{self.prefix}"

    @property
    def ecs_cluster(self) -> str:
        """The ECS cluster."""
        return self.prefix

    @property
    def ecs_cluster_arn(self) -> str:
        """ARN of the ECS cluster."""
        return f"arn:aws:ecs:{self.region}:{self.account_id}:cluster/{self.ecs_cluster}"

    @property
    def eks_cluster(self) -> str:
        """The EKS cluster."""
        return self.prefix

    @property
    def eks_cluster_arn(self) -> str:
        """ARN of the EKS cluster."""
        return f"arn:aws:eks:{self.region}:{self.account_id}:cluster/{self.eks_cluster}"

    def registry(self, repository: str) -> str:
        """The ECR repository for one configured repository name."""
        return f"{self.prefix}/{repository}"

    def registry_arn(self, repository: str) -> str:
        """ARN of that ECR repository."""
        return f"arn:aws:ecr:{self.region}:{self.account_id}:repository/{self.registry(repository)}"

    @property
    def database(self) -> str:
        """The RDS instance identifier."""
        return f"{self.prefix}-pg"

    @property
    def database_arn(self) -> str:
        """ARN of the RDS instance."""
        return f"arn:aws:rds:{self.region}:{self.account_id}:db:{self.database}"

    @property
    def backup_bucket(self) -> str:
        """The backup bucket (S3 names are global, so the account id keeps it unique)."""
        return f"{self.prefix}-backups-{self.account_id}"

    @property
    def backup_bucket_arn(self) -> str:
        """ARN of the backup bucket."""
        return f"arn:aws:s3:::{self.backup_bucket}"

    @property
    def backup_replica_bucket(self) -> str:
        """The cross-region replica of the backup bucket, when replication is configured."""
        return f"{self.prefix}-replica-{self.account_id}"

    @property
    def backup_replication_role(self) -> str:
        """The role S3 replicates the backup bucket as, when replication is configured."""
        return f"{self.prefix}-backup-replication"

    @property
    def deploy_role(self) -> str:
        """The GitHub-OIDC deploy role the application's pipeline assumes (push images, roll out)."""
        return f"{self.prefix}-deploy"

    @property
    def pulumi_deploy_role(self) -> str:
        """The role ``pulumi up`` of this stage runs as in CI (created by the account bootstrap)."""
        return f"{self.prefix}-pulumi-deploy"

    @property
    def pulumi_deploy_role_arn(self) -> str:
        """ARN of :attr:`pulumi_deploy_role`."""
        return f"arn:aws:iam::{self.account_id}:role/{self.pulumi_deploy_role}"

    @property
    def pulumi_preview_role(self) -> str:
        """The read-only role ``pulumi preview`` of this stage runs as in CI (created by the account bootstrap)."""
        return f"{self.prefix}-pulumi-preview"

    @property
    def pulumi_preview_role_arn(self) -> str:
        """ARN of :attr:`pulumi_preview_role`."""
        return f"arn:aws:iam::{self.account_id}:role/{self.pulumi_preview_role}"

    @property
    def runner_project(self) -> str:
        """The CodeBuild project hosting the stage's ephemeral in-VPC GitHub Actions runners.

        Jobs select it with ``runs-on: codebuild-<runner_project>-${{ github.run_id }}-${{ github.run_attempt }}``.
        """
        return f"{self.prefix}-runner"

    @property
    def preview_environment_suffix(self) -> str:
        """Suffix of the GitHub environment previews of the stage run in (``<environment>-preview``)."""
        return "-preview"

    @property
    def account(self) -> AccountNames:
        """The account-level names (state bucket, secrets key, OIDC provider) the bootstrap creates."""
        return AccountNames(account_id=self.account_id, region=self.region)

    @property
    def app_secrets_arn(self) -> str:
        """ARN pattern of the app's Secrets Manager secrets, named ``<app>-<stage>/<name>`` (ARNs end in a
        random suffix, hence the wildcard). The RDS-managed master secret (``rds!db-...``) is not among them."""
        return f"arn:aws:secretsmanager:{self.region}:{self.account_id}:secret:{self.prefix}/*"

    @property
    def app_parameters_arn(self) -> str:
        """ARN pattern of the app's SSM parameters under ``/<app>-<stage>/``."""
        return f"arn:aws:ssm:{self.region}:{self.account_id}:parameter/{self.prefix}/*"

    @property
    def namespace(self) -> str:
        """The stage's default Kubernetes namespace, ``<app>-<stage>`` as seeds 000 and 004 name them."""
        return self.prefix

    def checks(self, repositories: tuple[str, ...] = ("app",)) -> list[tuple[str, str]]:
        """``(kind, name)`` for every name this stage derives, to check against the service rules."""
        return [
            ("kms-alias", self.key_alias),
            ("ecs-cluster", self.ecs_cluster),
            ("eks-cluster", self.eks_cluster),
            ("rds-identifier", self.database),
            ("rds-identifier", f"{self.database}-final"),
            ("iam-role", f"{self.database}-rds-monitoring"),
            ("s3-bucket", self.backup_bucket),
            ("s3-bucket", self.backup_replica_bucket),
            ("iam-role", self.deploy_role),
            ("iam-role", self.pulumi_deploy_role),
            ("iam-role", self.pulumi_preview_role),
            ("k8s-namespace", self.namespace),
            ("log-group", f"/aws/eks/{self.eks_cluster}/cluster"),
            *[("ecr-repository", self.registry(r)) for r in repositories],
        ]

    def problems(self, repositories: tuple[str, ...] = ("app",)) -> list[str]:
        """What is wrong with any derived name (empty when every name is valid)."""
        return [p for kind, name in self.checks(repositories) for p in name_problems(kind, name)]


@dataclass(frozen=True)
class MigrationNames:
    """Physical names of the migration identities, derived from the stage's names like every other name."""

    names: StageNames

    @property
    def family(self) -> str:
        """The migration task definition family, ``<app>-<stage>-migrate`` (within the ``<app>-<stage>-*``
        families the deploy role may register)."""
        return f"{self.names.prefix}-migrate"

    @property
    def family_arn(self) -> str:
        """Every revision of :attr:`family` (what ``ecs:RunTask`` is scoped to)."""
        return f"arn:aws:ecs:{self.names.region}:{self.names.account_id}:task-definition/{self.family}:*"

    @property
    def task_role(self) -> str:
        """The ECS migration task role."""
        return f"{self.names.prefix}-migrate"

    @property
    def task_role_arn(self) -> str:
        """ARN of :attr:`task_role` (the deploy role may pass it, before it exists)."""
        return f"arn:aws:iam::{self.names.account_id}:role/{self.task_role}"

    @property
    def log_group(self) -> str:
        """The migration task's log group."""
        return f"/ecs/{self.family}"

    @property
    def log_group_arn(self) -> str:
        """ARN of :attr:`log_group`'s streams (the pipeline reads the task's output)."""
        return f"arn:aws:logs:{self.names.region}:{self.names.account_id}:log-group:{self.log_group}:*"

    @property
    def pod_role(self) -> str:
        """The EKS Pod Identity role of the migration Job."""
        return f"{self.names.prefix}-migrate-pod"

    def checks(self) -> list[tuple[str, str]]:
        """``(kind, name)`` for each name, for the service rules (``components.naming``)."""
        return [("iam-role", self.task_role), ("iam-role", self.pod_role), ("log-group", self.log_group)]


@dataclass(frozen=True)
class AccountNames:
    """Names of what the account bootstrap creates once per AWS account, derived from account and region.

    Stages, workflows and ``stagecraft`` derive them instead of passing them around: the state bucket and
    the secrets key exist before any stage stack does, so nothing can be read from a stage's outputs.
    """

    account_id: str
    region: str

    @property
    def state_bucket(self) -> str:
        """The S3 bucket holding the Pulumi state of every stack in the account (S3 names are global)."""
        return f"stagecraft-state-{self.account_id}-{self.region}"

    @property
    def state_bucket_arn(self) -> str:
        """ARN of :attr:`state_bucket`."""
        return f"arn:aws:s3:::{self.state_bucket}"

    @property
    def backend_url(self) -> str:
        """What ``pulumi login`` takes for :attr:`state_bucket`."""
        return f"s3://{self.state_bucket}?region={self.region}&awssdk=v2"

    @property
    def secrets_key_alias(self) -> str:
        """Alias of the KMS key that encrypts the stacks' secrets (``awskms://`` secrets provider)."""
        return "alias/stagecraft-secrets"

    @property
    def secrets_key_alias_arn(self) -> str:
        """ARN of :attr:`secrets_key_alias`."""
        return f"arn:aws:kms:{self.region}:{self.account_id}:{self.secrets_key_alias}"

    @property
    def secrets_provider(self) -> str:
        """What ``pulumi stack init --secrets-provider`` takes (and writes into the stack file)."""
        return f"awskms://{self.secrets_key_alias}?region={self.region}"

    @property
    def oidc_provider_arn(self) -> str:
        """The account's GitHub Actions OIDC identity provider (one per account; IAM fixes its ARN)."""
        return f"arn:aws:iam::{self.account_id}:oidc-provider/token.actions.githubusercontent.com"

    def checks(self) -> list[tuple[str, str]]:
        """``(kind, name)`` for every name the bootstrap derives."""
        return [("s3-bucket", self.state_bucket), ("kms-alias", self.secrets_key_alias)]


def longest_names() -> StageNames:
    """The names of the longest app and stage names the config allows, in a 12-digit account."""
    return StageNames(app="a" * APP_NAME_MAX, stage="s" * STAGE_NAME_MAX, account_id="9" * 12, region="ap-southeast-2")
