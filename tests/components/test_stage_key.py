from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from components.errors import ComponentInputError
from components.stage_key import StageKey, StageKeyArgs
from tests.conftest import RunProgram

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"


def _program(name: str, args: StageKeyArgs) -> Callable[[], None]:
    def program() -> None:
        StageKey(name, args)

    return program


def _args(**overrides: object) -> StageKeyArgs:
    base: dict[str, object] = {
        "alias_name": "alias/stagecraft-staging",
        "account_id": "123456789012",
        "region": "us-east-1",
        "tags": {"stage": "staging"},
    }
    base.update(overrides)
    return StageKeyArgs(**base)  # type: ignore[arg-type]


def test_key_rotates_has_long_deletion_window_and_alias(run: RunProgram) -> None:
    inv = run(_program("stg", _args()))
    key = inv.one(KEY, "stg-key")
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    assert key.inputs["tags"] == {"stage": "staging"}
    alias = inv.one(ALIAS, "stg-alias")
    assert alias.inputs["name"] == "alias/stagecraft-staging"
    assert key.urn in alias.dependencies
    assert alias.inputs["targetKeyId"].count("-") == 4  # the key's id, not its ARN
    assert not key.protect and not key.retain_on_delete


def test_protect_sets_protect_and_retain_on_key(run: RunProgram) -> None:
    inv = run(_program("prd", _args(protect=True)))
    key = inv.one(KEY)
    assert key.protect and key.retain_on_delete


def test_policy_names_its_principals_and_never_everyone(run: RunProgram) -> None:
    inv = run(_program("stg", _args(region="eu-west-1")))
    policy = json.loads(inv.one(KEY).inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert list(by_sid) == [
        "AccountRootAdministers",
        "CloudWatchLogsOfThisAccount",
        "CloudWatchLogsDescribeKey",
        "AutoScalingServiceLinkedRoleUse",
        "AutoScalingServiceLinkedRoleGrants",
    ]
    # The root statement hands the decision to the account's IAM policies (the stage roles' own policies).
    root = by_sid["AccountRootAdministers"]
    assert (root["Principal"], root["Action"], root["Resource"]) == (
        {"AWS": "arn:aws:iam::123456789012:root"},
        "kms:*",
        "*",
    )
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        assert "*" not in json.dumps(statement["Principal"]), statement["Sid"]
        assert "kms:ViaService" not in json.dumps(statement)
    logs = by_sid["CloudWatchLogsOfThisAccount"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Action"] == ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"]
    assert logs["Condition"] == {
        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*"}
    }
    # DescribeKey requests carry no encryption context: under the condition above the grant would never apply.
    describe = by_sid["CloudWatchLogsDescribeKey"]
    assert describe["Principal"] == logs["Principal"]
    assert describe["Action"] == "kms:DescribeKey" and "Condition" not in describe


def test_without_node_volumes_the_autoscaling_role_is_not_named(run: RunProgram) -> None:
    inv = run(_program("stg", _args(autoscaling_service_role=False)))
    sids = [s["Sid"] for s in json.loads(inv.one(KEY).inputs["policy"])["Statement"]]
    assert sids == ["AccountRootAdministers", "CloudWatchLogsOfThisAccount", "CloudWatchLogsDescribeKey"]


def test_outputs(run: RunProgram) -> None:
    seen: dict[str, object] = {}

    def program() -> None:
        key = StageKey("stg", _args())
        key.key_arn.apply(lambda v: seen.setdefault("arn", v))
        key.alias_name.apply(lambda v: seen.setdefault("alias", v))

    run(program)
    assert str(seen["arn"]).startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert seen["alias"] == "alias/stagecraft-staging"


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        (
            "stagecraft-staging",
            "StageKey: alias_name='stagecraft-staging' is invalid: kms-alias 'stagecraft-staging' does not "
            "match the rule: 'alias/' followed by letters, digits, '/', '_' and '-', not under 'alias/aws/'",
        ),
        (
            "alias/aws/rds",
            "StageKey: alias_name='alias/aws/rds' is invalid: kms-alias 'alias/aws/rds' does not match the "
            "rule: 'alias/' followed by letters, digits, '/', '_' and '-', not under 'alias/aws/'",
        ),
    ],
)
def test_alias_validation(alias: str, message: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        StageKey("bad", _args(alias_name=alias))
    assert str(err.value) == message


def test_autoscaling_service_linked_role_may_use_the_key_for_node_volumes(run: RunProgram) -> None:
    inv = run(_program("stg", _args()))
    by_sid = {s["Sid"]: s for s in json.loads(inv.one(KEY).inputs["policy"])["Statement"]}
    role = "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
    use = by_sid["AutoScalingServiceLinkedRoleUse"]
    assert use["Principal"] == {"AWS": role} and "Condition" not in use
    assert use["Action"] == ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    grants = by_sid["AutoScalingServiceLinkedRoleGrants"]
    assert grants["Principal"] == {"AWS": role} and grants["Action"] == "kms:CreateGrant"
    assert grants["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}
