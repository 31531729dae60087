from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infra.config.stackfiles import SECRET_PLACEHOLDER, load_stack, read_yaml
from stagecraft import cli
from stagecraft.plan.build import PlanResult
from tests.conftest import ShippedPlan
from tests.shipped import RESOURCE_KEYS
from tests.stagecraft.conftest import ROOT


def _plan_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main([*argv, "--json"])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_json_follows_the_contract(capsys: pytest.CaptureFixture[str], stack: str) -> None:
    code, out = _plan_json(capsys, "--cwd", str(ROOT), "plan", stack)
    assert code == 0
    plan = json.loads(out)
    assert set(plan) >= {"project", "stack", "resources", "outputs", "findings", "acknowledged", "cost", "deploy"}
    assert set(plan["cost"]) >= {"monthly_usd", "currency", "items", "assumptions"}  # keys are only ever added
    assert {"total_is_lower_bound", "unpriced"} <= set(plan["cost"])
    assert set(plan["deploy"]) == {"p50_minutes", "p90_minutes", "critical_path"}
    assert set(plan["deploy"]["critical_path"]) <= {r["urn"] for r in plan["resources"]}
    assert plan["project"] == "stagecraft" and plan["stack"] == stack
    urns = {r["urn"] for r in plan["resources"]}
    for resource in plan["resources"]:
        assert set(resource) == set(RESOURCE_KEYS)
        assert resource["parent"] is None or resource["parent"] in urns
        assert resource["provider"] is None or resource["provider"] in urns
        assert set(resource["dependencies"]) <= urns
        assert isinstance(resource["custom"], bool) and isinstance(resource["protect"], bool)
    for finding in plan["findings"]:
        assert set(finding) == {"rule", "level", "urn", "message"}
        assert finding["level"] in ("mandatory", "advisory")
    assert plan["outputs"]["stage"] == stack
    # An output the engine computes names its source resource; one the program knew is absent.
    refs = plan["output_references"]
    assert "stage" not in refs and refs
    for entries in refs.values():
        for entry in entries:
            assert entry.get("urn") in urns or "invoke" in entry or "candidates" in entry


def test_plan_is_byte_identical_across_runs(capsys: pytest.CaptureFixture[str]) -> None:
    first = _plan_json(capsys, "--cwd", str(ROOT), "plan", "production")[1]
    second = _plan_json(capsys, "--cwd", str(ROOT), "plan", "production")[1]
    assert first == second


def test_plan_in_a_fresh_process_matches(capsys: pytest.CaptureFixture[str]) -> None:
    in_process = _plan_json(capsys, "--cwd", str(ROOT), "plan", "staging")[1]
    fresh = subprocess.run(
        [sys.executable, "-m", "stagecraft", "--cwd", str(ROOT), "plan", "staging", "--json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert fresh == in_process


def test_tree_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--cwd", str(ROOT), "plan", "staging", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "Plan of stage stack 'staging' (project stagecraft, profile staging, region us-east-1)" in out
    assert "pulumi:pulumi:Stack  stagecraft-staging" in out
    assert "└─ stagecraft:network:Network  amani-backend-staging" in out
    assert "aws:ec2/vpc:Vpc  amani-backend-staging-vpc" in out
    assert "Acknowledged weakenings: none" in out
    assert re.search(r"^ +6  aws:ec2/subnet:Subnet$", out, re.M), "counts per type with --verbose"


def test_the_default_view_is_components_with_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--cwd", str(ROOT), "plan", "staging"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^├─ stagecraft:network:Network  amani-backend-staging  \(26: .*6 Subnet, Vpc", out, re.M)
    assert re.search(r"^   ├─ stagecraft:compute:EksNodeGroup  amani-backend-staging-general  \(2: ", out, re.M)
    assert "aws:ec2/vpc:Vpc  amani-backend-staging-vpc" not in out, "no per-resource lines by default"
    assert not re.search(r"^ +6  aws:ec2/subnet:Subnet$", out, re.M), "no counts per type by default"
    assert re.search(r"^  \d+ advisory: .*log-retention x4.* \(--all-findings lists them\)$", out, re.M)
    assert (
        "\n  stage: staging\n" in out
        and "\n  private_subnet_ids:\n  - <- amani-backend-staging-private-us-east-1a[Subnet].id\n" in out
    ), "outputs as YAML, computed ones as their source"
    assert "\033[" not in out, "no colour off a terminal"


def test_all_findings_lists_the_advisory_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--cwd", str(ROOT), "plan", "staging", "--all-findings"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^  - \[advisory\] log-retention: ", out, re.M) and "--all-findings lists them" not in out


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli._color()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli._color()


def test_show_prints_one_resource_whole(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--cwd", str(ROOT), "plan", "production", "--show", "amani-backend-production-instance"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("aws:rds/instance:Instance  amani-backend-production-instance\nurn: urn:pulumi:")
    assert "\n  identifier: amani-backend-production-pg\n" in out
    assert "\n  protect: true\n" in out and "\ndependencies:\n  - urn:pulumi:" in out
    assert cli.main(["--cwd", str(ROOT), "plan", "production", "--show", "instance"]) == 2
    assert "--show 'instance': 0 resources have that name or URN; labels containing it:" in capsys.readouterr().err


def test_show_takes_the_label_the_plan_prints_for_a_shared_name(capsys: pytest.CaptureFixture[str]) -> None:
    shared = "amani-backend-staging-private-us-east-1a"  # a subnet, its route table, its association...
    assert cli.main(["--cwd", str(ROOT), "plan", "staging", "--show", shared]) == 2
    err = capsys.readouterr().err
    assert f"{shared}[Subnet]" in err and "resources have that name or URN" in err
    assert cli.main(["--cwd", str(ROOT), "plan", "staging", "--show", f"{shared}[Subnet]"]) == 0
    assert capsys.readouterr().out.startswith(f"aws:ec2/subnet:Subnet  {shared}\n")


def test_bad_config_exits_2_with_every_problem(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "Pulumi.staging.yaml"
    path.write_text(path.read_text().replace("cidr: 10.20.0.0/16", "cidr: 10.20.0.0/24\n      nat_gateway: single"))
    assert cli.main(["--cwd", str(project), "plan", "staging"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "stagecraft:stage.network.cidr: '10.20.0.0/24' is not allowed" in captured.err
    assert "stagecraft:stage.network.nat_gateway: unknown key; did you mean 'nat_gateways'?" in captured.err
    assert "Traceback" not in captured.err


def test_floor_below_without_acknowledge_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "Pulumi.production.yaml"
    path.write_text(path.read_text().replace("cidr: 10.30.0.0/16", "cidr: 10.30.0.0/16\n      nat_gateways: single"))
    assert cli.main(["--cwd", str(project), "plan", "production"]) == 2
    assert "is below the production floor" in capsys.readouterr().err


def test_acknowledged_weakening_is_listed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "Pulumi.production.yaml"
    text = path.read_text().replace(
        "cidr: 10.30.0.0/16",
        "cidr: 10.30.0.0/16\n      nat_gateways: single\n"
        "    acknowledge:\n      network.nat_gateways: Load test stage for one week; cost accepted by ops",
    )
    path.write_text(text)
    code, out = _plan_json(capsys, "--cwd", str(project), "plan", "production")
    plan = json.loads(out)
    assert plan["acknowledged"] == [
        {"key": "network.nat_gateways", "reason": "Load test stage for one week; cost accepted by ops"}
    ]
    findings = {(f["rule"], f["level"]) for f in plan["findings"]}
    # The acknowledgement is recorded as an advisory finding; the production rule behind the floor stays
    # mandatory, so the plan still exits 1 (every rule is mandatory in production).
    assert ("floor-acknowledged", "advisory") in findings
    assert ("nat-gateway-per-az", "mandatory") in findings
    assert code == 1
    assert cli.main(["--cwd", str(project), "plan", "production"]) == 1
    assert "  - network.nat_gateways: Load test stage for one week; cost accepted by ops" in capsys.readouterr().out


def test_missing_stack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--cwd", str(ROOT), "plan", "qa"]) == 2
    assert "Pulumi.qa.yaml: no such stack file (stacks here: production, staging)" in capsys.readouterr().err


def test_missing_project_and_bad_yaml_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--cwd", str(tmp_path), "plan", "staging"]) == 2
    assert "Pulumi.yaml: file not found; run from the project root or pass --cwd" in capsys.readouterr().err
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: nodejs\n")
    assert cli.main(["--cwd", str(tmp_path), "plan", "staging"]) == 2
    assert "runtime is 'nodejs'; stagecraft plans Python programs" in capsys.readouterr().err
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\n")
    (tmp_path / "Pulumi.staging.yaml").write_text("config: [unclosed\n")
    assert cli.main(["--cwd", str(tmp_path), "plan", "staging"]) == 2
    assert "Pulumi.staging.yaml: not valid YAML" in capsys.readouterr().err
    (tmp_path / "Pulumi.staging.yaml").write_text("config: 3\n")
    assert cli.main(["--cwd", str(tmp_path), "plan", "staging"]) == 2
    assert "'config' must be a mapping of keys to values" in capsys.readouterr().err


def test_mandatory_finding_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], shipped_plan: ShippedPlan
) -> None:
    real = shipped_plan(ROOT, "staging")
    finding = {"rule": "x", "level": "mandatory", "urn": None, "message": "broken"}
    with_finding = PlanResult(
        config=real.config, inventory=real.inventory, cost=real.cost, deploy=real.deploy, findings=[finding]
    )
    monkeypatch.setattr(cli, "plan_stack", lambda cwd, stack: with_finding)
    assert cli.main(["plan", "staging"]) == 1
    assert "  - [mandatory] x: broken" in capsys.readouterr().out
    advisory = PlanResult(
        config=real.config,
        inventory=real.inventory,
        cost=real.cost,
        deploy=real.deploy,
        findings=[{**finding, "level": "advisory"}],
    )
    monkeypatch.setattr(cli, "plan_stack", lambda cwd, stack: advisory)
    assert cli.main(["plan", "staging"]) == 0


def test_internal_errors_exit_3_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(cwd: Path, stack: str) -> PlanResult:
        raise RuntimeError("mock exploded")

    monkeypatch.setattr(cli, "plan_stack", broken)
    assert cli.main(["plan", "staging"]) == 3
    err = capsys.readouterr().err
    assert err == "internal error: RuntimeError: mock exploded (rerun with --debug for a traceback)\n"
    with pytest.raises(RuntimeError):
        cli.main(["--debug", "plan", "staging"])


def test_secure_values_reach_the_program_as_secrets(project: Path) -> None:
    path = project / "Pulumi.staging.yaml"
    doc = read_yaml(path)
    # Replace the key, not append a second one: the CLI rejects duplicate keys.
    doc["config"]["stagecraft:secrets"] = {"environment": {"SENTRY_DSN": {"secure": "v1:abc"}}}
    path.write_text(json.dumps(doc))
    stack = load_stack(project, "staging")
    config, secret_keys = stack.engine_config()
    assert secret_keys == ["stagecraft:secrets"]
    assert json.loads(config["stagecraft:secrets"]) == {"environment": {"SENTRY_DSN": SECRET_PLACEHOLDER}}
    assert "v1:abc" not in json.dumps(config)


def test_graph_prints_a_mermaid_flowchart(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--cwd", str(ROOT), "graph", "staging"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart LR\n")
    assert "Network amani-backend-staging" in out


def test_a_project_that_is_not_a_stagecraft_program_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Planning the bundled program under another project's name would show what that project never creates."""
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    shutil.copy(ROOT / "Pulumi.staging.yaml", tmp_path / "Pulumi.staging.yaml")
    assert cli.main(["--cwd", str(tmp_path), "plan", "staging"]) == 2
    assert "__main__.py: file not found; the stage layer's program is `from infra.program import main; main()`" in (
        capsys.readouterr().err
    )
    (tmp_path / "__main__.py").write_text("import pulumi\n\npulumi.export('x', 1)\n")
    assert cli.main(["--cwd", str(tmp_path), "plan", "staging"]) == 2
    err = capsys.readouterr().err
    assert "not the Stagecraft stage program (`from infra.program import main; main()`)" in err
    (tmp_path / "__main__.py").write_text("from infra.bootstrap import main\n\nmain()\n")
    assert cli.main(["--cwd", str(tmp_path), "plan", "staging"]) == 2, "the bootstrap's program for a stage's stack"
    shutil.copy(ROOT / "__main__.py", tmp_path / "__main__.py")
    assert cli.main(["--cwd", str(tmp_path), "plan", "staging"]) == 0


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert re.fullmatch(r"stagecraft \d+\.\d+\.\d+\n", capsys.readouterr().out)


def test_options_after_the_stack(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["plan", "staging", "--cwd", str(ROOT / "cluster"), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["layer"], document["stack"], document["schema_version"]) == ("cluster", "staging", 1)


@pytest.mark.parametrize(
    ("argv", "keys"),
    [
        (["check"], {"errors", "conflicts", "warnings", "stacks", "exit_code"}),
        (["graph", "staging"], {"nodes", "edges", "groups", "provider_edges"}),
        (["stacks"], {"include"}),
    ],
)
def test_every_command_speaks_json_with_a_schema_version(
    argv: list[str], keys: set[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([*argv, "--cwd", str(ROOT), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["schema_version"] == 1 and keys <= set(document)


def test_new_stage_speaks_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["new-stage", "qa", "--from", "staging", "--cwd", str(project), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and document["schema_version"] == 1
    assert document["path"].endswith("Pulumi.qa.yaml") and document["next_commands"]


def test_errors_come_as_json_on_stdout_and_as_text_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["plan", "qa", "--cwd", str(ROOT), "--json"]) == 2
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["error"]["kind"] == "input" and document["exit_code"] == 2 and document["command"] == "plan"
    assert "Pulumi.qa.yaml: no such stack file" in document["error"]["message"]
    assert "Pulumi.qa.yaml: no such stack file" in captured.err


def test_an_internal_error_exits_3_and_says_so_in_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "plan_stack", broken)
    assert cli.main(["plan", "staging", "--json"]) == 3
    document = json.loads(capsys.readouterr().out)
    assert document["error"] == {
        "kind": "internal",
        "message": "internal error: RuntimeError: boom (rerun with --debug for a traceback)",
        "problems": [],
    }


@pytest.mark.parametrize("command", ["plan", "graph", "check", "new-stage", "schema", "stacks"])
def test_help_gives_examples_and_every_exit_code(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    text = capsys.readouterr().out
    assert f"examples:\n  stagecraft {command}" in text
    for code in ("0  ok", "1  a mandatory finding", "2  bad input", "3  internal error"):
        assert code in text
