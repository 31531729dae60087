"""Guardrails shared by ``stagecraft plan`` and the CrossGuard pack in ``policy/``."""

from stagecraft.rules.docs import pack_config, rules_markdown
from stagecraft.rules.model import PROFILES, Finding, Level, NotApplicable, Options, Profile, Rule
from stagecraft.rules.registry import FLOOR_ACKNOWLEDGED, NOT_APPLICABLE, RULES, evaluate, rule

__all__ = [
    "FLOOR_ACKNOWLEDGED",
    "NOT_APPLICABLE",
    "PROFILES",
    "RULES",
    "Finding",
    "Level",
    "NotApplicable",
    "Options",
    "Profile",
    "Rule",
    "evaluate",
    "pack_config",
    "rule",
    "rules_markdown",
]
