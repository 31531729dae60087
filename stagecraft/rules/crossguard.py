"""The same rules as CrossGuard policies (``pulumi_policy``), without constructing a ``PolicyPack``.

``policy/__main__.py`` is the only place that builds the pack: the ``PolicyPack`` constructor starts
the analyzer server and blocks. Each rule becomes one policy named by its id, at its level for the
chosen profile; ``--policy-pack-config policy/profiles/<profile>.json`` sets the same levels per stack.

The analyzer hands resource policies inputs after the provider's Check (defaults filled in) and stack
policies the resources' outputs; the plan records raw program inputs under mocks. Values unknown
during a preview raise ``UnknownValueError`` when a rule reads them, which Pulumi reports as a policy
that could not run during preview.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from stagecraft.plan.inventory import Inventory, RecordedResource
from stagecraft.rules.model import Options, Profile, Rule
from stagecraft.rules.registry import RULES, check_profile

_LEVELS = {"advisory": EnforcementLevel.ADVISORY, "mandatory": EnforcementLevel.MANDATORY}


def resource_validator(rule: Rule) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    """The validate function of a resource rule's policy."""
    check = rule.check
    if check is None:
        raise ValueError(f"rule {rule.id} is a stack rule")

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        if not rule.pack:
            args.not_applicable(rule.pack_note)
        opts = args.opts
        options = Options(
            protect=bool(opts.protect),
            ignore_changes=tuple(opts.ignore_changes or ()),
            parent=getattr(opts, "parent", None),
            provider=args.provider.urn if args.provider is not None else None,
        )
        for message in check(args.resource_type, args.props, options):
            report_violation(f"{args.resource_type} {args.name}: {message}", None)

    return validate


def inventory_of(resources: Sequence[PolicyResource], project: str = "", stack: str = "") -> Inventory:
    """An :class:`Inventory` view of the analyzer's stack resources (dependencies include property ones)."""
    recorded = []
    for resource in resources:
        dependencies = {d.urn for d in resource.dependencies}
        for deps in resource.property_dependencies.values():
            dependencies |= {d.urn for d in deps}
        recorded.append(
            RecordedResource(
                urn=resource.urn,
                type=resource.resource_type,
                name=resource.name,
                parent=resource.parent.urn if resource.parent is not None else None,
                custom=not resource.resource_type.startswith("pulumi:"),
                provider=resource.provider.urn if resource.provider is not None else None,
                # The analyzer's props are a Mapping proxy that raises on unknown values; keep it as is.
                inputs=cast(dict[str, Any], resource.props),
                dependencies=tuple(sorted(dependencies)),
                protect=bool(resource.opts.protect),
                retain_on_delete=False,
                ignore_changes=tuple(resource.opts.ignore_changes or ()),
            )
        )
    return Inventory(project=project, stack=stack, resources=sorted(recorded, key=lambda r: r.urn))


def stack_validator(rule: Rule) -> Callable[[StackValidationArgs, ReportViolation], None]:
    """The validate function of a stack rule's policy."""
    check = rule.stack_check
    if check is None:
        raise ValueError(f"rule {rule.id} is a resource rule")

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        if not rule.pack:
            args.not_applicable(rule.pack_note)
        for urn, message in check(inventory_of(args.resources)):
            report_violation(message, urn)

    return validate


def policy_for(rule: Rule, profile: Profile) -> Policy:
    """The CrossGuard policy enforcing ``rule`` at its ``profile`` level."""
    level = _LEVELS[rule.level(profile)]
    common: Mapping[str, Any] = {"enforcement_level": level, "url": rule.url, "tags": [rule.control]}
    if rule.check is not None:
        return ResourceValidationPolicy(rule.id, rule.description, validate=resource_validator(rule), **common)
    return StackValidationPolicy(rule.id, rule.description, validate=stack_validator(rule), **common)


def policies(profile: str = "production", rules: Sequence[Rule] = RULES) -> list[Policy]:
    """One policy per rule, at ``profile``'s levels."""
    checked = check_profile(profile)
    return [policy_for(rule, checked) for rule in rules]
