from __future__ import annotations

import ipaddress
import shutil
from pathlib import Path

import pytest
import yaml

from stagecraft import cli
from stagecraft.new_stage import AVOIDED_CIDRS, NewStageError, create_stage, pick_cidr
from stagecraft.plan.build import plan_stack
from stagecraft.stacks import list_stacks
from tests.stagecraft.conftest import ROOT

SOURCE = """\
# Stage "staging" of shop (seed 001): deploys from `develop` without approval.
config:
  aws:region: eu-west-1
  # staging's own account
  aws:allowedAccountIds: ["123456789012"]
  github:owner: acme
  stagecraft:stage:
    profile: development
    app: shop
    repository: acme/shop
    network:
      cidr: 10.20.0.0/16   # staging's range
      reserved_cidrs: [10.2.0.0/16]
    registries:
      repositories: [api, worker]   # staging builds two images
    github:
      environment: staging
      secrets: [SECRET_KEY, SENTRY_DSN]
      variables:
        LOG_LEVEL: debug
  stagecraft:secrets:
    environment:
      SECRET_KEY:
        secure: v1:c2VjcmV0:placeholder
      SENTRY_DSN:
        secure: v1:c2VudHJ5:placeholder
"""
LEGACY_REPOSITORY_SECRETS = """\
    repository:
      CODECOV_TOKEN:
        secure: v1:Y29kZWNvdg==:placeholder
"""
BOOTSTRAP_NOTE = (
    "the account bootstrap creates the roles CI runs qa as: add {app: shop, stage: qa, repository: acme/shop} to "
    "stagecraft:account.stages of bootstrap/Pulumi.<account>.yaml and `pulumi up` it"
)
REPOSITORY_NOTE = (
    "the repository layer protects `qa` and creates the qa-preview environment: add them to "
    "stagecraft:repository.branches and .preview_environments of repository/Pulumi.<repository>.yaml "
    "(`stagecraft check` lists what is missing)"
)
EXPECTED = """\
# Stage "qa" of shop (profile development): deploys from `qa`.
# Written by `stagecraft new-stage qa --from staging`. Every key under stagecraft:stage is documented in
# docs/configuration.md; the development profile supplies every default not written here.
# No secret value is ever written here: each comes from `pulumi config set --secret --path
# 'stagecraft:secrets.environment.<NAME>' <value> --stack qa`, encrypted with the key below.
# The account's stack-secrets key (created by the account bootstrap, bootstrap/).
secretsprovider: awskms://alias/stagecraft-secrets?region=eu-west-1
config:
  aws:region: eu-west-1
  # The only AWS account this stage may deploy into (the provider refuses any other).
  aws:allowedAccountIds: ["123456789012"]
  github:owner: acme
  stagecraft:stage:
    profile: development
    app: shop
    repository: acme/shop
    # The VPC range: overlapping no other stage (`stagecraft check`) keeps peering possible.
    network:
      cidr: 10.3.0.0/16
      reserved_cidrs: [10.2.0.0/16]
    registries:
      repositories: [api, worker]
    # The GitHub environment qa: who may deploy, from where, its secrets and variables.
    github:
      secrets: [SECRET_KEY, SENTRY_DSN]
      variables:
        LOG_LEVEL: debug
      deploy_branch: qa
"""


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A project with one development stage, ``staging``, whose comments describe itself."""
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text((ROOT / "__main__.py").read_text())
    (tmp_path / "Pulumi.staging.yaml").write_text(SOURCE)
    return tmp_path


def _stage(path: Path) -> dict[str, object]:
    stage = yaml.safe_load(path.read_text())["config"]["stagecraft:stage"]
    assert isinstance(stage, dict)
    return stage


def test_new_stage_writes_the_template_and_prints_the_commands_in_order(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--cwd", str(shop), "new-stage", "qa", "--from", "staging"]) == 0
    path = shop / "Pulumi.qa.yaml"
    assert path.read_text() == EXPECTED
    resources = len(plan_stack(shop, "qa").inventory.resources)
    assert capsys.readouterr().out == (
        f"Wrote {path} (VPC 10.3.0.0/16); it plans {resources} resources.\n"
        "  note: github.environment of staging was not copied: the environment is named qa\n"
        f"  note: {BOOTSTRAP_NOTE}\n"
        f"  note: {REPOSITORY_NOTE}\n"
        "Next, in this order:\n"
        "  pulumi login 's3://stagecraft-state-123456789012-eu-west-1?region=eu-west-1&awssdk=v2'\n"
        "  pulumi stack init qa --secrets-provider='awskms://alias/stagecraft-secrets?region=eu-west-1'\n"
        "  pulumi config set --secret --path 'stagecraft:secrets.environment.SECRET_KEY' <value> --stack qa\n"
        "  pulumi config set --secret --path 'stagecraft:secrets.environment.SENTRY_DSN' <value> --stack qa\n"
        "  pulumi preview --stack qa\n"
    )
    capsys.readouterr()
    # No repository layer manages acme/shop yet: the note said so, and `stagecraft check` says it again.
    assert cli.main(["--cwd", str(shop), "check"]) == 1
    assert "which no repository stack manages" in capsys.readouterr().out


def test_declared_secret_names_come_first_and_repository_secrets_never(shop: Path) -> None:
    source = shop / "Pulumi.staging.yaml"
    # A source from before repository secrets left the stage still has some: they are never copied.
    text = source.read_text().replace("      secrets: [SECRET_KEY, SENTRY_DSN]\n", "      secrets: [API_TOKEN]\n")
    source.write_text(text + LEGACY_REPOSITORY_SECRETS)
    created = create_stage(shop, "qa", "staging", branch="release/qa")
    assert created.next_commands() == [
        "pulumi login 's3://stagecraft-state-123456789012-eu-west-1?region=eu-west-1&awssdk=v2'",
        "pulumi stack init qa --secrets-provider='awskms://alias/stagecraft-secrets?region=eu-west-1'",
        "pulumi config set --secret --path 'stagecraft:secrets.environment.API_TOKEN' <value> --stack qa",
        "pulumi preview --stack qa",
    ]
    text = created.path.read_text()
    assert "secure:" not in text and "stagecraft:secrets:" not in text and "CODECOV_TOKEN" not in text
    github = _stage(created.path)["github"]
    assert isinstance(github, dict)
    assert github["secrets"] == ["API_TOKEN"] and github["deploy_branch"] == "release/qa"


def test_a_production_file_describes_the_new_stage(project: Path) -> None:
    created = create_stage(project, "prod-eu", "production")
    text = created.path.read_text()
    assert text.startswith(
        '# Stage "prod-eu" of amani-backend (profile production): deploys from `prod-eu` and tags v*.\n'
        "# Written by `stagecraft new-stage prod-eu --from production`. Every key under stagecraft:stage is "
        "documented\n# in docs/configuration.md; the production profile supplies every default not written here, "
        "and its floors\n# cannot be lowered without an `acknowledge` entry.\n"
    )
    # nothing of the source's own description survives (its header, its comments naming it)
    for source_text in ('Stage "production"', "seed 001", "amani-backend-production", "Production runs in"):
        assert source_text not in text
    assert "secretsprovider: awskms://alias/stagecraft-secrets?region=us-east-1\n" in text
    assert "secure:" not in text and "stagecraft:secrets" not in text.replace("'stagecraft:secrets.environment", "")


def test_profile_and_cidr_options(project: Path) -> None:
    created = create_stage(project, "perf", "production", profile="staging", cidr="10.99.0.0/16")
    stage = _stage(created.path)
    assert stage["profile"] == "staging"
    assert stage["network"] == {"cidr": "10.99.0.0/16"}
    assert "profile set to staging; its defaults and floors apply" in created.notes


def test_a_chosen_cidr_in_a_collision_prone_range_is_allowed_with_a_note(project: Path) -> None:
    created = create_stage(project, "perf", "staging", cidr="172.31.0.0/16")
    assert created.notes[0] == (
        "--cidr 172.31.0.0/16 overlaps 172.16.0.0/12 (the default VPC (172.31.0.0/16), Docker (172.17.0.0/16 on) "
        "and EKS services (172.20.0.0/16)); expect collisions"
    )


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("staging", {}, "already exists; refusing to overwrite it"),
        ("Q_A", {}, "stage name 'Q_A' cannot name a stage"),
        ("qa", {"cidr": "10.20.0.0/20"}, "--cidr 10.20.0.0/20 overlaps another stage's VPC (10.20.0.0/16)"),
        ("qa", {"cidr": "10.20.0.1/16"}, "--cidr '10.20.0.1/16' is not a valid IPv4 CIDR block"),
        ("qa", {"profile": "prod"}, "--profile 'prod' is not one of development, staging, production"),
    ],
)
def test_refusals(project: Path, name: str, kwargs: dict[str, str], message: str) -> None:
    before = sorted(p.name for p in project.iterdir())
    with pytest.raises(NewStageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create_stage(project, name, "staging", **kwargs)
    assert sorted(p.name for p in project.iterdir()) == before


def test_unknown_source(project: Path) -> None:
    with pytest.raises(NewStageError, match="no such stack file"):
        create_stage(project, "qa", "nope")


def test_cli_refusal_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--cwd", str(project), "new-stage", "staging", "--from", "production"]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err


def test_a_stage_that_does_not_plan_is_kept_as_rejected(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = shop / "Pulumi.staging.yaml"
    source.write_text(source.read_text().replace("app: shop", "app: Shop"))
    assert cli.main(["--cwd", str(shop), "new-stage", "qa", "--from", "staging"]) == 2
    problem = (
        "invalid stack configuration (1 problem(s)):\n"
        "  - stagecraft:stage.app: 'Shop' is not allowed: must be 2-20 lowercase letters, digits and '-', starting "
        "with a letter, not ending with '-' and without '--' (it is part of every AWS and Kubernetes name)"
    )
    assert capsys.readouterr().err == (
        "error: the new stage does not plan, so it was kept as Pulumi.qa.yaml.rejected with the errors at its top "
        f"(fix them, then rename it to Pulumi.qa.yaml):\n{problem}\n"
    )
    assert not (shop / "Pulumi.qa.yaml").exists()
    rejected = (shop / "Pulumi.qa.yaml.rejected").read_text()
    assert rejected == (
        "# Rejected: `stagecraft new-stage qa --from staging` wrote this file; it does not plan:\n"
        + "".join(f"#   {line}\n" for line in problem.splitlines())
        + "# Fix the errors, delete these comment lines and rename the file to Pulumi.qa.yaml.\n"
        + EXPECTED.replace("app: shop", "app: Shop").replace("of shop", "of Shop")
    )


def test_mandatory_findings_keep_the_file_and_exit_1(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = shop / "Pulumi.staging.yaml"
    source.write_text(
        source.read_text().replace("      cidr: 10.20", "      flow_logs_traffic: ACCEPT\n      cidr: 10.20")
    )
    assert cli.main(["--cwd", str(shop), "new-stage", "qa", "--from", "staging"]) == 1
    out = capsys.readouterr().out
    assert (
        "  mandatory: vpc-flow-logs: aws:ec2/flowLog:FlowLog shop-qa-flow-logs: trafficType is ACCEPT; "
        "REJECT or ALL required\n"
    ) in out
    assert out.endswith("  pulumi preview --stack qa\n") and (shop / "Pulumi.qa.yaml").exists()


def test_the_shipped_stages_copy_into_a_stage_that_plans(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROOT / "repository", project / "repository", ignore=shutil.ignore_patterns(".venv"))
    for name, source in (("qa", "staging"), ("dev", "staging"), ("prod-eu", "production")):
        profile = ["--profile", "development"] if name == "dev" else []
        assert cli.main(["--cwd", str(project), "new-stage", name, "--from", source, *profile]) == 0, (
            capsys.readouterr()
        )
    capsys.readouterr()
    # The new stages plan and do not conflict with each other; what is left is the repository layer's part,
    # exactly as the notes said: protect each new deploy branch and create each preview environment.
    assert cli.main(["--cwd", str(project), "check"]) == 1
    conflicts = sorted(
        line.split(":")[1].strip() for line in capsys.readouterr().out.splitlines() if line.startswith("conflict:")
    )
    assert conflicts == sorted([f"stage '{name}'" for name in ("dev", "prod-eu", "qa") for _ in range(2)])


def test_pick_cidr_skips_used_and_collision_prone_ranges() -> None:
    assert pick_cidr([]) == "10.2.0.0/16"
    used = [ipaddress.IPv4Network("10.2.0.0/15"), ipaddress.IPv4Network("10.4.0.0/16")]
    assert pick_cidr(used) == "10.5.0.0/16"
    assert pick_cidr([ipaddress.IPv4Network(f"10.{i}.0.0/16") for i in range(2, 100)]) == "10.101.0.0/16"
    assert [str(net) for net, _ in AVOIDED_CIDRS] == [
        "10.0.0.0/16",
        "10.1.0.0/16",
        "10.100.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
    ]


def test_source_only_parts_are_not_copied(shop: Path) -> None:
    source = shop / "Pulumi.staging.yaml"
    text = source.read_text().replace('  # staging\'s own account\n  aws:allowedAccountIds: ["123456789012"]\n', "")
    text = text.replace(
        "    registries:\n",
        "    acknowledge:\n      network.nat_gateways: staging saves the second NAT\n"
        "    database:\n      restore:\n        source_identifier: shop-old-pg\n    registries:\n",
    )
    source.write_text(text.replace("config:\n", "config:\n  github:token:\n    secure: v1:dG9rZW4=:placeholder\n"))
    created = create_stage(shop, "qa", "staging")
    assert created.notes == [
        "acknowledged weakenings of staging were not copied: a new stage meets every floor",
        "the database restore block of staging was not copied",
        "github.environment of staging was not copied: the environment is named qa",
        BOOTSTRAP_NOTE,
        REPOSITORY_NOTE,
        "aws:allowedAccountIds is not set: add the stage's account, then `pulumi login` to its state bucket",
        "secret config values of staging were not copied: github:token",
    ]
    assert created.next_commands()[0] == (
        "pulumi stack init qa --secrets-provider='awskms://alias/stagecraft-secrets?region=eu-west-1'"
    )
    stage = _stage(created.path)
    assert "acknowledge" not in stage and "database" not in stage
    assert "github:token" not in created.path.read_text()


def test_a_stage_with_eks_gets_its_cluster_stack_which_plans_and_joins_the_matrix(project: Path) -> None:
    """Without it `stagecraft stacks` refuses the stage: its Kubernetes objects would never be applied."""
    created = create_stage(project, "qa", "staging", cidr="10.60.0.0/16")
    assert created.cluster_path == project / "cluster" / "Pulumi.qa.yaml"
    assert "pulumi stack init qa --cwd cluster --secrets-provider=" in "\n".join(created.next_commands())
    result = plan_stack(project / "cluster", "qa")
    assert result.layer == "cluster" and result.config.stage.stage == "qa"  # type: ignore[union-attr]
    assert "qa" in [entry.cluster_stack for entry in list_stacks(project)]


def test_a_rejected_stage_leaves_no_cluster_stack(project: Path) -> None:
    created = create_stage(project, "qa", "staging", cidr="10.60.0.0/16")
    created.reject("error: example")
    assert not (project / "cluster" / "Pulumi.qa.yaml").exists()
    assert (project / "Pulumi.qa.yaml.rejected").exists()
