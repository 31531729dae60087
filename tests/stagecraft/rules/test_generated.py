"""The committed docs/rules.md and policy profile configs equal what the registry generates."""

from __future__ import annotations

from pathlib import Path

import pytest

from stagecraft.rules import PROFILES, RULES, Profile, pack_config, rules_markdown

ROOT = Path(__file__).resolve().parents[3]


def test_docs_rules_md_is_generated() -> None:
    assert (ROOT / "docs" / "rules.md").read_text() == rules_markdown(), (
        "docs/rules.md is stale: write stagecraft.rules.rules_markdown() to it"
    )


def test_docs_table_lists_every_rule_with_its_levels() -> None:
    text = rules_markdown()
    for rule in RULES:
        levels = " | ".join(rule.levels[p] for p in PROFILES)
        assert f"| `{rule.id}` |" in text and text.split(f"| `{rule.id}` |")[1].split("\n")[0].endswith(f"| {levels} |")


@pytest.mark.parametrize("profile", PROFILES)
def test_policy_profile_config_is_generated(profile: Profile) -> None:
    assert (ROOT / "policy" / "profiles" / f"{profile}.json").read_text() == pack_config(profile)
