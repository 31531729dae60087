"""Write ``infra/config/aws_lists.json``: the AWS regions, RDS for PostgreSQL instance classes per region and
PostgreSQL engine versions, from the data the pinned cfn-lint bundles (AWS's own CloudFormation registry
schemas and the RDS orderable options it extracts). Run ``python tools/gen_aws_lists.py`` after upgrading
cfn-lint; ``tests/infra/config/test_aws_lists.py`` fails while the file and the installed cfn-lint disagree.
"""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import cfnlint

DATA = Path(cfnlint.__file__).parent / "data" / "schemas"
OUT = Path(__file__).resolve().parents[1] / "infra" / "config" / "aws_lists.json"
ENGINE = "postgres"
REGION = r"[a-z]{2,4}(?:-[a-z]+)+-\d+"


def _postgres_classes(region_rules: dict[str, Any]) -> list[str]:
    classes: set[str] = set()
    for rule in region_rules.get("allOf", []):
        engine = rule.get("if", {}).get("properties", {}).get("Engine", {})
        if engine.get("const") == ENGINE:
            classes.update(rule["then"]["properties"]["DBInstanceClass"]["enum"])
    return sorted(classes)


def _postgres_versions(rules: dict[str, Any]) -> list[str]:
    for rule in rules.get("allOf", []):
        if rule.get("if", {}).get("properties", {}).get("Engine", {}).get("const") == ENGINE:
            return sorted(rule["then"]["properties"]["EngineVersion"]["enum"])
    raise SystemExit(f"cfn-lint {version('cfn-lint')} has no {ENGINE} engine versions")


def build() -> dict[str, Any]:
    """The document, from the installed cfn-lint's data."""
    rds = DATA / "extensions" / "aws_rds_dbinstance"
    classes = json.loads((rds / "dbinstanceclass_enum.json").read_text())
    # One schema file per region (and a few that are not regions, such as ``sam``).
    regions = sorted(p.stem for p in (DATA / "providers").glob("*.json") if re.fullmatch(REGION, p.stem))
    return {
        "source": f"cfn-lint {version('cfn-lint')} bundled data (data/schemas/providers, "
        "data/schemas/extensions/aws_rds_dbinstance): https://github.com/aws-cloudformation/cfn-lint",
        "regions": regions,
        "postgres_instance_classes": {r: _postgres_classes(classes.get(r, {})) for r in regions if r in classes},
        "postgres_engine_versions": _postgres_versions(json.loads((rds / "engine_version.json").read_text())),
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}")
