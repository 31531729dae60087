"""The rule registry, the controls that cannot apply, and ``evaluate`` over a recorded inventory."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from stagecraft.plan.inventory import Inventory
from stagecraft.rules import compute, github, identity, kubernetes, names, network, rds, storage
from stagecraft.rules.model import PROFILES, Finding, NotApplicable, Options, Profile, Rule

RULES: tuple[Rule, ...] = tuple(
    sorted(
        (
            *network.RULES,
            *rds.RULES,
            *storage.RULES,
            *compute.RULES,
            *kubernetes.RULES,
            *identity.RULES,
            *github.RULES,
            *names.RULES,
        ),
        key=lambda r: r.id,
    )
)
"""Every rule, by id."""

FLOOR_ACKNOWLEDGED = "floor-acknowledged"
"""The id of the advisory finding recording an acknowledged weakening of a production floor."""

_NO_TASKS = "this project creates no ECS services, task definitions or task sets (workloads deploy from app repos)"
_RUNTIME = "needs running instances or AWS-created data, not declared resources"
_ACCOUNT = "an account- or Region-level setting, created once outside the per-stage stacks"

NOT_APPLICABLE: tuple[NotApplicable, ...] = (
    NotApplicable("FSBP EC2.1, EC2.3, EC2.4, EC2.8, EC2.9, EC2.17, EC2.24, EC2.180", _RUNTIME + " (EKS nodes)"),
    NotApplicable("FSBP EC2.7, EC2.172, S3.1, RDS.21, RDS.22, GuardDuty.*, Inspector.2, Config.1", _ACCOUNT),
    NotApplicable(
        "FSBP EC2.10, EC2.57, EC2.58, EC2.60",
        "no workload calls the EC2, SSM or Incident Manager APIs from inside the VPC; "
        "each interface endpoint costs per AZ-hour, so these are suppressed with this rationale "
        "(the needed endpoints are rule vpc-interface-endpoints)",
    ),
    NotApplicable("FSBP EC2.20, EC2.23, EC2.51, EC2.171, EC2.173", "no VPN, transit gateway, Client VPN or Spot Fleet"),
    NotApplicable(
        "FSBP AutoScaling.1, AutoScaling.9",
        "node-group ASGs are created by EKS, use launch templates and no load balancer",
    ),
    NotApplicable("FSBP AutoScaling.3, AutoScaling.5, AutoScaling.4", "launch configurations are not used"),
    NotApplicable("FSBP ECS.1, ECS.2, ECS.3, ECS.4, ECS.5, ECS.8, ECS.9, ECS.10, ECS.16", _NO_TASKS),
    NotApplicable(
        "FSBP EKS.2 (as a mandatory rule), ECS.10",
        "time-dependent (supported or latest version changes with the calendar); the config allows only versions "
        "in standard support on the calendar's date, and the notice eks-standard-support-ending warns",
    ),
    NotApplicable("FSBP RDS.1, RDS.4", _RUNTIME + " (snapshots)"),
    NotApplicable(
        "FSBP RDS.19, RDS.20",
        "no event subscriptions are declared per stage; RDS.20 evaluates only existing ones",
    ),
    NotApplicable(
        "FSBP RDS.7, RDS.12, RDS.14-16, RDS.24, RDS.27, RDS.34, RDS.35, RDS.37, RDS.40-45, RDS.47, RDS.48",
        "Aurora cluster, SQL Server, MariaDB and RDS Proxy controls; only a PostgreSQL DB instance is created",
    ),
    NotApplicable(
        "FSBP S3.9",
        "not a rule: the backup bucket logs to its own access-log bucket (components/access_log_bucket.py), "
        "which cannot log to itself, and the bootstrap's state bucket and the backup replica do not log yet; "
        "CloudTrail data events cover bucket access (account level)",
    ),
    NotApplicable("FSBP S3.19, S3.24, S3.25", "no access points, Multi-Region Access Points or directory buckets"),
    NotApplicable("FSBP KMS.3", _RUNTIME + " (key state); rule stateful-protected keeps keys from deletion"),
    NotApplicable("FSBP IAM.2-IAM.8", "no IAM users or access keys (GitHub OIDC); account state"),
    NotApplicable(
        "FSBP SecretsManager.1-4",
        "the RDS-managed master secret is created by RDS with rotation on; " + _RUNTIME,
    ),
    NotApplicable(
        "Scorecard Branch-Protection T4 (CODEOWNERS file)",
        "file presence is repository content, not an input",
    ),
)


def rule(rule_id: str) -> Rule:
    """The rule with id ``rule_id``."""
    for candidate in RULES:
        if candidate.id == rule_id:
            return candidate
    raise KeyError(rule_id)


def check_profile(profile: str) -> Profile:
    """``profile`` as a :data:`Profile`, or ValueError naming the allowed ones."""
    for known in PROFILES:
        if profile == known:
            return known
    raise ValueError(f"profile {profile!r} is not one of {', '.join(PROFILES)}")


def evaluate(
    inventory: Inventory,
    profile: str,
    acknowledged: Iterable[Mapping[str, str]] = (),
    rules: Sequence[Rule] = RULES,
) -> list[Finding]:
    """Run the rules over ``inventory`` at ``profile``'s levels; one advisory finding per acknowledgement.

    ``acknowledged`` is the config loader's list of ``{"key", "reason"}`` production-floor weakenings.
    Findings are sorted: mandatory first, then by rule id, URN and message.
    """
    level_profile = check_profile(profile)
    custom = [r for r in inventory.resources if r.custom]
    view = Inventory(project=inventory.project, stack=inventory.stack, resources=custom, outputs=inventory.outputs)
    findings: list[Finding] = []
    for current in rules:
        level = current.level(level_profile)
        if current.stack_check is not None:
            findings += [Finding(current.id, level, urn, msg) for urn, msg in current.stack_check(view)]
            continue
        assert current.check is not None
        for resource in custom:
            if resource.type in current.types:
                for message in current.check(resource.type, resource.inputs, Options.of(resource)):
                    findings.append(
                        Finding(current.id, level, resource.urn, f"{resource.type} {resource.name}: {message}")
                    )
    for ack in acknowledged:
        message = f"production floor {ack['key']} weakened, acknowledged: {ack['reason']}"
        findings.append(Finding(FLOOR_ACKNOWLEDGED, "advisory", None, message))
    return sorted(findings, key=Finding.sort_key)
