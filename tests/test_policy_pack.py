"""The CrossGuard pack starts under the real CLI: its virtualenv holds everything its code imports.

The Python language host runs a policy pack (``PulumiPolicy.yaml``, ``runtime: python``) as
``python -u -m pulumi.policy`` with the pack directory as root, and resolves ``runtime.options.virtualenv``
relative to that root; without the option an analyzer gets no virtualenv at all (``isPlugin`` is false for
analyzers, so the ``venv`` default for plugins does not apply) and runs the ``python3`` on PATH:
https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/sdk/python/cmd/pulumi-language-python/main.go#L281-L288
https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/sdk/python/cmd/pulumi-language-python/main.go#L1528-L1625
https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/sdk/python/toolchain/pip.go#L583-L591
https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/sdk/go/common/resource/plugin/plugin.go#L536-L566
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policy"
FIRST_PARTY = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _module_file(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.exists():
            return candidate
    return None


def _package_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1])  # a/b/__init__.py and a/b/c.py both live in package a.b


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements that run at import time or call time (not under ``if TYPE_CHECKING:``)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            children: list[ast.AST] = list(node.orelse)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            yield node
            continue
        else:
            children = [node]
        for child in children:
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child
            yield from _runtime_imports(child)


def _imported_modules(path: Path) -> Iterator[str]:
    """Fully qualified modules one file imports (``from a import b`` yields ``a`` and ``a.b``)."""
    for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            package = _package_of(path).split(".")
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        yield base
        yield from (f"{base}.{alias.name}" for alias in node.names)


def third_party_imports(entry: Path) -> dict[str, set[str]]:
    """Top-level third-party modules the code reachable from ``entry`` imports, each with its importers."""
    seen: set[Path] = set()
    todo = [entry]
    found: dict[str, set[str]] = {}
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in _imported_modules(path):
            top = module.split(".")[0]
            if top in FIRST_PARTY:
                parts = module.split(".")
                # importing a.b.c runs a/__init__.py and a/b/__init__.py first
                todo.extend(f for i in range(1, len(parts) + 1) if (f := _module_file(".".join(parts[:i]))))
            elif top not in sys.stdlib_module_names and top != "__future__":
                found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def _requirements() -> set[str]:
    lines = (POLICY / "requirements.txt").read_text(encoding="utf-8").splitlines()
    names = (m.group(1) for line in lines if not line.lstrip().startswith(("#", "-")) and (m := _NAME.match(line)))
    return {_normal(name) for name in names}


def _with_dependencies(names: set[str]) -> set[str]:
    """``names`` plus every distribution they require (installed metadata; extras left out)."""
    closure: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in closure:
            continue
        closure.add(name)
        for requirement in importlib.metadata.requires(name) or []:
            if "extra ==" not in requirement and (m := _NAME.match(requirement)):
                todo.append(_normal(m.group(1)))
    return closure


def test_the_walk_follows_first_party_imports_into_the_rules() -> None:
    found = third_party_imports(POLICY / "__main__.py")
    assert "pulumi_policy" in found
    assert any(importer.startswith("stagecraft/rules/") for importer in found["pulumi_policy"])


def test_every_third_party_module_the_pack_imports_is_installed_by_policy_requirements() -> None:
    provided = _with_dependencies(_requirements())
    distributions = importlib.metadata.packages_distributions()
    missing = {
        module: sorted(importers)
        for module, importers in third_party_imports(POLICY / "__main__.py").items()
        if not {_normal(d) for d in distributions.get(module, [module])} & provided
    }
    assert missing == {}, "add these to policy/requirements.txt"


def test_the_pack_names_the_virtualenv_that_make_policy_venv_builds() -> None:
    pack = yaml.safe_load((POLICY / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert pack["runtime"]["name"] == "python"
    options = pack["runtime"]["options"]
    # pip, not auto-detection: auto searches upward for uv.lock/poetry.lock (toolchain.go ResolveToolchain)
    assert options["toolchain"] == "pip"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    (venv,) = re.findall(r"^POLICY_VENV := (\S+)$", makefile, re.MULTILINE)
    assert venv == f"policy/{options['virtualenv']}"
    assert re.search(r"^policy-venv: ", makefile, re.MULTILINE)
    assert "--require-hashes --no-deps -r policy/requirements.lock" in makefile
    assert (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines().count(".venv/") == 1


def test_policy_requirements_match_the_project_pins() -> None:
    """The pack runs the same SDK versions as the program it checks."""
    pins: dict[str, set[str]] = {}
    for path in (ROOT / "requirements.txt", POLICY / "requirements.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if (m := re.match(r"^([A-Za-z0-9._-]+)(~=\S+)", line)) is not None:
                pins.setdefault(_normal(m.group(1)), set()).add(m.group(2))
    assert {name: specs for name, specs in pins.items() if len(specs) > 1} == {}
