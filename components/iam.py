"""IAM policy documents shared by the components (written with ``json.dumps``, never the typed SDK form).

The typed ``aws.iam.PolicyDocumentArgs`` fails to serialize list values (an SDK bug, see
../shared/reference/provider-facts.md section 11), so every document here is plain JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def service_trust(service: str, condition: Mapping[str, Any] | None = None) -> str:
    """A trust policy letting one AWS service principal (``ecs-tasks.amazonaws.com``) assume the role.

    ``condition`` narrows it, e.g. ``{"StringEquals": {"aws:SourceAccount": account}}`` against the
    confused-deputy problem.
    """
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = dict(condition)
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
