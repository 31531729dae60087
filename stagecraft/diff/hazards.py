"""The changes a reviewer must not miss: what a plain list of updates would bury.

- ``protected``: a protected resource replaced or deleted. The engine refuses it, so ``pulumi up`` fails
  until someone lifts ``protect`` in a separate change (https://www.pulumi.com/docs/iac/concepts/options/protect/).
- ``retained``: a ``retainOnDelete`` resource replaced or deleted. The engine only forgets the old one, which
  stays in the cloud, unmanaged and still billed (https://www.pulumi.com/docs/iac/concepts/options/retainondelete/).
- ``name-collision``: a fixed-name resource replaced create-before-delete (``deleteBeforeReplace`` false and a
  physical name input set, the name itself unchanged): the cloud refuses the second resource of that name
  (``stagecraft.replace.self_collision``).
- ``stateful``: a database, bucket, registry or key replaced or deleted: its data does not move with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stagecraft.diff.model import Change
from stagecraft.replace import known_types, self_collision

__all__ = ["HAZARD_RULES", "STATEFUL_TYPES", "Hazard", "hazards_of"]

STATEFUL_TYPES: dict[str, str] = {
    "aws:rds/instance:Instance": "database",
    "aws:rds/cluster:Cluster": "database",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:ecr/repository:Repository": "registry",
    "aws:kms/key:Key": "key",
}
"""Types whose resources hold data (or, for a key, make data readable) that a new resource does not have."""
HAZARD_RULES = ("protected", "retained", "name-collision", "stateful")


@dataclass(frozen=True)
class Hazard:
    """One hazard of one change."""

    rule: str
    change: Change
    message: str

    def to_json(self) -> dict[str, Any]:
        r = self.change.resource
        return {
            "rule": self.rule,
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "kind": self.change.kind,
            "message": self.message,
        }


def hazards_of(changes: list[Change]) -> list[Hazard]:
    """The hazards of ``changes``, in rule order then change order."""
    found = [h for change in changes if change.kind in ("replace", "delete") for h in _hazards(change)]
    return sorted(found, key=lambda h: HAZARD_RULES.index(h.rule))


def _hazards(change: Change) -> list[Hazard]:
    old = change.before
    assert old is not None
    new = change.after
    verb = "replaced" if change.kind == "replace" else "deleted"
    why = f" (changed: {', '.join(change.replace_paths)})" if change.replace_paths else ""
    found = []
    if old.protect or (new is not None and new.protect):
        found.append(
            Hazard(
                "protected",
                change,
                f"protected resource {verb}{why}: `pulumi up` fails until protect is "
                "lifted in a change of its own; make sure that is what you want",
            )
        )
    if old.retain_on_delete:
        found.append(
            Hazard(
                "retained",
                change,
                f"retainOnDelete resource {verb}{why}: the old one stays in the cloud, "
                "unmanaged and still billed, until someone deletes or imports it",
            )
        )
    if new is not None and new.type in known_types():
        collision = self_collision(new.type, old.inputs, new.inputs, delete_before_replace=new.delete_before_replace)
        if collision:
            found.append(
                Hazard(
                    "name-collision",
                    change,
                    f"fixed-name resource replaced create-before-delete "
                    f"(changed: {', '.join(collision)}): the new one asks for the name the old one still holds; "
                    "set deleteBeforeReplace or change the name too",
                )
            )
    kind = STATEFUL_TYPES.get(old.type)
    if kind:
        found.append(Hazard("stateful", change, f"{kind} {verb}{why}: its data does not move to a new resource"))
    return found
