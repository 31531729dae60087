"""docs/runbooks/restore.md: its stack file plans clean, and its retire step leaves only what it says."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from stagecraft import cli
from stagecraft.plan.build import PlanResult, plan_stack

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = (ROOT / "docs" / "runbooks" / "restore.md").read_text()


def _stack_yaml() -> tuple[str, str]:
    """The runbook's stack file block: ``(stack name, YAML)``, indentation of the list item removed."""
    block = re.search(r"```yaml\n(.*?)```", RUNBOOK, re.S)
    assert block is not None
    lines = block.group(1).splitlines()
    text = "\n".join(line.removeprefix("   ") for line in lines) + "\n"
    name = re.match(r"# Pulumi\.(?P<stack>[a-z0-9-]+)\.yaml", text.lstrip())
    assert name is not None, text
    return name["stack"], text


@pytest.fixture(scope="module")
def recovery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("recovery")
    shutil.copy(ROOT / "Pulumi.yaml", folder / "Pulumi.yaml")
    shutil.copy(ROOT / "__main__.py", folder / "__main__.py")
    stack, text = _stack_yaml()
    (folder / f"Pulumi.{stack}.yaml").write_text(text)
    return folder, stack


@pytest.fixture(scope="module")
def plan(recovery: tuple[Path, str]) -> PlanResult:
    return plan_stack(*recovery)


def test_runbook_stack_plans_with_exit_0(recovery: tuple[Path, str], capsys: pytest.CaptureFixture[str]) -> None:
    folder, stack = recovery
    assert cli.main(["--cwd", str(folder), "plan", stack]) == 0, capsys.readouterr().err


def test_it_restores_with_the_source_key_and_adopts_the_bootstrap(plan: PlanResult) -> None:
    db = plan.inventory.one("aws:rds/instance:Instance")
    assert db.inputs["restoreToPointInTime"]["sourceDbInstanceIdentifier"] == "amani-backend-production-pg"
    assert "kmsKeyId" not in db.inputs and "kmsKeyId" in db.ignore_changes
    types = {r.type for r in plan.inventory.resources}
    # Account-level things are the bootstrap's: no OIDC provider, no state bucket, no secrets key here.
    assert "aws:iam/openIdConnectProvider:OpenIdConnectProvider" not in types
    assert len(plan.inventory.of_type("aws:kms/key:Key")) == 1  # the stage key only
    assert "secretsprovider: awskms://alias/stagecraft-secrets" in _stack_yaml()[1]


def test_retire_step_deletes_the_copy_and_leaves_what_the_runbook_names(plan: PlanResult) -> None:
    db = plan.inventory.one("aws:rds/instance:Instance")
    # Protected (the production floor), but destroy deletes it once unprotected, with a final snapshot.
    assert db.protect and not db.retain_on_delete
    assert db.inputs["skipFinalSnapshot"] is False and db.inputs["deleteAutomatedBackups"] is False
    final = db.inputs["finalSnapshotIdentifier"]
    assert final == "amani-backend-prod-r0131-pg-final" and f"`{final}`" in RUNBOOK
    retire = RUNBOOK[RUNBOOK.index("## 4. Retire") : RUNBOOK.index("## Notes")]
    assert "pulumi state unprotect --all" in retire and "--no-deletion-protection" in retire
    for resource in plan.inventory.resources:
        if resource.retain_on_delete:
            named = {
                "aws:kms/key:Key": "alias/amani-backend-prod-r0131",
                "aws:ecr/repository:Repository": "amani-backend-prod-r0131/api",
                "aws:s3/bucket:Bucket": "amani-backend-prod-r0131-backups-",
            }
            assert resource.type in named, resource.name
            assert named[resource.type] in retire
