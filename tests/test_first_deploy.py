"""docs/first-deploy.md stays true: its offline commands run, and what it names exists."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "first-deploy.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```sh\n(.*?)```", TEXT, re.S)
OFFLINE = [line.split("#")[0].strip() for b in BLOCKS for line in b.splitlines() if line.rstrip().endswith("# offline")]
WORKFLOWS = "".join(p.read_text() for p in (ROOT / ".github" / "workflows").glob("*.yml"))


def test_the_guide_has_offline_commands() -> None:
    assert len(OFFLINE) >= 8


@pytest.mark.parametrize("command", [c for c in OFFLINE if c.startswith(".venv/bin/stagecraft")])
def test_every_offline_stagecraft_command_succeeds(command: str) -> None:
    argv = shlex.split(command)
    argv[0] = str(Path(sys.executable).parent / "stagecraft")
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_make_targets_it_names_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in {c.split()[1] for c in OFFLINE if c.startswith("make ")} | {"policy-venv"}:
        assert re.search(rf"^{re.escape(target)}:", makefile, re.M), target


def test_every_file_it_names_exists() -> None:
    named = set(re.findall(r"`((?:[\w.-]+/)*[\w.-]+\.(?:yaml|yml|md|py|json|txt))`", TEXT))
    named |= set(re.findall(r"\]\(([\w./-]+\.md)", TEXT))
    assert named
    for name in named:
        candidates = [ROOT / name, ROOT / "docs" / name, ROOT / ".github" / name]
        assert any(c.exists() for c in candidates) or name == "CODEOWNERS", name


def test_every_stack_and_secret_it_names_is_declared() -> None:
    for folder, stack in re.findall(r"--cwd (\w+) plan ([\w-]+)", TEXT):
        assert (ROOT / folder / f"Pulumi.{stack}.yaml").exists()
    for stack in set(re.findall(r"stack init ([\w-]+) --secrets-provider='awskms", TEXT)):
        assert any((ROOT / f / f"Pulumi.{stack}.yaml").exists() for f in (".", "repository"))
    for scope, name in re.findall(r"stagecraft:secrets\.(environment|repository)\.(\w+)", TEXT):
        files = (
            [ROOT / "Pulumi.staging.yaml", ROOT / "Pulumi.production.yaml"]
            if scope == "environment"
            else [ROOT / "repository" / "Pulumi.amani-backend.yaml"]
        )
        assert any(re.search(rf"\b{name}\b", f.read_text()) for f in files), name


def test_every_variable_and_secret_it_names_is_what_the_workflows_read() -> None:
    for name in set(re.findall(r"\b(STAGECRAFT_[A-Z_]+|PULUMI_VERSION)\b", TEXT)):
        assert name in WORKFLOWS, name


def test_the_backends_and_providers_it_names_are_the_derived_ones() -> None:
    from infra.naming import AccountNames

    for account in ("123456789012", "210987654321"):
        names = AccountNames(account_id=account, region="us-east-1")
        assert names.backend_url in TEXT and names.secrets_provider in TEXT
