"""The hashed locks (``make lock``) are in step with the ranges they were resolved from.

The ranges are the project's word (pyproject.toml, requirements-dev.txt, policy/requirements.txt); the locks pin
their whole closure with hashes. A range edited without ``make lock`` leaves a lock that no longer satisfies it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra.config.stackfiles import program_layout

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
POLICY_LOCK = ROOT / "policy" / "requirements.lock"
CONSTRAINTS = ROOT / "constraints.txt"
PROJECTS = [ROOT, ROOT / "bootstrap", ROOT / "repository", ROOT / "cluster"]


@dataclass(frozen=True)
class Pin:
    """One requirement of a lock: ``name==version`` (with its environment marker) and its file hashes."""

    requirement: Requirement
    hashes: tuple[str, ...]

    @property
    def version(self) -> str:
        (spec,) = self.requirement.specifier
        assert spec.operator == "==", self.requirement
        return spec.version


def read_lock(path: Path) -> list[Pin]:
    """The requirements of a ``uv pip compile`` output (continuation lines joined, comments dropped)."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    pins = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        head, *hashes = line.split(" --hash=")
        pins.append(Pin(Requirement(head.strip()), tuple(h.strip() for h in hashes)))
    return pins


def versions(pins: list[Pin]) -> dict[str, set[str]]:
    """Every pinned version per normalised name (a universal lock may pin one per environment marker)."""
    found: dict[str, set[str]] = {}
    for pin in pins:
        found.setdefault(canonicalize_name(pin.requirement.name), set()).add(pin.version)
    return found


def ranges(path: Path) -> list[Requirement]:
    """The requirements of a hand-written requirements file (options and comments left out)."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def runtime_ranges() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"]]


LOCKS = {
    "requirements.lock": (RUNTIME_LOCK, runtime_ranges),
    "requirements-dev.lock": (DEV_LOCK, lambda: [*runtime_ranges(), *ranges(ROOT / "requirements-dev.txt")]),
    "policy/requirements.lock": (POLICY_LOCK, lambda: ranges(ROOT / "policy" / "requirements.txt")),
}


@pytest.mark.parametrize("name", LOCKS)
def test_every_direct_dependency_is_locked_within_its_range(name: str) -> None:
    path, direct = LOCKS[name]
    locked = versions(read_lock(path))
    for requirement in direct():
        pinned = locked.get(canonicalize_name(requirement.name))
        assert pinned, f"{name} lacks {requirement}: run `make lock`"
        outside = sorted(v for v in pinned if v not in requirement.specifier)
        assert outside == [], f"{name} pins {requirement.name}=={outside} outside {requirement.specifier}: `make lock`"


@pytest.mark.parametrize("name", LOCKS)
def test_every_locked_distribution_has_hashes(name: str) -> None:
    pins = read_lock(LOCKS[name][0])
    assert pins
    assert [str(p.requirement) for p in pins if not p.hashes] == []
    assert all(h.startswith("sha256:") and len(h) == len("sha256:") + 64 for p in pins for h in p.hashes)


def test_the_dev_and_policy_locks_run_the_runtime_versions() -> None:
    runtime = versions(read_lock(RUNTIME_LOCK))
    for path in (DEV_LOCK, POLICY_LOCK):
        shared = {n: v for n, v in versions(read_lock(path)).items() if n in runtime}
        assert shared == {n: runtime[n] for n in shared}, path.name


def _closure_gaps(pins: list[Pin]) -> list[str]:
    """What the lock's distributions require (with the extras the lock asks of them) that it does not pin.

    Judged for this environment (a pin whose marker does not hold here is another platform's), from the metadata
    of the distributions installed here, which must be the locked versions.
    """
    locked = {canonicalize_name(p.requirement.name): p.version for p in pins if _applies(p.requirement)}
    wanted: dict[str, set[str]] = {name: set() for name in locked}
    for pin in pins:
        if _applies(pin.requirement):
            wanted[canonicalize_name(pin.requirement.name)] |= pin.requirement.extras
    gaps: list[str] = []
    todo = list(locked)
    while todo:
        name = todo.pop()
        installed = metadata.version(name)
        assert installed == locked[name], f"{name}: {installed} installed here, the lock pins {locked[name]}"
        for requirement in map(Requirement, metadata.requires(name) or []):
            if not any(_applies(requirement, extra) for extra in {"", *wanted[name]}):
                continue
            dependency = canonicalize_name(requirement.name)
            if dependency not in locked:
                gaps.append(f"{name} requires {requirement}, which the lock does not pin")
            elif locked[dependency] not in requirement.specifier:
                gaps.append(f"{name} requires {requirement}, the lock pins {locked[dependency]}")
            elif not requirement.extras <= wanted[dependency]:
                wanted[dependency] |= requirement.extras
                todo.append(dependency)
    return sorted(set(gaps))


def _applies(requirement: Requirement, extra: str = "") -> bool:
    return requirement.marker is None or requirement.marker.evaluate({"extra": extra})


@pytest.mark.parametrize("path", [RUNTIME_LOCK, DEV_LOCK], ids=lambda p: p.name)
def test_each_lock_holds_its_whole_closure(path: Path) -> None:
    """Every install is ``--no-deps`` from a lock (Makefile, workflows), so a requirement the lock lacks would be
    missing at run time, not resolved: each locked distribution's own requirements, extras included, are pinned
    in it, at versions they accept. (The policy lock's closure is held by ``pip check`` in ``make policy-venv``.)"""
    assert _closure_gaps(read_lock(path)) == []


def test_a_lock_missing_a_dependency_is_caught() -> None:
    pins = [p for p in read_lock(DEV_LOCK) if canonicalize_name(p.requirement.name) not in {"tomli", "coverage"}]
    assert "pytest-cov requires coverage[toml]>=7.10.6, which the lock does not pin" in _closure_gaps(pins)


def test_constraints_are_the_runtime_lock_without_hashes() -> None:
    assert versions(read_lock(CONSTRAINTS)) == versions(read_lock(RUNTIME_LOCK))
    assert [p for p in read_lock(CONSTRAINTS) if p.hashes] == []


def test_requirements_txt_repeats_the_pyproject_ranges() -> None:
    assert {str(r) for r in ranges(ROOT / "requirements.txt")} == {str(r) for r in runtime_ranges()}


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: p.name if p != ROOT else ".")
def test_each_pulumi_project_installs_the_locked_versions(project: Path) -> None:
    """The CLI's own `pip install -r requirements.txt` gets the lock's versions through constraints.txt."""
    requirements = program_layout(project).requirements
    lines = requirements.read_text(encoding="utf-8").splitlines()
    constraints = [(requirements.parent / line.split()[1]).resolve() for line in lines if line.startswith("-c ")]
    assert constraints == [CONSTRAINTS]


def test_dependabot_watches_every_project_and_the_pinned_actions() -> None:
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    by_ecosystem = {u["package-ecosystem"]: u for u in config["updates"]}
    folders = {"/", *(f"/{p.parent.name}" for p in ROOT.glob("*/requirements.txt"))}
    assert set(by_ecosystem["pip"]["directories"]) == folders
    assert by_ecosystem["github-actions"]["directory"] == "/"
