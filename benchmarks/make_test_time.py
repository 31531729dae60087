"""How long `make test` takes with a warm virtualenv, and each of its steps, against the 120 s target.

Target (issue 13, "Fast tests"): `make test` under 120 s on a 2-core machine with a warm venv (the mypy cache kept;
CI starts cold). This measures and prints; it asserts nothing and is not part of the test suite (timings depend on
the machine and on what else runs on it).

    .venv/bin/python benchmarks/make_test_time.py [--steps]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 120.0
STEPS = ("lint", "types", "pytest")
"""The targets `make test` runs, in order."""


def timed(target: str) -> float:
    """Seconds `make <target>` takes; exits with its status when it fails."""
    start = time.perf_counter()
    result = subprocess.run(["make", "--no-print-directory", target], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        sys.exit(f"make {target} failed (exit {result.returncode})")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", action="store_true", help="also time lint, types and pytest on their own")
    args = parser.parse_args(argv)
    print(f"make test on {os.cpu_count()} CPUs (target: under {TARGET_SECONDS:.0f} s with a warm venv)")
    if args.steps:
        for step in STEPS:
            print(f"  make {step:<7} {timed(step):6.1f} s")
    total = timed("test")
    verdict = "meets" if total < TARGET_SECONDS else "misses"
    print(f"  make test    {total:6.1f} s  ({verdict} the target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
