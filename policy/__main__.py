"""The Stagecraft CrossGuard pack.

Run ``pulumi preview --policy-pack policy --policy-pack-config policy/profiles/<profile>.json``.

This is the only place a ``PolicyPack`` is constructed: the constructor starts the analyzer server and
blocks, so nothing importable (and no test) may do it. Policies come from ``stagecraft.rules.crossguard``
at production levels; the per-profile config files lower them where the profile allows.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The pack runs in its own virtualenv (policy/requirements.txt); the rules live in the repository.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack

from stagecraft.rules.crossguard import policies

PolicyPack(
    name="stagecraft",
    policies=policies("production"),
    enforcement_level=EnforcementLevel.MANDATORY,
    description="Stagecraft guardrails: FSBP controls, Scorecard branch protection and project invariants.",
)
