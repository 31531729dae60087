"""A repository ruleset over release tags: only its bypass actors may create, move or delete them.

A stage that deploys from tags (``v*``) trusts whoever can push a matching tag as much as whoever can
merge into its branch. The ruleset's ``creation``, ``update`` and ``deletion`` rules limit those
operations to the bypass actors, and ``non_fast_forward`` refuses force-moving a tag
(rule names: https://github.com/integrations/terraform-provider-github/blob/main/docs/resources/repository_ruleset.md).
Bypass actors of type ``Team`` and ``User`` are numeric ids, looked up from the slug or login with the
``github.get_team`` / ``github.get_user`` invokes; ``Integration`` takes the GitHub App id and
``RepositoryRole`` the base role's id (maintain 2, write 4, admin 5).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_github as github

from components.errors import ComponentInputError
from components.naming import GITHUB_LOGIN, GITHUB_TEAM_SLUG

_COMPONENT = "TagRuleset"
REPOSITORY_ROLE_IDS = {"maintain": 2, "write": 4, "admin": 5}
"""``RepositoryRole`` bypass actor ids of GitHub's base repository roles."""
_PATTERN_FORBIDDEN = re.compile(r"\s")


@dataclass(frozen=True, kw_only=True)
class TagRulesetArgs:
    """Inputs of :class:`TagRuleset`."""

    repository: str
    """Repository name (without owner)."""
    patterns: Sequence[str]
    """Tag name patterns (fnmatch, without ``refs/tags/``), e.g. ``v*``."""
    bypass_actors: Sequence[str]
    """Who may create, update and delete matching tags: ``team:<slug>``, ``user:<login>``, ``app:<app id>``
    or ``role:maintain|write|admin``. At least one."""


class TagRuleset(pulumi.ComponentResource):
    """Locks release tags: creation, update and deletion only by the bypass actors; no force-moves.

    The ruleset is named after the component. Uses the default GitHub provider unless one is passed.
    """

    patterns: list[str]
    """The tag patterns covered, as given."""
    team_ids: pulumi.Output[list[int]]
    """Numeric ids of the bypass teams, in the order given."""

    def __init__(self, name: str, args: TagRulesetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:delivery:TagRuleset", name, None, opts)
        teams, users, apps, roles = _validate(args)
        lookup = pulumi.InvokeOutputOptions(parent=self)
        team_ids = [github.get_team_output(slug=t, summary_only=True, opts=lookup).id.apply(int) for t in teams]
        user_ids = [github.get_user_output(username=u, opts=lookup).id.apply(int) for u in users]
        actors = [
            *[_actor("Team", i) for i in team_ids],
            *[_actor("User", i) for i in user_ids],
            *[_actor("Integration", a) for a in apps],
            *[_actor("RepositoryRole", REPOSITORY_ROLE_IDS[r]) for r in roles],
        ]
        github.RepositoryRuleset(
            f"{name}-ruleset",
            name=name,
            repository=args.repository,
            target="tag",
            enforcement="active",
            conditions=github.RepositoryRulesetConditionsArgs(
                ref_name=github.RepositoryRulesetConditionsRefNameArgs(
                    includes=[f"refs/tags/{p}" for p in args.patterns], excludes=[]
                )
            ),
            bypass_actors=actors,
            rules=github.RepositoryRulesetRulesArgs(creation=True, update=True, deletion=True, non_fast_forward=True),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.patterns = list(args.patterns)
        self.team_ids = pulumi.Output.all(*team_ids).apply(list)
        self.register_outputs({"patterns": self.patterns, "team_ids": self.team_ids})


def _actor(kind: str, actor_id: pulumi.Input[int]) -> github.RepositoryRulesetBypassActorArgs:
    # Tags are pushed, never merged through a pull request, so the bypass must be "always".
    return github.RepositoryRulesetBypassActorArgs(actor_type=kind, actor_id=actor_id, bypass_mode="always")


def _validate(args: TagRulesetArgs) -> tuple[list[str], list[str], list[int], list[str]]:
    """Check every argument; return the team slugs, user logins, app ids and role names of the actors."""
    if not args.repository or "/" in args.repository:
        raise ComponentInputError(_COMPONENT, "repository", args.repository, "a repository name without the owner")
    if not args.patterns or len(set(args.patterns)) != len(args.patterns):
        raise ComponentInputError(_COMPONENT, "patterns", list(args.patterns), "at least one pattern, each once")
    for pattern in args.patterns:
        if not pattern or _PATTERN_FORBIDDEN.search(pattern) or pattern.startswith("refs/"):
            raise ComponentInputError(
                _COMPONENT, "patterns", pattern, "a non-empty fnmatch pattern without whitespace and 'refs/tags/'"
            )
    if not args.bypass_actors:
        raise ComponentInputError(
            _COMPONENT, "bypass_actors", [], "at least one actor; without one nobody can create a release tag"
        )
    by_kind: dict[str, list[str]] = {"team": [], "user": [], "app": [], "role": []}
    for actor in args.bypass_actors:
        if problem := bypass_actor_problem(actor):
            raise ComponentInputError(_COMPONENT, "bypass_actors", actor, problem)
        kind, _, ident = actor.partition(":")
        by_kind[kind].append(ident)
    if len({a.lower() for a in args.bypass_actors}) != len(args.bypass_actors):
        raise ComponentInputError(_COMPONENT, "bypass_actors", list(args.bypass_actors), "each actor only once")
    return by_kind["team"], by_kind["user"], [int(a) for a in by_kind["app"]], by_kind["role"]


def bypass_actor_problem(actor: str) -> str | None:
    """Why ``actor`` cannot name a bypass actor (``team:<slug>``, ``user:<login>``, ``app:<id>``, ``role:<role>``)."""
    kind, _, ident = actor.partition(":")
    ok = {
        "team": bool(GITHUB_TEAM_SLUG.fullmatch(ident)),
        "user": bool(GITHUB_LOGIN.fullmatch(ident)),
        "app": ident.isascii() and ident.isdigit() and int(ident) > 0,
        "role": ident in REPOSITORY_ROLE_IDS,
    }.get(kind, False)
    if ok:
        return None
    return (
        f"bypass actor {actor!r} must be 'team:<slug>', 'user:<login>', 'app:<numeric GitHub App id>' or "
        f"'role:{'|'.join(REPOSITORY_ROLE_IDS)}'"
    )
