"""The rule model: what a rule checks, where it comes from, and how strict each profile is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from stagecraft.plan.inventory import Inventory, RecordedResource

Level = Literal["advisory", "mandatory"]
Profile = Literal["development", "staging", "production"]
PROFILES: tuple[Profile, ...] = ("development", "staging", "production")

MANDATORY: dict[Profile, Level] = {
    "development": "mandatory",
    "staging": "mandatory",
    "production": "mandatory",
}
"""The default: mandatory in every profile."""

RELAXED: dict[Profile, Level] = {"development": "advisory", "staging": "mandatory", "production": "mandatory"}
"""Advisory in development only."""

PRODUCTION_ONLY: dict[Profile, Level] = {
    "development": "advisory",
    "staging": "advisory",
    "production": "mandatory",
}
"""Advisory outside production (where the cost is not worth it)."""

NOTICE: dict[Profile, Level] = {"development": "advisory", "staging": "advisory", "production": "advisory"}
"""Advisory everywhere: only for a ``notice`` rule (a date coming, not a defect in the inventory)."""


@dataclass(frozen=True)
class Options:
    """The resource options a rule may read (a ``ResourceOptions``-like record)."""

    protect: bool = False
    retain_on_delete: bool = False
    ignore_changes: tuple[str, ...] = ()
    parent: str | None = None
    provider: str | None = None

    @staticmethod
    def of(resource: RecordedResource) -> Options:
        """The options a recorded resource was registered with."""
        return Options(
            protect=resource.protect,
            retain_on_delete=resource.retain_on_delete,
            ignore_changes=resource.ignore_changes,
            parent=resource.parent,
            provider=resource.provider,
        )


ResourceCheck = Callable[[str, Mapping[str, Any], Options], list[str]]
"""``(type, inputs, options) -> messages``; each message names the property, the value and the requirement."""

StackCheck = Callable[[Inventory], list[tuple[str | None, str]]]
"""``inventory -> [(urn, message)]``; each message names the resource it is about."""


@dataclass(frozen=True)
class Rule:
    """One guardrail, shared by the offline plan and the CrossGuard pack.

    A resource rule has ``types`` and ``check``; a stack rule has ``stack_check``. ``pack`` is false
    for a rule the CrossGuard analyzer cannot decide (``pack_note`` says why); the pack reports such
    a rule as not applicable instead of guessing.
    """

    id: str
    description: str
    control: str
    url: str
    levels: Mapping[Profile, Level]
    types: tuple[str, ...] = ()
    check: ResourceCheck | None = None
    stack_check: StackCheck | None = None
    pack: bool = True
    pack_note: str = ""
    tags: tuple[str, ...] = field(default=())
    notice: bool = False
    """A time-dependent warning (a support date nears): advisory in every profile, never blocks a deploy."""

    def __post_init__(self) -> None:
        if set(self.levels) != set(PROFILES):
            raise ValueError(f"rule {self.id}: levels must name {PROFILES}, got {sorted(self.levels)}")
        if self.notice and set(self.levels.values()) != {"advisory"}:
            raise ValueError(f"rule {self.id}: a notice is advisory in every profile")
        if not self.notice and self.levels["production"] != "mandatory":
            raise ValueError(f"rule {self.id}: production must be mandatory")
        if (self.check is None) == (self.stack_check is None):
            raise ValueError(f"rule {self.id}: exactly one of check and stack_check is required")
        if self.check is not None and not self.types:
            raise ValueError(f"rule {self.id}: a resource rule needs types")
        if not self.pack and not self.pack_note:
            raise ValueError(f"rule {self.id}: a plan-only rule needs pack_note")

    def level(self, profile: Profile) -> Level:
        """The level of this rule's findings under ``profile``."""
        return self.levels[profile]


@dataclass(frozen=True)
class Finding:
    """One rule violation (or one acknowledged floor weakening)."""

    rule: str
    level: Level
    urn: str | None
    message: str

    def sort_key(self) -> tuple[int, str, str, str]:
        """Mandatory first, then by rule id, URN and message."""
        return (0 if self.level == "mandatory" else 1, self.rule, self.urn or "", self.message)

    def to_json(self) -> dict[str, Any]:
        """The finding as it appears in ``stagecraft plan --json``."""
        return {"rule": self.rule, "level": self.level, "urn": self.urn, "message": self.message}


@dataclass(frozen=True)
class NotApplicable:
    """A control this project does not check from an inventory, and why."""

    control: str
    reason: str
