"""A full copy of the project (stack files of every layer, their programs and the workflows) to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.stagecraft.conftest import ROOT

LAYERS = ("bootstrap", "cluster", "repository")


@pytest.fixture
def deployed(tmp_path: Path) -> Path:
    """The project as CI sees it: every layer's stacks and programs, and ``.github/workflows``."""
    for path in [ROOT / "Pulumi.yaml", ROOT / "__main__.py", *ROOT.glob("Pulumi.*.yaml")]:
        shutil.copy(path, tmp_path / path.name)
    for layer in LAYERS:
        (tmp_path / layer).mkdir()
        for path in [ROOT / layer / "__main__.py", *(ROOT / layer).glob("Pulumi*.yaml")]:
            shutil.copy(path, tmp_path / layer / path.name)
    shutil.copytree(ROOT / ".github" / "workflows", tmp_path / ".github" / "workflows")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must occur) with ``new`` in ``path``."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
