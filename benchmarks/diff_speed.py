"""How long `stagecraft diff` of two production plans takes: the whole command, and the diff itself.

Target (issue 12): under a second for two production plans. The plans are the shipped production stack and a
copy whose tags and database name changed (every tagged resource updated, the database and its task replaced:
about the largest diff a stage gives). This measures and prints; it asserts nothing and is not part of the test
suite (timings depend on the machine).

    .venv/bin/python benchmarks/diff_speed.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 1.0


def _plans(directory: Path) -> tuple[Path, Path]:
    """The production plan and the changed one, as ``plan --json`` documents in ``directory``."""
    from stagecraft.plan.build import plan_stack

    project = directory / "project"
    project.mkdir()
    for name in ("Pulumi.yaml", "__main__.py", "Pulumi.production.yaml"):
        shutil.copy(ROOT / name, project / name)
    stack_file = project / "Pulumi.production.yaml"
    document = yaml.safe_load(stack_file.read_text())
    settings = document["config"]["stagecraft:stage"]
    settings["tags"] = {**settings.get("tags", {}), "team": "ledger"}
    settings["database"] = {**settings.get("database", {}), "db_name": "ledger"}
    stack_file.write_text(yaml.safe_dump(document, sort_keys=False))
    base, head = directory / "base.json", directory / "head.json"
    base.write_text(json.dumps(plan_stack(ROOT, "production").to_json()))
    head.write_text(json.dumps(plan_stack(project, "production").to_json()))
    return base, head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from stagecraft.diff import diff_plans, load_plan
    from stagecraft.diff.render import render_markdown, render_text

    with tempfile.TemporaryDirectory() as tmp:
        base, head = _plans(Path(tmp))
        command = [
            str(Path(sys.executable).parent / "stagecraft"),
            "diff",
            str(base),
            str(head),
            "--format",
            "markdown",
        ]
        whole, inner = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            code = subprocess.run(command, capture_output=True, check=False).returncode
            whole.append(time.perf_counter() - start)
            assert code in (0, 1), f"stagecraft diff exited {code}"
            start = time.perf_counter()
            diff = diff_plans(load_plan(base), load_plan(head))
            render_text(diff)
            render_markdown(diff)
            inner.append(time.perf_counter() - start)
        counts = diff.counts()
    median = statistics.median(whole)
    print(f"diff of two production plans ({counts['update']} updates, {counts['replace']} replacements):")
    print(f"  stagecraft diff (the command, process start and imports included): {median:.2f} s median of {args.runs}")
    print(f"  load + diff + render in process: {statistics.median(inner) * 1000:.0f} ms median")
    print(f"  target: under {TARGET_SECONDS:.0f} s: {'met' if median < TARGET_SECONDS else 'NOT met'}")


if __name__ == "__main__":
    main()
