"""All rule cases, gathered from the per-area modules."""

from __future__ import annotations

from tests.stagecraft.rules import (
    cases_compute,
    cases_github,
    cases_identity,
    cases_kubernetes,
    cases_names,
    cases_network,
    cases_rds,
    cases_storage,
)
from tests.stagecraft.rules.builders import Case

CASES: list[Case] = [
    *cases_network.CASES,
    *cases_rds.CASES,
    *cases_storage.CASES,
    *cases_compute.CASES,
    *cases_kubernetes.CASES,
    *cases_identity.CASES,
    *cases_github.CASES,
    *cases_names.CASES,
]
