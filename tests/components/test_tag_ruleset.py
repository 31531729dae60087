from __future__ import annotations

import pytest

from components.errors import ComponentInputError
from components.tag_ruleset import TagRuleset, TagRulesetArgs, bypass_actor_problem
from stagecraft.plan.mocks import numeric_id
from stagecraft.plan.runner import run_program
from tests.conftest import RunProgram

RULESET = "github:index/repositoryRuleset:RepositoryRuleset"


def _build(name: str, args: TagRulesetArgs) -> None:
    TagRuleset(name, args)


def _args(**overrides: object) -> TagRulesetArgs:
    base: dict[str, object] = {"repository": "shop", "patterns": ["v*"], "bypass_actors": ["team:release"]}
    base.update(overrides)
    return TagRulesetArgs(**base)  # type: ignore[arg-type]


def test_release_tags_only_by_the_release_team(run: RunProgram) -> None:
    inv = run(lambda: _build("shop-tags-release", _args()))
    rs = inv.one(RULESET, "shop-tags-release-ruleset")
    assert rs.parent == inv.one("stagecraft:delivery:TagRuleset").urn
    # The team's numeric id comes from the get_team lookup of its slug, not from the slug itself.
    assert rs.inputs == {
        "bypassActors": [{"actorId": numeric_id("team", "release"), "actorType": "Team", "bypassMode": "always"}],
        "conditions": {"refName": {"excludes": [], "includes": ["refs/tags/v*"]}},
        "enforcement": "active",
        "name": "shop-tags-release",
        "repository": "shop",
        "rules": {"creation": True, "deletion": True, "nonFastForward": True, "update": True},
        "target": "tag",
    }


def test_every_kind_of_bypass_actor(run: RunProgram) -> None:
    actors = ["team:release", "user:wanjiru-kamau", "app:123456", "role:maintain", "role:admin"]
    inv = run(lambda: _build("t", _args(patterns=["v*", "release-*"], bypass_actors=actors)))
    rs = inv.one(RULESET).inputs
    assert rs["bypassActors"] == [
        {"actorId": numeric_id("team", "release"), "actorType": "Team", "bypassMode": "always"},
        {"actorId": numeric_id("user", "wanjiru-kamau"), "actorType": "User", "bypassMode": "always"},
        {"actorId": 123456, "actorType": "Integration", "bypassMode": "always"},
        {"actorId": 2, "actorType": "RepositoryRole", "bypassMode": "always"},
        {"actorId": 5, "actorType": "RepositoryRole", "bypassMode": "always"},
    ]
    assert rs["conditions"]["refName"]["includes"] == ["refs/tags/v*", "refs/tags/release-*"]


@pytest.mark.parametrize(
    ("overrides", "argument", "allowed"),
    [
        ({"repository": "example/shop"}, "repository", "a repository name without the owner"),
        ({"patterns": []}, "patterns", "at least one pattern, each once"),
        ({"patterns": ["v*", "v*"]}, "patterns", "at least one pattern, each once"),
        ({"patterns": ["refs/tags/v*"]}, "patterns", "a non-empty fnmatch pattern without whitespace and 'refs/tags/'"),
        ({"patterns": ["v *"]}, "patterns", "a non-empty fnmatch pattern without whitespace and 'refs/tags/'"),
        ({"bypass_actors": []}, "bypass_actors", "at least one actor; without one nobody can create a release tag"),
        ({"bypass_actors": ["user:Wanjiru", "user:wanjiru"]}, "bypass_actors", "each actor only once"),
    ],
)
def test_bad_inputs(overrides: dict[str, object], argument: str, allowed: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        run_program(lambda: _build("t", _args(**overrides)), project="p", stack="s")
    assert err.value.argument == argument
    assert str(err.value).endswith(f"is invalid: {allowed}")


@pytest.mark.parametrize("actor", ["release", "team:Release", "group:x", "app:0", "app:abc", "role:owner", "user:-x"])
def test_bad_bypass_actor(actor: str) -> None:
    message = (
        f"bypass actor {actor!r} must be 'team:<slug>', 'user:<login>', 'app:<numeric GitHub App id>' or "
        "'role:maintain|write|admin'"
    )
    assert bypass_actor_problem(actor) == message
    with pytest.raises(ComponentInputError) as err:
        run_program(lambda: _build("t", _args(bypass_actors=[actor])), project="p", stack="s")
    assert str(err.value) == f"TagRuleset: bypass_actors={actor!r} is invalid: {message}"
