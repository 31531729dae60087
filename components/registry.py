"""One ECR repository of a stage: immutable tags (moving tags excepted), scanned, KMS-encrypted, pruned."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.errors import ComponentInputError
from components.naming import name_problems

COMPONENT = "Registry"

KEEP_COUNT = 20_000
"""Count of a "keep" rule: the default images-per-repository quota, so the rule can never expire anything.

https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
"""

PUSH_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
)
PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")

_TAG_FILTER = re.compile(r"[A-Za-z0-9._*-]{1,128}")


@dataclass(frozen=True, kw_only=True)
class RegistryArgs:
    """Inputs of :class:`Registry`. Day values follow seed 001's retention (90 / 30 / 7, releases kept)."""

    repository_name: str
    """ECR repository name, e.g. ``stagecraft/api``."""
    stage: str
    """The stage name; ``<stage>-*`` tags get the stage retention and ``<stage>-latest`` stays mutable."""
    kms_key_arn: pulumi.Input[str]
    """The stage key; ECR encryption cannot change after creation."""
    push_principal_arns: Sequence[pulumi.Input[str]]
    """Principals that push and pull (the stage's deploy role). At least one."""
    pull_principal_arns: Sequence[pulumi.Input[str]] = ()
    """Principals that only pull (the stage's compute roles)."""
    moving_tags: tuple[str, ...] | None = None
    """Mutable tags (WILDCARD filters), kept by the lifecycle; default ``latest`` and ``<stage>-latest``."""
    release_tag_patterns: tuple[str, ...] = ("v*",)
    """Release tags, never expired."""
    commit_tag_prefixes: tuple[str, ...] = ("main-", "prod-")
    """Prefixes of commit-SHA tags (seed 001 pushes ``main-<sha>`` and ``prod-<sha>``)."""
    commit_tag_days: int = 90
    """Days after push when commit-SHA tagged images expire."""
    stage_tag_days: int = 30
    """Days after push when ``<stage>-*`` tagged images expire (not above ``commit_tag_days``)."""
    untagged_days: int = 7
    """Days after push when untagged images expire (not above ``stage_tag_days``)."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags for the repository."""
    protect: bool = False
    """Pulumi ``protect`` and ``retain_on_delete`` on the repository."""


def lifecycle_policy(args: RegistryArgs) -> dict[str, Any]:
    """The single lifecycle policy document, rules in ascending priority.

    ECR evaluates rules from the lowest priority number up and an image matched by the tag selection of
    a rule is never expired by a lower-priority rule
    (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html#lifecycle_policy_evaluation).
    So "keep" rules come first: they match release and moving tags with a count that can never be
    exceeded. Merely having no rule match ``v*`` is not enough: an image tagged both ``v1.2.3`` and
    ``main-<sha>`` would be expired by the commit rule, and expiring an image removes all of its tags.
    ``tagPatternList`` (wildcards) is used, not ``tagPrefixList``; several entries in one list mean
    "all of them", so each pattern gets its own rule.
    """
    rules: list[dict[str, Any]] = []

    def add(description: str, selection: dict[str, Any]) -> None:
        rules.append(
            {
                "rulePriority": len(rules) + 1,
                "description": description,
                "selection": selection,
                "action": {"type": "expire"},
            }
        )

    def since(days: int) -> dict[str, Any]:
        return {"countType": "sinceImagePushed", "countUnit": "days", "countNumber": days}

    keep = {"countType": "imageCountMoreThan", "countNumber": KEEP_COUNT}
    for pattern in args.release_tag_patterns:
        add(f"Keep release tags {pattern}", {"tagStatus": "tagged", "tagPatternList": [pattern], **keep})
    for tag in _moving_tags(args):
        add(f"Keep moving tag {tag}", {"tagStatus": "tagged", "tagPatternList": [tag], **keep})
    add(
        f"Expire {args.stage}-* tags after {args.stage_tag_days} days",
        {"tagStatus": "tagged", "tagPatternList": [f"{args.stage}-*"], **since(args.stage_tag_days)},
    )
    for prefix in args.commit_tag_prefixes:
        add(
            f"Expire commit tags {prefix}* after {args.commit_tag_days} days",
            {"tagStatus": "tagged", "tagPatternList": [f"{prefix}*"], **since(args.commit_tag_days)},
        )
    add(
        f"Expire untagged images after {args.untagged_days} days",
        {"tagStatus": "untagged", **since(args.untagged_days)},
    )
    return {"rules": rules}


def repository_policy(push: Sequence[str], pull: Sequence[str]) -> dict[str, Any]:
    """Repository policy: push principals push and pull; pull principals pull."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "StagePush",
            "Effect": "Allow",
            "Principal": {"AWS": list(push)},
            "Action": list(PUSH_ACTIONS),
        }
    ]
    if pull:
        statements.append(
            {
                "Sid": "StagePull",
                "Effect": "Allow",
                "Principal": {"AWS": list(pull)},
                "Action": list(PULL_ACTIONS),
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


class Registry(pulumi.ComponentResource):
    """An ECR repository with tag immutability, scan on push, KMS encryption, lifecycle and access policy."""

    repository_name: pulumi.Output[str]
    repository_url: pulumi.Output[str]
    repository_arn: pulumi.Output[str]

    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        _validate(args)
        super().__init__("stagecraft:data:Registry", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        repo = aws.ecr.Repository(
            f"{name}-repository",
            name=args.repository_name,
            image_tag_mutability="IMMUTABLE_WITH_EXCLUSION",
            image_tag_mutability_exclusion_filters=[
                aws.ecr.RepositoryImageTagMutabilityExclusionFilterArgs(filter=tag, filter_type="WILDCARD")
                for tag in _moving_tags(args)
            ],
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            encryption_configurations=[
                aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=args.kms_key_arn)
            ],
            force_delete=False,
            tags=dict(args.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect),
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=repo.name,
            policy=json.dumps(lifecycle_policy(args)),
            # The provider cannot update a lifecycle policy (`policy` is ForceNew, there is no Update), and the
            # policy is the repository's singleton: created before the old one is deleted, the replacement would
            # be Put and then removed by the old one's DeleteLifecyclePolicy on the same repository.
            # https://github.com/hashicorp/terraform-provider-aws/blob/00a35305dc1b297a6fcdecdfbba33f1e63c3da39/internal/service/ecr/lifecycle_policy.go#L36-L64
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )
        push = pulumi.Output.all(*args.push_principal_arns)
        pull = pulumi.Output.all(*args.pull_principal_arns)
        aws.ecr.RepositoryPolicy(
            f"{name}-policy",
            repository=repo.name,
            policy=pulumi.Output.all(push, pull).apply(lambda pp: json.dumps(repository_policy(pp[0], pp[1]))),
            opts=child,
        )

        self.repository_name = repo.name
        self.repository_url = repo.repository_url
        self.repository_arn = repo.arn
        self.register_outputs(
            {
                "repository_name": self.repository_name,
                "repository_url": self.repository_url,
                "repository_arn": self.repository_arn,
            }
        )


def _moving_tags(args: RegistryArgs) -> tuple[str, ...]:
    return args.moving_tags if args.moving_tags is not None else ("latest", f"{args.stage}-latest")


def _validate(args: RegistryArgs) -> None:
    problems = name_problems("ecr-repository", args.repository_name)
    if problems:
        raise ComponentInputError(COMPONENT, "repository_name", args.repository_name, "; ".join(problems))
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,100}", args.stage):
        raise ComponentInputError(COMPONENT, "stage", args.stage, "1-100 of letters, digits and '._-'")
    if not args.push_principal_arns:
        raise ComponentInputError(
            COMPONENT, "push_principal_arns", [], "at least one principal (the stage deploy role) must push"
        )
    for tag in (*_moving_tags(args), *args.release_tag_patterns):
        if not _TAG_FILTER.fullmatch(tag) or tag.count("*") > 2:
            raise ComponentInputError(
                COMPONENT,
                "moving_tags" if tag in _moving_tags(args) else "release_tag_patterns",
                tag,
                "1-128 of letters, digits and '._*-', with at most 2 '*' wildcards",
            )
    for prefix in args.commit_tag_prefixes:
        if not re.fullmatch(r"[A-Za-z0-9._-]{1,127}", prefix):
            raise ComponentInputError(
                COMPONENT, "commit_tag_prefixes", prefix, "1-127 of letters, digits and '._-' (no wildcards)"
            )
    for argument in ("commit_tag_days", "stage_tag_days", "untagged_days"):
        days = getattr(args, argument)
        if days < 1:
            raise ComponentInputError(COMPONENT, argument, days, "at least 1 day")
    if args.stage_tag_days > args.commit_tag_days:
        raise ComponentInputError(
            COMPONENT,
            "stage_tag_days",
            args.stage_tag_days,
            f"not above commit_tag_days ({args.commit_tag_days}): stage builds live shorter than commits",
        )
    if args.untagged_days > args.stage_tag_days:
        raise ComponentInputError(
            COMPONENT,
            "untagged_days",
            args.untagged_days,
            f"not above stage_tag_days ({args.stage_tag_days}): untagged layers go first",
        )
