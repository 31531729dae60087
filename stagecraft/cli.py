"""``stagecraft``: offline tooling for the stages of this project.

Exit codes: 0 ok; 1 a ``mandatory`` finding; 2 bad input (config, stack file, arguments); 3 internal error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from components.errors import ComponentInputError
from infra.config import ConfigError
from infra.config.stackfiles import StackFileError
from stagecraft.check import run as check_project
from stagecraft.graph import mermaid
from stagecraft.new_stage import NewStageError, create_stage
from stagecraft.plan.build import plan_stack
from stagecraft.plan.render import render_plan
from stagecraft.stacks import RefError, list_stacks, matrix

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stagecraft", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cwd", type=Path, default=Path(), help="project directory (holds Pulumi.yaml)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="show what a stack would create, offline (no credentials)")
    plan.add_argument("stack", help="stack name, e.g. staging")
    plan.add_argument("--json", action="store_true", help="print the plan contract as JSON")
    graph = commands.add_parser("graph", help="print a Mermaid flowchart of the stack's components")
    graph.add_argument("stack", help="stack name, e.g. staging")
    commands.add_parser(
        "check",
        help="check the stage stacks against each other and against the repository layer (repository/): CIDRs, "
        "names, protected deploy branches and tags, preview environments, required deployments, CODEOWNERS",
    )
    new = commands.add_parser("new-stage", help="write Pulumi.NAME.yaml from an existing stack, then plan it")
    new.add_argument("name", help="the new stage (stack) name")
    new.add_argument("--from", dest="source", required=True, help="stack to copy")
    new.add_argument("--profile", help="profile of the new stage (default: the source's)")
    new.add_argument("--cidr", help="VPC CIDR (default: the first free /16 in 10.0.0.0/8)")
    new.add_argument("--branch", help="deploy branch (default: the stage name)")
    stacks = commands.add_parser("stacks", help="list the stage stacks with what a workflow needs to run each")
    stacks.add_argument("--json", action="store_true", help="print a GitHub Actions matrix document")
    stacks.add_argument("--ref", help="only the stacks a push of this ref deploys (refs/heads/B or refs/tags/T)")
    return parser


def _stacks(args: argparse.Namespace) -> int:
    try:
        entries = list_stacks(args.cwd, args.ref)
    except RefError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(matrix(entries), indent=2, sort_keys=True))
        return EXIT_OK
    for entry in entries:
        refs = ([entry.deploy_branch] if entry.deploy_branch else []) + [f"tag {t}" for t in entry.tag_patterns]
        print(
            f"{entry.stack}: {entry.profile}, account {entry.account} {entry.region}, environment {entry.environment}"
            f" (previews in {entry.preview_environment}), deploys from {', '.join(refs) or 'nothing'}"
        )
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    result = plan_stack(args.cwd, args.stack)
    if args.json:
        print(json.dumps(result.to_json(), indent=2, sort_keys=True))
    else:
        print(render_plan(result))
    mandatory = [f for f in result.findings if f["level"] == "mandatory"]
    return EXIT_FINDINGS if mandatory else EXIT_OK


def _graph(args: argparse.Namespace) -> int:
    result = plan_stack(args.cwd, args.stack)
    print(mermaid(result.inventory), end="")
    return EXIT_OK


def _new_stage(args: argparse.Namespace) -> int:
    try:
        created = create_stage(
            args.cwd, args.name, args.source, profile=args.profile, cidr=args.cidr, branch=args.branch
        )
    except NewStageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        result = plan_stack(args.cwd, args.name)
    except (ConfigError, StackFileError, ComponentInputError) as exc:
        rejected = created.reject(str(exc))
        print(
            f"error: the new stage does not plan, so it was kept as {rejected.name} with the errors at its top "
            f"(fix them, then rename it to {created.path.name}):\n{exc}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    print(f"Wrote {created.path} (VPC {created.cidr}); it plans {len(result.inventory.resources)} resources.")
    for note in created.notes:
        print(f"  note: {note}")
    mandatory = [f for f in result.findings if f["level"] == "mandatory"]
    for finding in mandatory:
        print(f"  mandatory: {finding['rule']}: {finding['message']}")
    print("Next, in this order:")
    for command in created.next_commands():
        print(f"  {command}")
    return EXIT_FINDINGS if mandatory else EXIT_OK


def _check(args: argparse.Namespace) -> int:
    return check_project(args.cwd)


COMMANDS = {"plan": _plan, "graph": _graph, "check": _check, "new-stage": _new_stage, "stacks": _stacks}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (StackFileError, ComponentInputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for a traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
