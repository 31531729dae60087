"""The deployment context: which runner runs which phase of which layer, read from the shipped workflows.

A phase is one ``pulumi`` command a workflow job runs (``up``, ``preview``, ``refresh``) in one layer folder,
on one runner, as one role, for the stacks of one ``stagecraft stacks`` matrix. Nothing here is written per
stack: the jobs, their ``runs-on``, ``work-dir``/``--cwd``, ``role-to-assume`` and matrix filters come from
``.github/workflows/*.yml``; a stack's own values (its runner project, its role) come from its
``stagecraft stacks`` entry (:class:`stagecraft.stacks.StackEntry`).

Runners, as GitHub documents them:

- ``ubuntu-*``/``windows-*``/``macos-*``: GitHub-hosted, a fresh VM on GitHub's shared address ranges, reaching
  only public endpoints (https://docs.github.com/en/actions/using-github-hosted-runners/about-github-hosted-runners#ip-addresses);
- ``codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}``: a container of the CodeBuild project
  ``<project>``, in the VPC, subnets and security groups of that project's ``vpcConfig``
  (https://docs.aws.amazon.com/codebuild/latest/userguide/action-runner.html);
- any other label: self-hosted, where nothing offline says what it reaches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

WORKFLOWS_DIR = Path(".github") / "workflows"
STAGE_DIR = "."
"""The stage layer's folder (the root project), as a phase's layer folder."""

RunnerKind = Literal["github-hosted", "codebuild", "self-hosted"]
Egress = Literal["internet", "vpc", "unknown"]

_GITHUB_HOSTED = re.compile(r"(ubuntu|windows|macos)-[\w.-]+")
_CODEBUILD_MATRIX = re.compile(r"codebuild-\$\{\{\s*matrix\.(\w+)\s*\}\}-")
_CODEBUILD_LITERAL = re.compile(r"codebuild-([A-Za-z0-9][A-Za-z0-9_-]*?)-\$\{\{\s*github\.run_id")
_MATRIX_VALUE = re.compile(r"\$\{\{\s*matrix\.(\w+)\s*\}\}")
_MATRIX_SOURCE = re.compile(r"fromJSON\(\s*needs\.([\w-]+)\.outputs\.(\w+)\s*\)\.include")
_STEP_OUTPUT = re.compile(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.(\w+)\s*\}\}")
_PULUMI_RUN = re.compile(r"(?:^|&&|\|\||;|\()[ \t]*pulumi\s+(up|preview|refresh|destroy)\b([^\n]*)", re.MULTILINE)
"""A ``pulumi`` command where a shell command starts (not the words inside an ``echo``)."""
_CWD = re.compile(r"--cwd[= ](\S+)")
_CLAUSE = re.compile(r'\.(\w+)\s*(==|!=)\s*("([^"]*)"|null|true|false)|\.(\w+)')


@dataclass(frozen=True)
class Runner:
    """Where a job runs, and what its traffic leaves through."""

    label: str
    """The job's ``runs-on`` as written."""
    kind: RunnerKind
    egress: Egress
    """``internet``: public endpoints only, from addresses no allow-list can name; ``vpc``: from inside the VPC of
    the CodeBuild project; ``unknown``: a self-hosted runner."""
    project_key: str | None = None
    """For a CodeBuild runner whose label takes the project from the matrix: the matrix key (``runner_project``)."""
    project: str | None = None
    """For a CodeBuild runner whose label names the project literally."""

    def project_for(self, entry: Mapping[str, Any]) -> str | None:
        """The CodeBuild project this runner is, for one matrix entry (``None``: not a CodeBuild runner)."""
        if self.project_key is not None:
            value = entry.get(self.project_key)
            return value if isinstance(value, str) else None
        return self.project

    def describe(self, entry: Mapping[str, Any]) -> str:
        """The runner in words, for a finding."""
        if self.kind == "github-hosted":
            return f"GitHub-hosted {self.label!r} (egress: the internet, from GitHub's shared address ranges)"
        if self.kind == "codebuild":
            return f"CodeBuild project {self.project_for(entry)!r} (egress: from inside its VPC)"
        return f"self-hosted {self.label!r}"


@dataclass(frozen=True)
class Phase:
    """One ``pulumi`` command of one workflow job, in one layer folder."""

    workflow: str
    """The workflow file's name (``deploy.yml``)."""
    job: str
    """The job's id."""
    command: str
    """``up``, ``preview``, ``refresh`` or ``destroy``."""
    layer_dir: str
    """The layer folder the command runs in (``.`` for the stage, ``cluster``, ``repository``)."""
    runner: Runner
    role_key: str | None
    """The matrix key of the role the job assumes (``pulumi_deploy_role_arn``); ``None``: not from the matrix."""
    matrix_filter: str | None
    """The jq ``select(...)`` body choosing the job's stacks from ``stagecraft stacks``; ``None``: every stack."""

    @property
    def where(self) -> str:
        """``deploy.yml`` job ``cluster``, for a finding."""
        return f"{self.workflow} job {self.job!r} (pulumi {self.command})"

    def applies_to(self, entry: Mapping[str, Any]) -> bool:
        """Whether the job's matrix holds the stack of ``entry`` (a ``stagecraft stacks`` entry)."""
        return self.matrix_filter is None or _select(self.matrix_filter, entry) is not False


def phases(root: Path) -> tuple[Phase, ...]:
    """Every phase of every workflow under ``root`` (empty when the project has no workflows)."""
    directory = root / WORKFLOWS_DIR
    if not directory.is_dir():
        return ()
    found: list[Phase] = []
    for path in sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml")):
        found += _phases_of(path.name, path.read_text(encoding="utf-8"))
    return tuple(found)


def has_workflows(root: Path) -> bool:
    """Whether ``root`` is a project with workflows (the deployment context preflight judges from)."""
    return (root / WORKFLOWS_DIR).is_dir()


@cache
def _phases_of(name: str, text: str) -> tuple[Phase, ...]:
    doc = yaml.safe_load(text)
    jobs: Mapping[str, Any] = doc.get("jobs") or {} if isinstance(doc, dict) else {}
    found: list[Phase] = []
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            continue
        runner = runner_of(str(job.get("runs-on", "")))
        steps = [s for s in job.get("steps") or [] if isinstance(s, dict)]
        role_key = _role_key(steps)
        matrix_filter = _matrix_filter(job, jobs)
        for command, layer_dir in _pulumi_commands(steps):
            found.append(Phase(name, str(job_id), command, layer_dir, runner, role_key, matrix_filter))
    return tuple(found)


def runner_of(label: str) -> Runner:
    """The runner a ``runs-on`` label selects."""
    if match := _CODEBUILD_MATRIX.search(label):
        return Runner(label, "codebuild", "vpc", project_key=match.group(1))
    if match := _CODEBUILD_LITERAL.search(label):
        return Runner(label, "codebuild", "vpc", project=match.group(1))
    if _GITHUB_HOSTED.fullmatch(label.strip()):
        return Runner(label, "github-hosted", "internet")
    return Runner(label, "self-hosted", "unknown")


def _pulumi_commands(steps: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    commands: list[tuple[str, str]] = []
    for step in steps:
        uses = str(step.get("uses", ""))
        with_ = step.get("with") or {}
        if uses.startswith("pulumi/actions@") and with_.get("command"):
            commands.append((str(with_["command"]), _folder(str(with_.get("work-dir", STAGE_DIR)))))
        for match in _PULUMI_RUN.finditer(str(step.get("run", ""))):
            cwd = _CWD.search(match.group(2))
            commands.append((match.group(1), _folder(cwd.group(1) if cwd else STAGE_DIR)))
    return commands


def _folder(path: str) -> str:
    return path.strip().strip("/").removeprefix("./") or STAGE_DIR


def _role_key(steps: Iterable[Mapping[str, Any]]) -> str | None:
    for step in steps:
        if str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials@"):
            match = _MATRIX_VALUE.search(str((step.get("with") or {}).get("role-to-assume", "")))
            return match.group(1) if match else None
    return None


def _matrix_filter(job: Mapping[str, Any], jobs: Mapping[str, Any]) -> str | None:
    """The ``select(...)`` body of the jq expression that wrote the job's matrix; ``None``: every stack."""
    include = str(((job.get("strategy") or {}).get("matrix") or {}).get("include", ""))
    source = _MATRIX_SOURCE.search(include)
    if source is None:
        return None
    producer = jobs.get(source.group(1)) or {}
    step_output = _STEP_OUTPUT.search(str((producer.get("outputs") or {}).get(source.group(2), "")))
    if step_output is None:
        return None
    step_id, output = step_output.groups()
    for step in producer.get("steps") or []:
        if isinstance(step, dict) and step.get("id") == step_id:
            line = re.search(rf'echo "{re.escape(output)}=\$\(jq -c \'(.*?)\'', str(step.get("run", "")))
            if line and (select := re.search(r"select\((.*)\)\]", line.group(1))):
                return select.group(1)
    return None


def _select(expression: str, entry: Mapping[str, Any]) -> bool | None:
    """Evaluate a jq ``select`` body of ``and``-joined comparisons on ``entry``; ``None`` when not understood."""
    result = True
    for clause in expression.split(" and "):
        match = _CLAUSE.fullmatch(clause.strip())
        if match is None:
            return None
        if match.group(5) is not None:
            result = result and bool(entry.get(match.group(5)))
            continue
        key, op, literal, text = match.group(1), match.group(2), match.group(3), match.group(4)
        wanted: Any = text if text is not None else {"null": None, "true": True, "false": False}[literal]
        result = result and ((entry.get(key) == wanted) == (op == "=="))
    return result
