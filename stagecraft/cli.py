"""``stagecraft``: offline tooling for the stages of this project.

Exit codes: 0 ok; 1 a ``mandatory`` finding (or a conflict); 2 bad input (config, stack file, arguments);
3 internal error. With ``--json`` every command prints one JSON document on stdout, errors included (the
text of an error still goes to stderr); each document has a ``schema_version``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from components.errors import ComponentInputError
from infra.config import ConfigError
from infra.config.stackfiles import StackFileError
from stagecraft.check import check as check_project
from stagecraft.diff import DiffInputError, Plan, diff_plans, load_plan, plan_from_json
from stagecraft.diff.render import render_markdown, render_text
from stagecraft.graph import component_graph, mermaid
from stagecraft.new_stage import NewStageError, create_stage
from stagecraft.plan.build import plan_stack
from stagecraft.plan.render import UnknownResourceError, View, find_resource, render_plan, render_resource
from stagecraft.schema import LAYERS as SCHEMA_LAYERS
from stagecraft.schema import stack_file_schema
from stagecraft.stacks import RefError, list_stacks, matrix

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
ERROR_SCHEMA_VERSION = 1
"""Version of the error document ``--json`` prints instead of a command's own."""

EXIT_CODES = """exit codes:
  0  ok
  1  a mandatory finding (plan, new-stage), a conflict (check) or a hazard (diff, plan --against)
  2  bad input: config, stack file, project or arguments (nothing is planned)
  3  internal error (rerun with --debug for a traceback)"""

EXAMPLES = {
    "plan": """examples:
  stagecraft plan staging
  stagecraft plan production --json > plan.json
  stagecraft plan staging --cwd cluster        # the stage's Kubernetes objects (cluster/ layer)
  stagecraft plan production --verbose --all-findings
  stagecraft plan production --show amani-backend-production-instance
  stagecraft plan amani-production --cwd bootstrap
  stagecraft plan production --against base.json  # what this checkout changes against another plan""",
    "diff": """examples:
  stagecraft plan production --json > head.json   # and base.json from the base branch's checkout
  stagecraft diff base.json head.json
  stagecraft diff base.json head.json --format markdown > comment.md
  stagecraft diff base.json head.json --json      # the same document as --format json

exit codes of diff: 0 no hazard, 1 a hazard (a protected, retained or stateful resource replaced or deleted,
a fixed-name resource replaced create-before-delete), 2 bad input (unreadable file, not a plan document,
plans of different stacks, an unsupported schema_version)""",
    "graph": """examples:
  stagecraft graph production > graph.mmd
  stagecraft graph staging --json""",
    "check": """examples:
  stagecraft check
  stagecraft check --json""",
    "new-stage": """examples:
  stagecraft new-stage qa --from staging
  stagecraft new-stage perf --from production --profile staging --cidr 10.40.0.0/16 --json""",
    "schema": """examples:
  stagecraft schema > schema/stage.stack.schema.json
  stagecraft schema --layer bootstrap""",
    "stacks": """examples:
  stagecraft stacks
  stagecraft stacks --json --ref refs/heads/main""",
}


class BadInputError(Exception):
    """Bad command-line input found after parsing (a ref that is not a branch or tag, a stage that exists)."""


def _version() -> str:
    try:
        return version("stagecraft")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


def _common() -> argparse.ArgumentParser:
    """Options every command takes, before or after its arguments (``plan staging --cwd cluster``)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--cwd", type=Path, default=argparse.SUPPRESS, help="project directory (holds Pulumi.yaml)")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="tracebacks of internal errors")
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="one JSON document on stdout, errors too"
    )
    return common


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stagecraft",
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"stagecraft {_version()}")
    parser.add_argument("--cwd", type=Path, default=Path(), help="project directory (holds Pulumi.yaml)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument("--json", action="store_true", help="one JSON document on stdout, errors too")
    commands = parser.add_subparsers(dest="command", required=True)
    common = _common()

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            parents=[common],
            epilog=f"{EXAMPLES[name]}\n\n{EXIT_CODES}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    plan = command("plan", "show what a stack would create, offline (no credentials)")
    plan.add_argument("stack", help="stack name, e.g. staging")
    plan.add_argument("--verbose", action="store_true", help="every resource (the tree) and the counts per type")
    plan.add_argument("--show", metavar="NAME", help="one resource whole: inputs, options, dependencies")
    plan.add_argument("--all-findings", action="store_true", help="every advisory finding, not their count per rule")
    plan.add_argument(
        "--against", type=Path, metavar="BASE.json", help="print the diff from this plan document to this plan"
    )
    plan.add_argument("--format", choices=FORMATS, help="with --against: text (default), json or markdown")
    diff = command("diff", "what would change between two offline plans of one stack (plan --json documents)")
    diff.add_argument("base", type=Path, help="the base plan (plan --json output), e.g. of the base branch")
    diff.add_argument("head", type=Path, help="the proposed plan (plan --json output)")
    diff.add_argument("--format", choices=FORMATS, help="text (default), json (same as --json) or markdown")
    graph = command("graph", "print a Mermaid flowchart of the stack's components")
    graph.add_argument("stack", help="stack name, e.g. staging")
    command(
        "check",
        "check the stage stacks against each other and against the repository layer (repository/): CIDRs, "
        "names, protected deploy branches and tags, preview environments, required deployments, CODEOWNERS",
    )
    new = command("new-stage", "write Pulumi.NAME.yaml from an existing stack, then plan it")
    new.add_argument("name", help="the new stage (stack) name")
    new.add_argument("--from", dest="source", required=True, help="stack to copy")
    new.add_argument("--profile", help="profile of the new stage (default: the source's)")
    new.add_argument("--cidr", help="VPC CIDR (default: the first free /16 in 10.0.0.0/8)")
    new.add_argument("--branch", help="deploy branch (default: the stage name)")
    schema = command("schema", "print the JSON Schema of a layer's stack files (Pulumi.<stack>.yaml), for editors")
    schema.add_argument("--layer", choices=sorted(SCHEMA_LAYERS), default="stage", help="which layer (default: stage)")
    stacks = command("stacks", "list the stage stacks with what a workflow needs to run each")
    stacks.add_argument("--ref", help="only the stacks a push of this ref deploys (refs/heads/B or refs/tags/T)")
    return parser


FORMATS = ("text", "json", "markdown")
Result = tuple[int, dict[str, Any] | None, str]
"""What a command produced: exit code, its JSON document (``None`` if it has none), its text output."""


def _stacks(args: argparse.Namespace) -> Result:
    try:
        entries = list_stacks(args.cwd, args.ref)
    except RefError as exc:
        raise BadInputError(str(exc)) from None
    lines = []
    for entry in entries:
        refs = ([entry.deploy_branch] if entry.deploy_branch else []) + [f"tag {t}" for t in entry.tag_patterns]
        lines.append(
            f"{entry.stack}: {entry.profile}, account {entry.account} {entry.region}, environment {entry.environment}"
            f" (previews in {entry.preview_environment}), deploys from {', '.join(refs) or 'nothing'}"
        )
    # The matrix document GitHub Actions reads (``include``), with the version every --json document carries.
    return EXIT_OK, {**matrix(entries), "schema_version": 1}, "\n".join(lines)


def _color() -> bool:
    """ANSI colour only on a terminal, and never with NO_COLOR set (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _output_format(args: argparse.Namespace) -> str:
    """``--format``, agreeing with ``--json`` (either one makes every document JSON, errors included)."""
    if args.json and args.format not in (None, "json"):
        raise BadInputError(f"--json and --format {args.format} disagree; pass one of them")
    if args.format == "json":
        args.json = True
    return "json" if args.json else args.format or "text"


def _diff_result(diff_format: str, base: Path, head: Callable[[], Plan]) -> Result:
    try:
        diff = diff_plans(load_plan(base), head())
    except DiffInputError as exc:
        raise BadInputError(str(exc)) from None
    text = render_markdown(diff) if diff_format == "markdown" else render_text(diff)
    return (EXIT_FINDINGS if diff.hazards else EXIT_OK), diff.to_json(), text


def _diff(args: argparse.Namespace) -> Result:
    return _diff_result(_output_format(args), args.base, lambda: load_plan(args.head))


def _plan(args: argparse.Namespace) -> Result:
    if args.against is None and args.format not in (None, "text", "json"):
        raise BadInputError(f"--format {args.format} needs --against BASE.json")
    plan_format = _output_format(args)
    result = plan_stack(args.cwd, args.stack)
    mandatory = [f for f in result.findings if f["level"] == "mandatory"]
    code = EXIT_FINDINGS if mandatory else EXIT_OK
    if args.against is not None:

        def head() -> Plan:
            return plan_from_json(result.to_json(), f"plan of {args.stack}")

        diff_code, document, text = _diff_result(plan_format, args.against, head)
        return max(code, diff_code), document, text
    if args.show:
        try:
            text = render_resource(result, args.show)
            document = find_resource(result, args.show).to_json()
        except UnknownResourceError as exc:
            raise BadInputError(str(exc)) from None
        return code, {**document, "schema_version": 1}, text
    view = View(verbose=args.verbose, all_findings=args.all_findings, color=_color())
    return code, result.to_json(), render_plan(result, view)


def _graph(args: argparse.Namespace) -> Result:
    inventory = plan_stack(args.cwd, args.stack).inventory
    return EXIT_OK, component_graph(inventory).to_json(), mermaid(inventory).rstrip("\n")


def _new_stage(args: argparse.Namespace) -> Result:
    try:
        created = create_stage(
            args.cwd, args.name, args.source, profile=args.profile, cidr=args.cidr, branch=args.branch
        )
    except NewStageError as exc:
        raise BadInputError(str(exc)) from None
    try:
        result = plan_stack(args.cwd, args.name)
    except (ConfigError, StackFileError, ComponentInputError) as exc:
        rejected = created.reject(str(exc))
        raise BadInputError(
            f"the new stage does not plan, so it was kept as {rejected.name} with the errors at its top "
            f"(fix them, then rename it to {created.path.name}):\n{exc}"
        ) from None
    mandatory = [f for f in result.findings if f["level"] == "mandatory"]
    lines = [f"Wrote {created.path} (VPC {created.cidr}); it plans {len(result.inventory.resources)} resources."]
    lines += [f"  note: {note}" for note in created.notes]
    lines += [f"  mandatory: {f['rule']}: {f['message']}" for f in mandatory]
    lines += ["Next, in this order:", *(f"  {c}" for c in created.next_commands())]
    document = {
        "schema_version": 1,
        "path": str(created.path),
        "cidr": created.cidr,
        "resources": len(result.inventory.resources),
        "notes": list(created.notes),
        "mandatory": mandatory,
        "next_commands": list(created.next_commands()),
    }
    return (EXIT_FINDINGS if mandatory else EXIT_OK), document, "\n".join(lines)


def _check(args: argparse.Namespace) -> Result:
    report = check_project(args.cwd)
    if not args.json:
        for error in report.errors:
            print(f"error: {error}", file=sys.stderr)
    lines = [*(f"conflict: {c}" for c in report.conflicts), *(f"warning: {w}" for w in report.warnings)]
    if report.exit_code == 0:
        lines.append(f"No conflicts between {len(report.stacks)} stacks: {', '.join(report.stacks)}")
    return report.exit_code, report.to_json(), "\n".join(lines)


def _schema(args: argparse.Namespace) -> Result:
    # A JSON Schema is a document of its own standard (its $schema says which), so it carries no schema_version.
    document = stack_file_schema(args.layer)
    return EXIT_OK, document, json.dumps(document, indent=2, sort_keys=True)


COMMANDS: dict[str, Callable[[argparse.Namespace], Result]] = {
    "schema": _schema,
    "plan": _plan,
    "diff": _diff,
    "graph": _graph,
    "check": _check,
    "new-stage": _new_stage,
    "stacks": _stacks,
}


def _error(args: argparse.Namespace, code: int, kind: str, message: str, problems: list[dict[str, str]]) -> int:
    """Report an error: text on stderr, and with ``--json`` the error document on stdout."""
    print(message, file=sys.stderr)
    if args.json:
        document = {
            "schema_version": ERROR_SCHEMA_VERSION,
            "command": args.command,
            "exit_code": code,
            "error": {"kind": kind, "message": message, "problems": problems},
        }
        print(json.dumps(document, indent=2, sort_keys=True))
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        code, document, text = COMMANDS[args.command](args)
    except ConfigError as exc:
        problems = [{"key": p.key, "message": p.message} for p in exc.problems]
        return _error(args, EXIT_BAD_INPUT, "config", f"error: {exc}", problems)
    except (StackFileError, ComponentInputError, BadInputError) as exc:
        return _error(args, EXIT_BAD_INPUT, "input", f"error: {exc}", [])
    except Exception as exc:
        if args.debug:
            raise
        message = f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for a traceback)"
        return _error(args, EXIT_INTERNAL, "internal", message, [])
    if args.json and document is not None:
        print(json.dumps(document, indent=2, sort_keys=True))
    elif text:
        print(text)
    return code


def entry() -> None:
    """Console-script entry point."""
    try:
        sys.exit(main())
    except BrokenPipeError:  # `stagecraft plan staging | head`: the reader left; not an error of ours
        sys.stderr.close()
        sys.exit(EXIT_OK)
