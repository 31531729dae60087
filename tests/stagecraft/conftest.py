"""Fixtures for the tooling tests: an editable copy of the project's stack files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
"""The repository root (holds Pulumi.yaml and the shipped stacks)."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's Pulumi.yaml and stack files (and their cluster stacks) to edit."""
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.staging.yaml", "Pulumi.production.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "cluster", tmp_path / "cluster", ignore=shutil.ignore_patterns(".venv", "__pycache__"))
    return tmp_path
