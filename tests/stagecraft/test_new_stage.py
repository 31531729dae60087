from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from stagecraft import cli
from stagecraft.new_stage import NewStageError, create_stage, pick_cidr


def _stage(path: Path) -> dict[str, object]:
    doc = yaml.safe_load(path.read_text())
    stage = doc["config"]["stagecraft:stage"]
    assert isinstance(stage, dict)
    return stage


def test_new_stage_end_to_end(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["--cwd", str(project), "new-stage", "qa", "--from", "staging", "--branch", "release/qa"])
    out = capsys.readouterr().out
    assert code == 0, out
    path = project / "Pulumi.qa.yaml"
    text = path.read_text()
    source = (project / "Pulumi.staging.yaml").read_text()
    assert text.startswith("# Stage 'qa', created by `stagecraft new-stage qa --from staging`.\n")
    # the source's comments survive, and no secret ciphertext is copied
    first_comment = next(line for line in source.splitlines() if line.startswith("#"))
    assert first_comment in text
    assert "secure:" not in text
    stage = _stage(path)
    assert stage["network"]["cidr"] == "10.0.0.0/16"  # type: ignore[index]
    assert stage["github"]["deploy_branch"] == "release/qa"  # type: ignore[index]
    assert f"Wrote {path} (VPC 10.0.0.0/16)" in out
    assert "Next: pulumi stack init qa && pulumi preview --stack qa" in out
    # same account as staging: it adopts the OIDC provider staging creates, so the stacks do not conflict
    assert stage["github"]["oidc_provider"] == (  # type: ignore[index]
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    )
    capsys.readouterr()
    assert cli.main(["--cwd", str(project), "check"]) == 0, capsys.readouterr().out
    # it plans on its own with no mandatory finding (staging profile, like its source)
    assert cli.main(["--cwd", str(project), "plan", "qa"]) == 0


def test_secret_commands_are_printed_not_copied(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = project / "Pulumi.staging.yaml"
    if "stagecraft:secrets" not in source.read_text():
        source.write_text(
            source.read_text() + "  stagecraft:secrets:\n    environment:\n      SENTRY_DSN:\n        secure: v1:abc\n"
        )
    created = create_stage(project, "qa", "staging")
    assert "v1:abc" not in created.path.read_text()
    assert any(
        c.startswith("pulumi config set --secret --path 'stagecraft:secrets.environment.") and c.endswith("--stack qa")
        for c in created.secret_commands
    )


def test_profile_and_cidr_options(project: Path) -> None:
    created = create_stage(project, "perf", "production", profile="staging", cidr="10.99.0.0/16")
    stage = _stage(created.path)
    assert stage["profile"] == "staging"
    assert stage["network"]["cidr"] == "10.99.0.0/16"  # type: ignore[index]
    assert "profile set to staging; its defaults and floors apply" in created.notes


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("staging", {}, "already exists; refusing to overwrite it"),
        ("Q_A", {}, "stage name 'Q_A' cannot name a stage"),
        ("qa", {"cidr": "10.20.0.0/20"}, "--cidr 10.20.0.0/20 overlaps another stage's VPC (10.20.0.0/16)"),
        ("qa", {"cidr": "10.20.0.1/16"}, "--cidr '10.20.0.1/16' is not a valid IPv4 CIDR block"),
        ("qa", {"profile": "prod"}, "--profile 'prod' is not one of development, staging, production"),
    ],
)
def test_refusals(project: Path, name: str, kwargs: dict[str, str], message: str) -> None:
    before = sorted(p.name for p in project.iterdir())
    with pytest.raises(NewStageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create_stage(project, name, "staging", **kwargs)
    assert sorted(p.name for p in project.iterdir()) == before


def test_unknown_source(project: Path) -> None:
    with pytest.raises(NewStageError, match="no such stack file"):
        create_stage(project, "qa", "nope")


def test_cli_refusal_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--cwd", str(project), "new-stage", "staging", "--from", "production"]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err


def test_a_stage_that_does_not_plan_is_not_kept(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = project / "Pulumi.staging.yaml"
    source.write_text(source.read_text().replace("app: amani-backend", "app: Amani"))
    assert cli.main(["--cwd", str(project), "new-stage", "qa", "--from", "staging"]) == 2
    assert "the new stage does not plan, so Pulumi.qa.yaml was not kept" in capsys.readouterr().err
    assert not (project / "Pulumi.qa.yaml").exists()


def test_pick_cidr_skips_used_ranges() -> None:
    import ipaddress

    used = [ipaddress.IPv4Network("10.0.0.0/15"), ipaddress.IPv4Network("10.2.0.0/16")]
    assert pick_cidr(used) == "10.3.0.0/16"
