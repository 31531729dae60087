from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from components.errors import ComponentInputError
from components.registry import Registry, RegistryArgs
from tests.conftest import RunProgram

REPO = "aws:ecr/repository:Repository"
LIFECYCLE = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/abc"
DEPLOY = "arn:aws:iam::123456789012:role/staging-deploy"
NODES = "arn:aws:iam::123456789012:role/staging-nodes"


def _program(name: str, args: RegistryArgs) -> Callable[[], None]:
    def program() -> None:
        Registry(name, args)

    return program


def _args(**overrides: Any) -> RegistryArgs:
    base: dict[str, Any] = {
        "repository_name": "stagecraft/api",
        "stage": "staging",
        "kms_key_arn": KEY_ARN,
        "push_principal_arns": [DEPLOY],
        "pull_principal_arns": [NODES],
        "tags": {"stage": "staging"},
    }
    base.update(overrides)
    return RegistryArgs(**base)


def _rules(run: RunProgram, **overrides: Any) -> list[dict[str, Any]]:
    inv = run(_program("api", _args(**overrides)))
    rules: list[dict[str, Any]] = json.loads(inv.one(LIFECYCLE).inputs["policy"])["rules"]
    return rules


def test_repository_is_immutable_scanned_kms_encrypted(run: RunProgram) -> None:
    inv = run(_program("api", _args()))
    repo = inv.one(REPO, "api-repository").inputs
    assert repo["name"] == "stagecraft/api"
    assert repo["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert repo["imageTagMutabilityExclusionFilters"] == [
        {"filter": "latest", "filterType": "WILDCARD"},
        {"filter": "staging-latest", "filterType": "WILDCARD"},
    ]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": KEY_ARN}]
    assert repo["forceDelete"] is False
    assert repo["tags"] == {"stage": "staging"}
    assert len(inv.of_type(LIFECYCLE)) == 1


def test_protect_option(run: RunProgram) -> None:
    unprotected = run(_program("api", _args())).one(REPO)
    assert not unprotected.protect and not unprotected.retain_on_delete
    protected = run(_program("api", _args(protect=True))).one(REPO)
    assert protected.protect and protected.retain_on_delete


def test_lifecycle_rules_follow_seed_001_in_ascending_priority(run: RunProgram) -> None:
    rules = _rules(run)
    priorities = [r["rulePriority"] for r in rules]
    assert priorities == sorted(priorities) and len(set(priorities)) == len(priorities)
    summary = [
        (
            r["selection"]["tagStatus"],
            r["selection"].get("tagPatternList"),
            r["selection"]["countType"],
            r["selection"]["countNumber"],
        )
        for r in rules
    ]
    assert summary == [
        ("tagged", ["v*"], "imageCountMoreThan", 20000),
        ("tagged", ["latest"], "imageCountMoreThan", 20000),
        ("tagged", ["staging-latest"], "imageCountMoreThan", 20000),
        ("tagged", ["staging-*"], "sinceImagePushed", 30),
        ("tagged", ["main-*"], "sinceImagePushed", 90),
        ("tagged", ["prod-*"], "sinceImagePushed", 90),
        ("untagged", None, "sinceImagePushed", 7),
    ]
    for rule in rules:
        assert rule["action"] == {"type": "expire"}
        assert "tagPrefixList" not in rule["selection"]
        if rule["selection"]["countType"] == "sinceImagePushed":
            assert rule["selection"]["countUnit"] == "days"


def test_lifecycle_days_are_configurable(run: RunProgram) -> None:
    rules = _rules(
        run,
        commit_tag_days=120,
        stage_tag_days=14,
        untagged_days=1,
        commit_tag_prefixes=("sha-",),
        moving_tags=("edge",),
    )
    counts = {tuple(r["selection"].get("tagPatternList", ["<untagged>"])): r["selection"]["countNumber"] for r in rules}
    assert counts == {
        ("v*",): 20000,
        ("edge",): 20000,
        ("staging-*",): 14,
        ("sha-*",): 120,
        ("<untagged>",): 1,
    }


def test_repository_policy_push_and_pull(run: RunProgram) -> None:
    def program() -> None:
        Registry("api", _args(push_principal_arns=[pulumi.Output.from_input(DEPLOY)]))

    policy = json.loads(run(program).one(POLICY).inputs["policy"])
    push, pull = policy["Statement"]
    assert push["Principal"] == {"AWS": [DEPLOY]} and "ecr:PutImage" in push["Action"]
    assert pull["Principal"] == {"AWS": [NODES]}
    assert set(pull["Action"]) == {
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
    }
    assert all(s["Effect"] == "Allow" for s in policy["Statement"])


def test_no_pull_statement_without_pull_principals(run: RunProgram) -> None:
    inv = run(_program("api", _args(pull_principal_arns=())))
    assert [s["Sid"] for s in json.loads(inv.one(POLICY).inputs["policy"])["Statement"]] == ["StagePush"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"repository_name": "Stagecraft/API"},
            "Registry: repository_name='Stagecraft/API' is invalid: ecr-repository 'Stagecraft/API' "
            "does not match the rule: lowercase path segments of letters and digits separated by "
            "'.', '_', '-' and '/'",
        ),
        ({"stage": "st age"}, "Registry: stage='st age' is invalid: 1-100 of letters, digits and '._-'"),
        (
            {"push_principal_arns": []},
            "Registry: push_principal_arns=[] is invalid: at least one principal (the stage deploy role) must push",
        ),
        (
            {"moving_tags": ("a*b*c*",)},
            "Registry: moving_tags='a*b*c*' is invalid: "
            "1-128 of letters, digits and '._*-', with at most 2 '*' wildcards",
        ),
        (
            {"release_tag_patterns": ("v 1",)},
            "Registry: release_tag_patterns='v 1' is invalid: "
            "1-128 of letters, digits and '._*-', with at most 2 '*' wildcards",
        ),
        (
            {"commit_tag_prefixes": ("main*",)},
            "Registry: commit_tag_prefixes='main*' is invalid: 1-127 of letters, digits and '._-' (no wildcards)",
        ),
        ({"commit_tag_days": 0}, "Registry: commit_tag_days=0 is invalid: at least 1 day"),
        ({"untagged_days": 0}, "Registry: untagged_days=0 is invalid: at least 1 day"),
        (
            {"stage_tag_days": 100},
            "Registry: stage_tag_days=100 is invalid: not above commit_tag_days (90): stage builds live "
            "shorter than commits",
        ),
        (
            {"untagged_days": 31},
            "Registry: untagged_days=31 is invalid: not above stage_tag_days (30): untagged layers go first",
        ),
    ],
)
def test_validation_messages(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        Registry("bad", _args(**overrides))
    assert str(err.value) == message
