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
    def deploy_role(self) -> str:
        """The GitHub-OIDC deploy role."""
        return f"{self.prefix}-deploy"

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
            ("k8s-namespace", self.namespace),
            ("log-group", f"/aws/eks/{self.eks_cluster}/cluster"),
            *[("ecr-repository", self.registry(r)) for r in repositories],
        ]

    def problems(self, repositories: tuple[str, ...] = ("app",)) -> list[str]:
        """What is wrong with any derived name (empty when every name is valid)."""
        return [p for kind, name in self.checks(repositories) for p in name_problems(kind, name)]


def longest_names() -> StageNames:
    """The names of the longest app and stage names the config allows, in a 12-digit account."""
    return StageNames(app="a" * APP_NAME_MAX, stage="s" * STAGE_NAME_MAX, account_id="9" * 12, region="ap-southeast-2")
