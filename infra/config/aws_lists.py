"""Real AWS lists the config is checked against, shipped as dated data (``aws_lists.json``).

A typo'd region or instance class would otherwise pass validation and fail only when AWS is called. The data
comes from the pinned cfn-lint's bundled AWS data (``tools/gen_aws_lists.py`` writes it; a test keeps it in
step with the installed cfn-lint): its ``source`` says which release.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from infra.config.errors import yaml_value

_PATH = Path(__file__).with_name("aws_lists.json")


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_PATH.read_text(encoding="utf-8"))
    return data


def source() -> str:
    """Where the lists come from (release and links)."""
    return str(_data()["source"])


def release() -> str:
    """The data's release, as messages cite it (``cfn-lint 1.58.0 data``)."""
    return source().split(" bundled")[0] + " data"


# The regions of each partition other than ``aws``, as the AWS SDKs' partition data matches them (``regionRegex``):
# https://github.com/boto/botocore/blob/develop/botocore/data/partitions.json
_OTHER_PARTITIONS = {
    "aws-cn": r"cn-\w+-\d+",
    "aws-us-gov": r"us-gov-\w+-\d+",
    "aws-iso": r"us-iso-\w+-\d+",
    "aws-iso-b": r"us-isob-\w+-\d+",
    "aws-iso-e": r"eu-isoe-\w+-\d+",
    "aws-iso-f": r"us-isof-\w+-\d+",
    "aws-eusc": r"eusc-de-\w+-\d+",
}


def partition(region: str) -> str:
    """The partition of ``region`` (``aws``, ``aws-cn``, ``aws-us-gov``, ...)."""
    return next((name for name, regex in _OTHER_PARTITIONS.items() if re.fullmatch(regex, region)), "aws")


@cache
def regions() -> tuple[str, ...]:
    """Every region of the ``aws`` partition: the components write ``arn:aws:`` ARNs, so a stage, its replica and
    its account's other regions are all there (one set of credentials does not span partitions either)."""
    return tuple(region for region in _data()["regions"] if partition(region) == "aws")


def region_problem(region: str) -> str | None:
    """Why ``region`` is not a region a stage can use, or ``None``."""
    if region in regions():
        return None
    allowed = f"allowed: the {len(regions())} regions of the aws partition in {release()}"
    if region in _data()["regions"]:
        return (
            f"{yaml_value(region)} is a region of the {partition(region)} partition; {allowed} (stagecraft writes "
            "arn:aws: ARNs)"
        )
    return f"{yaml_value(region)} is not an AWS region{closest(region, regions())}; {allowed}"


def postgres_instance_classes(region: str) -> tuple[str, ...] | None:
    """The RDS for PostgreSQL instance classes of ``region``; ``None`` when the data has none for it."""
    classes = _data()["postgres_instance_classes"].get(region)
    return tuple(classes) if classes else None


def postgres_engine_versions() -> tuple[str, ...]:
    """Every RDS for PostgreSQL engine version (``17``, ``17.2``, ...)."""
    return tuple(_data()["postgres_engine_versions"])


def closest(value: str, allowed: tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for the closest allowed value, or nothing."""
    match = difflib.get_close_matches(value, allowed, n=1)
    return f" (did you mean {yaml_value(match[0])}?)" if match else ""
