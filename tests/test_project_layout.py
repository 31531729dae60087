"""Every Pulumi project in the repository has a layout the CLI's Python language host resolves.

The resolution rules (program directory from ``main``, requirements.txt and pip's working directory there,
virtualenv relative to the project) are in :func:`infra.config.stackfiles.layout_for`, with links to the CLI.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from infra.config.stackfiles import (
    StackFileError,
    editable_installs,
    layout_for,
    load_project,
    program_layout,
    read_project,
)

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".venv", ".git", "node_modules", "build"}
PROJECTS = sorted(p.parent for p in ROOT.rglob("Pulumi.yaml") if not SKIP.intersection(p.relative_to(ROOT).parts))


def test_the_stage_project_is_a_root_program() -> None:
    layout = program_layout(ROOT)
    assert read_project(ROOT).main is None
    assert layout.program_dir == ROOT
    assert layout.entry_point == ROOT / "__main__.py"
    assert layout.requirements == ROOT / "requirements.txt"
    assert layout.virtualenv == ROOT / ".venv"
    assert ROOT in editable_installs(layout), "requirements.txt must install this repository (-e .)"


def test_the_root_entry_point_runs_the_stage_program() -> None:
    tree = ast.parse((ROOT / "__main__.py").read_text())
    imports = [n for n in tree.body if isinstance(n, ast.ImportFrom)]
    calls = [n.value for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    assert [(i.module, [a.name for a in i.names]) for i in imports] == [("infra.program", ["main"])]
    assert [c.func.id for c in calls if isinstance(c.func, ast.Name)] == ["main"]


def test_main_infra_would_install_nothing() -> None:
    """pulumi/pulumi#7907: with ``main: infra/`` the CLI looks for infra/requirements.txt, which does not exist."""
    layout = layout_for(ROOT, "infra/", {"toolchain": "pip", "virtualenv": ".venv"})
    assert layout.program_dir == ROOT / "infra"
    assert not layout.requirements.exists()
    assert editable_installs(layout) == []
    assert layout.virtualenv == ROOT / ".venv", "the virtualenv stays relative to the project, not to main"


def test_main_naming_a_file_runs_that_file_from_its_folder() -> None:
    layout = layout_for(ROOT, "infra/program.py", {})
    assert (layout.program_dir, layout.entry_point) == (ROOT / "infra", ROOT / "infra" / "program.py")
    assert layout.virtualenv is None


def test_layout_refuses_what_it_cannot_resolve(tmp_path: Path) -> None:
    with pytest.raises(StackFileError, match=r"project 'main' could not be read: .*nowhere does not exist"):
        layout_for(tmp_path, "nowhere", {})
    with pytest.raises(StackFileError, match="toolchain 'uv': stagecraft resolves the pip toolchain"):
        layout_for(tmp_path, None, {"toolchain": "uv"})


def test_editable_paths_are_relative_to_the_program_dir_and_includes_to_their_file(tmp_path: Path) -> None:
    (tmp_path / "layer").mkdir()
    (tmp_path / "requirements.txt").write_text("pulumi\n-e .\n")
    (tmp_path / "layer" / "requirements.txt").write_text("# shared\n-r ../requirements.txt\n--editable ..  # repo\n")
    layout = layout_for(tmp_path / "layer", None, {})
    # the root file's "-e ." is the layer folder when pip runs there: only the explicit ".." installs the repo
    assert editable_installs(layout) == [tmp_path / "layer", tmp_path]


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: str(p.relative_to(ROOT)) or ".")
def test_every_layer_resolves_like_the_root(project: Path) -> None:
    layout = program_layout(project)
    load_project(project)  # a Python program the offline plan accepts (no main: elsewhere)
    assert layout.program_dir == project
    assert layout.entry_point == project / "__main__.py"
    assert layout.entry_point.exists()
    assert layout.requirements.exists()
    assert ROOT in editable_installs(layout), f"{layout.requirements} must install this repository"


def test_plan_refuses_a_main_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\nmain: infra/\n")
    with pytest.raises(StackFileError) as error:
        load_project(tmp_path)
    assert str(error.value) == (
        f"{tmp_path / 'Pulumi.yaml'}: main: 'infra/' points away from the project root; stagecraft plans the "
        "program in __main__.py next to Pulumi.yaml (and the CLI would install requirements.txt from "
        "'infra/', pulumi/pulumi#7907): remove 'main'"
    )
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\nmain: ./\n")
    assert load_project(tmp_path).name == "x"


def test_the_changelog_names_the_current_version() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "a semantic version"
    assert f"## [{version}] - " in (ROOT / "CHANGELOG.md").read_text()
