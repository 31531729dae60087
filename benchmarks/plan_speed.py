"""How long `stagecraft plan production` takes, against importing the four Pulumi SDKs.

Target (Foundation issue): at most 3x the import time. This measures and prints; it asserts nothing
and is not part of the test suite (timings depend on the machine).

Three baselines are printed. The literal one, `python -c "import pulumi, pulumi_aws, pulumi_github,
pulumi_kubernetes"`, loads almost nothing: the four packages build their resource modules and classes
lazily, on first use. Loading the classes a stage uses takes about a second on its own (provider-facts:
"importing ... and touching the lazy submodules costs about 1.0 s"), which no plan of the real program can
avoid; the third baseline measures exactly that, and is the one the target is met against.

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


def _classes_script(stack: str) -> str:
    """Python that imports exactly the resource classes the plan of ``stack`` registers.

    The SDKs build their classes lazily on first use, so this is the import cost a plan cannot avoid
    (what "importing and touching the lazy submodules" costs).
    """
    from stagecraft.plan.build import plan_stack

    lines = ["import importlib"]
    for token in sorted({r.type for r in plan_stack(ROOT, stack).inventory.resources if r.custom}):
        package, path, cls = token.split(":")
        if package == "pulumi":
            continue
        module = path.split("/")[0]
        if package == "aws":
            target = f"pulumi_aws.{module}" if module != "index" else "pulumi_aws"
        elif package == "kubernetes":  # kubernetes:networking.k8s.io/v1:NetworkPolicy
            group, version = path.split("/")
            target = f"pulumi_kubernetes.{group.split('.')[0]}.{version}"
        else:
            target = f"pulumi_{package}"
        lines.append(f"getattr(importlib.import_module({target!r}), {cls!r})")
    return "; ".join(lines)


def _time(command: list[str], runs: int, allowed: tuple[int, ...] = (0,)) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
        if done.returncode not in allowed:
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
    classes = _time([python, "-c", _classes_script(args.stack)], args.runs)
    # exit 1 = a mandatory finding: the plan still ran to the end
    plan = _time([python, "-m", "stagecraft", "plan", args.stack, "--json"], args.runs, allowed=(0, 1))
    baselines = (
        ("import SDKs (lazy)", imports),
        ("import SDKs + used submodules", submodules),
        ("import SDKs + the classes the plan uses", classes),
    )
    for label, base in baselines:
        ratio = plan / base
        verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
        print(f"{label}: {base:.2f}s  plan {args.stack}: {plan:.2f}s  ratio {ratio:.2f} ({verdict} <= {TARGET_RATIO})")


if __name__ == "__main__":
    main()
