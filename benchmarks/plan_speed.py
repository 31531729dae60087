"""How long `stagecraft plan production` takes, against importing the four Pulumi SDKs.

Target (Foundation issue): at most 3x the import time. This measures and prints; it asserts nothing
and is not part of the test suite (timings depend on the machine).

    .venv/bin/python benchmarks/plan_speed.py [--runs N] [--stack production]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = "import pulumi, pulumi_aws, pulumi_github, pulumi_kubernetes"
# The four packages load their resource modules lazily, so IMPORTS alone loads almost nothing. The
# second baseline also touches the submodules a stage uses: the import cost no plan can avoid.
SUBMODULES = "import pulumi, " + ", ".join(
    [f"pulumi_aws.{m}" for m in ("ec2", "vpc", "iam", "kms", "ecr", "ecs", "eks", "rds", "s3", "cloudwatch")]
    + ["pulumi_kubernetes.core.v1", "pulumi_kubernetes.networking.v1", "pulumi_kubernetes.rbac.v1", "pulumi_github"]
)
TARGET_RATIO = 3.0


def _time(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
        if done.returncode not in (0, 1):  # 1 = a mandatory finding: the plan still ran to the end
            raise SystemExit(f"{' '.join(command)} failed with exit code {done.returncode}")
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    """Measure both commands and print the ratio against the target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--stack", default="production")
    args = parser.parse_args()
    python = sys.executable
    imports = _time([python, "-c", IMPORTS], args.runs)
    submodules = _time([python, "-c", SUBMODULES], args.runs)
    plan = _time([python, "-m", "stagecraft", "plan", args.stack, "--json"], args.runs)
    for label, base in (("import SDKs (lazy)", imports), ("import SDKs + used submodules", submodules)):
        ratio = plan / base
        verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
        print(f"{label}: {base:.2f}s  plan {args.stack}: {plan:.2f}s  ratio {ratio:.2f} ({verdict} <= {TARGET_RATIO})")


if __name__ == "__main__":
    main()
