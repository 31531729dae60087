"""The account bootstrap program, run as the engine would under the plan's mocks."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.github_connection import GITHUB_CONNECTION_NAME
from components.pulumi_roles import PulumiRolesArgs, iam_resource_patterns
from infra.bootstrap import build_account, main, next_steps
from infra.config.account import load_account_config
from infra.config.stackfiles import load_stack
from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.plan.mocks import PlanMocks
from stagecraft.plan.runner import run_program
from stagecraft.rules._util import strings
from tests.shipped import shipped_plan_of

ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = ROOT / "bootstrap"
ACCOUNTS = {"amani-staging": ("123456789012", "staging"), "amani-production": ("210987654321", "production")}
GITHUB_ISSUER = "token.actions.githubusercontent.com"


def bootstrap(stack: str) -> Inventory:
    stack_file = load_stack(BOOTSTRAP, stack)
    config, secret_keys = stack_file.engine_config()
    return run_program(
        main,
        project=stack_file.project,
        stack=stack,
        config=config,
        secret_keys=secret_keys,
        mocks=PlanMocks(account_id=ACCOUNTS[stack][0]),
    )


def test_project_is_a_root_program_the_language_host_installs() -> None:
    project = yaml.safe_load((BOOTSTRAP / "Pulumi.yaml").read_text())
    assert project == {
        "name": "stagecraft-bootstrap",
        "description": project["description"],
        "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}},
    }
    assert (BOOTSTRAP / "__main__.py").read_text().endswith("from infra.bootstrap import main\n\nmain()\n")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pip's vendored pkg_resources
def test_requirements_install_the_repository_from_the_bootstrap_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsed as pip does with the bootstrap folder as working directory (what the Pulumi CLI does)."""
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    monkeypatch.chdir(BOOTSTRAP)
    parsed = list(parse_requirements("requirements.txt", session=PipSession()))
    reqs = [install_req_from_parsed_requirement(r) for r in parsed if not r.constraint]
    assert [(r.editable, r.link.file_path if r.link else None) for r in reqs] == [(True, str(ROOT))]
    # The versions come from the lock, without hashes (constraints.txt; tests/test_lock.py keeps it in step).
    assert {r.requirement.split("==")[0] for r in parsed if r.constraint} >= {"pulumi", "pulumi-aws", "pydantic"}
    # The repository's own dependencies come with it: pyproject.toml lists what ../requirements.txt pins.
    pyproject = (ROOT / "pyproject.toml").read_text()
    pinned = [line for line in (ROOT / "requirements.txt").read_text().splitlines() if "~=" in line]
    assert pinned and all(f'"{line}"' in pyproject for line in pinned)
    # Why not `-r ../requirements.txt`: its `-e .` resolves against the working directory, not the repository.
    (nested,) = [
        install_req_from_parsed_requirement(r)
        for r in parse_requirements(str(ROOT / "requirements.txt"), session=PipSession())
        if r.is_editable
    ]
    assert nested.link is not None and nested.link.file_path == str(BOOTSTRAP)


@pytest.mark.parametrize("stack", sorted(ACCOUNTS))
def test_shipped_stacks_create_the_account_foundation(stack: str) -> None:
    account, stage = ACCOUNTS[stack]
    inv = bootstrap(stack)
    by_type = inv.type_counts()
    assert by_type["aws:s3/bucket:Bucket"] == 1 and by_type["aws:kms/key:Key"] == 1
    assert by_type["aws:iam/openIdConnectProvider:OpenIdConnectProvider"] == 1
    assert by_type["aws:iam/role:Role"] == 2  # only this account's stage: stages never share a role
    prefix = f"amani-backend-{stage}"
    assert {r.inputs["name"] for r in inv.of_type("aws:iam/role:Role")} == {
        f"{prefix}-pulumi-deploy",
        f"{prefix}-pulumi-preview",
    }
    outputs = inv.outputs
    assert outputs["state_bucket"] == f"stagecraft-state-{account}-us-east-1"
    assert outputs["backend_url"] == f"s3://stagecraft-state-{account}-us-east-1?region=us-east-1&awssdk=v2"
    assert outputs["secrets_provider"] == "awskms://alias/stagecraft-secrets?region=us-east-1"
    assert outputs["oidc_provider_arn"] == f"arn:aws:iam::{account}:oidc-provider/{GITHUB_ISSUER}"
    assert outputs["stages"] == {
        prefix: {
            "environment": stage,
            "preview_environment": f"{stage}-preview",
            "pulumi_deploy_role_arn": f"arn:aws:iam::{account}:role/{prefix}-pulumi-deploy",
            "pulumi_preview_role_arn": f"arn:aws:iam::{account}:role/{prefix}-pulumi-preview",
        }
    }
    assert outputs["next_steps"].splitlines()[1:3] == [
        f"pulumi login '{outputs['backend_url']}'",
        f"pulumi stack init {stage} --secrets-provider='{outputs['secrets_provider']}'",
    ]


def test_stateful_resources_are_protected_and_the_key_is_the_accounts_only() -> None:
    inv = bootstrap("amani-staging")
    protected = sorted(r.type for r in inv.resources if r.protect and r.retain_on_delete)
    assert protected == [
        "aws:codeconnections/connection:Connection",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "aws:kms/alias:Alias",
        "aws:kms/key:Key",
        "aws:s3/bucket:Bucket",
    ]
    key = inv.one("aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True and key.inputs["deletionWindowInDays"] == 30
    statements = json.loads(key.inputs["policy"])["Statement"]
    assert [s["Principal"] for s in statements] == [{"AWS": "arn:aws:iam::123456789012:root"}]
    assert inv.one("aws:kms/alias:Alias").inputs["name"] == "alias/stagecraft-secrets"
    sse = inv.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    key_arn = inv.outputs["secrets_key_arn"]
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == key_arn
    lifecycle = inv.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert lifecycle.inputs["rules"][0]["noncurrentVersionExpiration"] == {"noncurrentDays": 90}
    provider = inv.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["url"] == f"https://{GITHUB_ISSUER}"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]


def test_roles_trust_the_accounts_provider_created_here() -> None:
    inv = bootstrap("amani-production")
    for role in inv.of_type("aws:iam/role:Role"):
        (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert statement["Principal"] == {"Federated": f"arn:aws:iam::210987654321:oidc-provider/{GITHUB_ISSUER}"}
        environment = "production-preview" if role.inputs["name"].endswith("preview") else "production"
        assert statement["Condition"]["StringEquals"][f"{GITHUB_ISSUER}:sub"] == (
            f"repo:amani-labs/amani-backend:environment:{environment}"
        )


def test_next_steps_text() -> None:
    config = load_account_config(
        "amani-staging",
        {
            "aws:region": "us-east-1",
            "aws:allowedAccountIds": ["123456789012"],
            "stagecraft:account": {
                "stages": [
                    {"app": "amani-backend", "stage": "staging", "repository": "amani-labs/amani-backend"},
                    {"app": "amani-backend", "stage": "qa", "repository": "amani-labs/amani-backend"},
                ]
            },
        },
    )
    backend = "s3://stagecraft-state-123456789012-us-east-1?region=us-east-1&awssdk=v2"
    provider = "awskms://alias/stagecraft-secrets?region=us-east-1"
    repo = "amani-labs/amani-backend"

    def stage(name: str) -> list[str]:
        return [
            f"# amani-backend {name} (account 123456789012, us-east-1): in the stage project (the repository root), "
            "before any `pulumi config set`",
            f"pulumi login '{backend}'",
            f"pulumi stack init {name} --secrets-provider='{provider}'",
            f"# after its first `pulumi up`: the writer App on {name}, the reader App on {name}-preview",
            f"gh variable set STAGECRAFT_APP_ID --repo {repo} --env {name} --body '<writer App client id>'",
            f"gh secret set STAGECRAFT_APP_PRIVATE_KEY --repo {repo} --env {name} < '<writer App private key .pem>'",
            f"gh variable set STAGECRAFT_READER_APP_ID --repo {repo} --env {name}-preview "
            "--body '<reader App client id>'",
            f"gh secret set STAGECRAFT_READER_APP_PRIVATE_KEY --repo {repo} --env {name}-preview "
            "< '<reader App private key .pem>'",
        ]

    # The App keys go on environments, never on the repository, where every workflow could read them.
    connection = [
        "# once per account, before any stage's first `pulumi up`: approve the GitHub connection "
        "'stagecraft-github' (PENDING until then) as an owner of amani-labs (docs/components/runner.md)",
        "# console: https://us-east-1.console.aws.amazon.com/codesuite/settings/connections?region=us-east-1 "
        "> the connection > Update pending connection > install or choose the AWS Connector for GitHub app",
    ]
    assert next_steps(config) == [*stage("staging"), *stage("qa"), *connection]
    assert not any("--env" not in line for line in next_steps(config) if line.startswith("gh "))


# --- the deploy role can create its stage -------------------------------------------------------------------

IAM_KINDS = {
    "aws:iam/role:Role": "role",
    "aws:iam/policy:Policy": "policy",
    "aws:iam/instanceProfile:InstanceProfile": "instance-profile",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "oidc-provider",
}


def iam_arn(resource: RecordedResource, account: str) -> str:
    """The ARN the engine would create: the given name, a name prefix + suffix, or the auto-name.

    Pulumi auto-names are the logical name, '-' and random hex
    (https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/sdk/go/common/resource/resource_id.go#L98-L128).
    """
    kind = IAM_KINDS[resource.type]
    if kind == "oidc-provider":
        name = str(resource.inputs["url"]).removeprefix("https://")
    elif resource.inputs.get("name"):
        name = str(resource.inputs["name"])
    elif resource.inputs.get("namePrefix"):
        name = f"{resource.inputs['namePrefix']}0123456789abcdef"
    else:
        name = f"{resource.name}-1a2b3c4"
    path = str(resource.inputs.get("path") or "/") if kind != "oidc-provider" else "/"
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


def stage_iam(stage: str) -> tuple[str, list[RecordedResource]]:
    result = shipped_plan_of(ROOT, stage)
    account = result.stage_config.account_ids[0]
    return account, [r for r in result.inventory.resources if r.type in IAM_KINDS]


def deploy_patterns(stack: str) -> dict[str, list[str]]:
    config = load_account_config(stack, load_stack(BOOTSTRAP, stack).values)
    (stage,) = config.settings.stages
    names = config.stage_names(stage)
    args = PulumiRolesArgs(
        prefix=names.prefix,
        preview_role_name=names.pulumi_preview_role,
        deploy_role_name=names.pulumi_deploy_role,
        account_id=config.account_id,
        region=config.region,
        additional_regions=tuple(stage.additional_regions),
        oidc_provider_arn="arn",
        repository_owner=stage.owner,
        repository=stage.repository_name,
        environment=stage.environment_name,
        preview_environment=f"{stage.environment_name}-preview",
        state_bucket_arn=config.names.state_bucket_arn,
        secrets_key_arn="arn",
        secrets_key_alias_arn=config.names.secrets_key_alias_arn,
        stack=stage.stage,
    )
    return iam_resource_patterns(args)


def _uncovered(stack: str) -> list[str]:
    account, stage = ACCOUNTS[stack]
    planned_account, resources = stage_iam(stage)
    assert planned_account == account  # the bootstrap stack is the stage's account
    patterns = [p for group in deploy_patterns(stack).values() for p in group]
    arns = [iam_arn(r, account) for r in resources]
    assert len(arns) >= 6
    return [arn for arn in arns if not any(fnmatchcase(arn, p) for p in patterns)]


@pytest.mark.parametrize("stack", sorted(ACCOUNTS))
def test_the_deploy_role_may_create_every_iam_name_of_its_stage(stack: str) -> None:
    # The stage creates no GitHub OIDC provider (the bootstrap does), so every IAM name is the deploy role's.
    assert _uncovered(stack) == []


def test_the_iam_arn_rules_match_what_the_mocks_auto_name() -> None:
    _, resources = stage_iam("staging")
    role = next(r for r in resources if r.name == "amani-backend-staging-node-role")
    assert iam_arn(role, "1").startswith("arn:aws:iam::1:role/amani-backend-staging-node-role-")
    eks: Any = next(r for r in resources if r.name == "amani-backend-staging-oidc")
    assert fnmatchcase(iam_arn(eks, "1"), "arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/*")


# --- the account's GitHub connection (the stages' in-VPC runners) --------------------------------------------


@pytest.mark.parametrize("stack", sorted(ACCOUNTS))
def test_bootstrap_creates_exactly_one_protected_github_connection(stack: str) -> None:
    inv = bootstrap(stack)
    connection = inv.one("aws:codeconnections/connection:Connection")
    assert connection.inputs["name"] == GITHUB_CONNECTION_NAME
    assert connection.inputs["providerType"] == "GitHub"
    assert connection.protect and connection.retain_on_delete
    assert inv.outputs["github_connection_arn"].startswith(
        f"arn:aws:codeconnections:us-east-1:{ACCOUNTS[stack][0]}:connection/"
    )
    assert f"approve the GitHub connection '{GITHUB_CONNECTION_NAME}'" in inv.outputs["next_steps"]


def test_an_account_without_runners_can_skip_the_connection() -> None:
    stage = {"app": "amani-backend", "stage": "staging", "repository": "amani-labs/amani-backend"}
    raw = {"stages": [stage], "github_connection": False}
    config = load_account_config(
        "amani-staging",
        {"aws:region": "us-east-1", "aws:allowedAccountIds": ["123456789012"], "stagecraft:account": raw},
    )
    inv = run_program(
        lambda: build_account(config), project="stagecraft-bootstrap", stack="amani-staging", mocks=PlanMocks()
    )
    assert inv.of_type("aws:codeconnections/connection:Connection") == []
    assert "github_connection_arn" not in inv.outputs
    assert not any("GitHub connection" in line for line in next_steps(config))


@pytest.mark.parametrize("stack", sorted(ACCOUNTS))
def test_the_pulumi_roles_reach_the_state_of_every_layer_they_deploy(stack: str) -> None:
    """The deploy workflow runs the stage (root project) and its cluster layer (cluster/) as the stage's deploy
    role; the DIY backend keys state and locks by project and stack, so both projects must be granted."""
    _, stage = ACCOUNTS[stack]
    projects = [yaml.safe_load((ROOT / d / "Pulumi.yaml").read_text())["name"] for d in (".", "cluster")]
    inv = bootstrap(stack)
    policies = [json.loads(p.inputs["policy"]) for p in inv.of_type("aws:iam/rolePolicy:RolePolicy")]
    resources = {r for doc in policies for st in doc["Statement"] for r in strings(st.get("Resource"))}
    for project in projects:
        assert any(r.endswith(f"/.pulumi/stacks/{project}/{stage}.json*") for r in resources), project
        assert any(f"/.pulumi/locks/organization/{project}/{stage}/" in r for r in resources), project
