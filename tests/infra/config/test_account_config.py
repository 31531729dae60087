"""``stagecraft:account``: every problem with its full key, the value and what is allowed."""

from __future__ import annotations

from typing import Any

import pytest

from infra.config import ConfigError, aws_lists
from infra.config.account import load_account_config

A = "stagecraft:account"
STAGE = {"app": "amani-backend", "stage": "staging", "repository": "amani-labs/amani-backend"}


def values(**account: Any) -> dict[str, Any]:
    return {
        "aws:region": "us-east-1",
        "aws:allowedAccountIds": ["123456789012"],
        A: {"stages": [dict(STAGE)], **account},
    }


def problems(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        load_account_config("amani-staging", raw)
    return [str(p) for p in exc.value.problems]


def test_defaults_and_derived_names() -> None:
    config = load_account_config("amani-staging", values())
    assert config.settings.noncurrent_version_days == 90
    stage = config.settings.stages[0]
    assert stage.environment_name == "staging"
    assert (stage.owner, stage.repository_name) == ("amani-labs", "amani-backend")
    assert config.names.state_bucket == "stagecraft-state-123456789012-us-east-1"
    assert config.stage_names(stage).pulumi_deploy_role == "amani-backend-staging-pulumi-deploy"


def test_environment_overrides_the_stage_name() -> None:
    config = load_account_config("x", values(stages=[{**STAGE, "environment": "stg"}]))
    assert config.settings.stages[0].environment_name == "stg"


def test_unknown_keys_get_a_suggestion() -> None:
    raw = values(noncurrent_versions_days=30)
    raw["stagecraft:acount"] = {}
    raw[A]["stages"][0]["enviroment"] = "x"
    assert problems(raw) == [
        "stagecraft:account.noncurrent_versions_days: unknown key; did you mean 'noncurrent_version_days'?",
        "stagecraft:account.stages[0].enviroment: unknown key; did you mean 'environment'?",
        "stagecraft:acount: unknown key; did you mean 'stagecraft:account'?",
    ]


def test_the_account_is_required_and_exactly_one() -> None:
    raw = values()
    del raw["aws:allowedAccountIds"]
    assert problems(raw) == [
        "aws:allowedAccountIds: required key is missing; the bootstrap creates the account's state bucket and "
        'roles, so it names exactly one account: aws:allowedAccountIds: ["123456789012"]'
    ]
    raw["aws:allowedAccountIds"] = ["123456789012", "210987654321"]
    assert problems(raw) == [
        "aws:allowedAccountIds: ['123456789012', '210987654321'] is not allowed: one bootstrap stack per account, "
        "so exactly one id"
    ]
    raw["aws:allowedAccountIds"] = [123456789012]
    assert problems(raw) == [
        "aws:allowedAccountIds: [123456789012] is not allowed: must be a non-empty list of 12-digit AWS account "
        "ids, quoted as strings (an unquoted number loses leading zeros)"
    ]


def test_region_and_settings_are_required() -> None:
    assert problems({"aws:allowedAccountIds": ["123456789012"]}) == [
        "aws:region: required key is missing; set it with `pulumi config set aws:region us-east-1`",
        "stagecraft:account: required key is missing; it lists the stages of this account (see bootstrap/)",
    ]
    assert problems({**values(), A: ["x"], "aws:region": "Virginia"}) == [
        "aws:region: 'Virginia' is not an AWS region name (example: us-east-1)",
        "stagecraft:account: ['x'] is not allowed: must be a mapping of settings",
    ]
    assert problems(values(stages=[])) == [
        "stagecraft:account.stages: [] is not allowed: list should have at least 1 item after validation, not 0"
    ]


def test_bad_names() -> None:
    bad = {"app": "Amani", "stage": "a-very-long-stage-name", "repository": "amani-labs", "environment": "prod*"}
    assert problems(values(stages=[bad])) == [
        "stagecraft:account.stages[0].app: 'Amani' is not allowed: must be 2-20 lowercase letters, digits and "
        "'-', starting with a letter, not ending with '-' and without '--' (the stage's app name, part of its "
        "role names)",
        "stagecraft:account.stages[0].environment: 'prod*' is not allowed: must be 1-247 letters, digits, '.', "
        "'_' and '-' (it is matched literally in the roles' trust policies)",
        "stagecraft:account.stages[0].repository: 'amani-labs' is not allowed: must be a GitHub repository as "
        "'owner/name', e.g. 'amani-labs/amani-backend'",
        # 16 characters keep '<app>-<stage>-pulumi-preview' within IAM's 64 (20 + 1 + 16 + 15 = 52).
        "stagecraft:account.stages[0].stage: 'a-very-long-stage-name' is not allowed: cannot name a stage: use "
        "2-16 lowercase letters, digits and '-', starting with a letter, not ending with '-' and without '--' "
        "(it becomes part of AWS and Kubernetes names)",
    ]


def test_duplicate_stages_and_shared_environments() -> None:
    raw = values(
        stages=[
            STAGE,
            {**STAGE, "repository": "amani-labs/other"},
            {**STAGE, "stage": "qa", "environment": "staging"},
        ]
    )
    assert problems(raw) == [
        "stagecraft:account.stages[1]: stage 'staging' of app 'amani-backend' is already listed as stages[0]; "
        "each stage once (its role names would collide)",
        "stagecraft:account.stages[2].environment: 'staging' of amani-labs/amani-backend is already the "
        "environment of stages[0]; each environment deploys one stage (a role trusts exactly one environment)",
    ]


def test_additional_regions() -> None:
    raw = values(
        stages=[{**STAGE, "additional_regions": ["eu-central-1", "us-east-1", "eu-central-1", "mars", "cn-north-1"]}]
    )
    assert problems(raw) == [
        "stagecraft:account.stages[0].additional_regions[1]: 'us-east-1' is listed twice (aws:region is always "
        "included)",
        "stagecraft:account.stages[0].additional_regions[2]: 'eu-central-1' is listed twice (aws:region is always "
        "included)",
        "stagecraft:account.stages[0].additional_regions[3]: 'mars' is not an AWS region name (example: us-east-1)",
        "stagecraft:account.stages[0].additional_regions[4]: 'cn-north-1' is a region of the aws-cn partition; "
        f"allowed: the {len(aws_lists.regions())} regions of the aws partition in {aws_lists.release()} "
        "(stagecraft writes arn:aws: ARNs)",
    ]


def test_retention_days_bounds() -> None:
    assert problems(values(noncurrent_version_days=0)) == [
        "stagecraft:account.noncurrent_version_days: 0 is not allowed: input should be greater than or equal to 1"
    ]
    assert load_account_config("x", values(noncurrent_version_days=3650)).settings.noncurrent_version_days == 3650


def test_one_github_connection_reaches_one_owner() -> None:
    other = {"app": "shop", "stage": "staging", "repository": "shop-labs/shop"}
    raw = values()
    raw[A]["stages"].append(other)
    assert problems(raw) == [
        f"{A}.github_connection: true is not allowed with stages of several GitHub owners (amani-labs, shop-labs): "
        "the account's one GitHub connection reaches one owner's repositories; give each owner's stages their own "
        "account"
    ]
    raw[A]["github_connection"] = False
    assert load_account_config("amani-staging", raw).settings.github_connection is False
