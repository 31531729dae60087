"""Zones chosen by zone ID among those that offer the stage's instance types, before anything is created."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from infra.config import ConfigError, StageConfig
from infra.context import lookup_context
from infra.program import build_stage
from infra.zones import FARGATE, Zone, ZoneChoice, choose_zones, lookup_zones, zone_sort_key
from stagecraft.plan.mocks import PlanMocks
from stagecraft.plan.runner import run_program
from tests.infra.config.conftest import load, values

ADMIN = "arn:aws:iam::123456789012:role/platform-admin"
N = "stagecraft:stage.network"
GRAVITON = "m7g.large"


class CountingMocks(PlanMocks):
    """PlanMocks that count the resources the program registers."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(github_owner="amani-labs", github_repositories=["amani-backend"], **kwargs)
        self.created = 0

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.created += 1
        return super().new_resource(args)


def _config(network: dict[str, Any] | None = None, region: str = "us-east-1", **stage: Any) -> StageConfig:
    compute = {
        "eks": {
            "enabled": True,
            "admin_principal_arns": [ADMIN],
            "public_access_cidrs": ["203.0.113.0/24"],
            "node_groups": [
                {"name": "system", "instance_types": [GRAVITON], "min_size": 2, "desired_size": 2, "max_size": 3}
            ],
        }
    }
    raw = values(network={"cidr": "10.20.0.0/16", **(network or {})}, **{"compute": compute, **stage})
    raw["aws:region"] = region
    return load(raw)


def _ignore(_: object) -> None:
    """Run a lookup for its effect (the error) only."""


def _choose(config: StageConfig, mocks: PlanMocks) -> ZoneChoice:
    found: list[ZoneChoice] = []
    run_program(lambda: found.append(lookup_zones(config)), project="stagecraft", stack="staging", mocks=mocks)
    return found[0]


def test_a_zone_lacking_the_graviton_type_is_skipped_and_the_choice_says_why() -> None:
    choice = _choose(_config(), PlanMocks(missing_offerings={"use1-az1": [GRAVITON]}))
    assert choice.ids == ["use1-az2", "use1-az3"]
    assert choice.names == ["us-east-1b", "us-east-1c"]
    assert choice.to_json() == {
        "zones": [{"name": "us-east-1b", "id": "use1-az2"}, {"name": "us-east-1c", "id": "use1-az3"}],
        "source": "count",
        "checked_instance_types": [GRAVITON, "db.t4g.micro", FARGATE],
        "skipped": {"use1-az1": [GRAVITON]},
    }


def test_zones_follow_zone_id_order_not_name_order() -> None:
    # In this account us-east-1a is use1-az6: the physical zone, not the name, decides.
    mocks = PlanMocks(zone_ids=["use1-az6", "use1-az5", "use1-az4", "use1-az3", "use1-az2", "use1-az1"])
    choice = _choose(_config(), mocks)
    assert [(z.id, z.name) for z in choice.zones] == [("use1-az1", "us-east-1f"), ("use1-az2", "us-east-1e")]


def test_a_zone_lacking_the_database_class_is_skipped() -> None:
    choice = _choose(_config(), PlanMocks(missing_offerings={"use1-az2": ["db.t4g.micro"]}))
    assert choice.ids == ["use1-az1", "use1-az3"]
    assert choice.skipped == {"use1-az2": ("db.t4g.micro",)}


def test_without_eks_and_database_only_fargate_is_checked_and_its_documented_zones_apply() -> None:
    config = _config(region="us-west-1", database={"enabled": False}, compute={"eks": {"enabled": False}})
    choice = _choose(config, PlanMocks(region="us-west-1"))
    assert choice.required == (FARGATE,)
    # Linux Fargate runs only in usw1-az1 and usw1-az3 (ECS developer guide, AWS_Fargate-Regions).
    assert choice.ids == ["usw1-az1", "usw1-az3"]


def test_configured_zone_ids_are_honoured_in_their_order() -> None:
    config = _config({"zone_ids": ["use1-az4", "use1-az2"]})
    choice = _choose(config, PlanMocks(missing_offerings={"use1-az1": [GRAVITON]}))
    assert choice.source == "zone_ids"
    assert [(z.id, z.name) for z in choice.zones] == [("use1-az4", "us-east-1d"), ("use1-az2", "us-east-1b")]


def test_the_subnets_are_placed_in_the_chosen_zones_under_stable_names() -> None:
    mocks = CountingMocks(zone_ids=["use1-az3", "use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6"])
    inventory = run_program(
        lambda: build_stage(_config({"zone_ids": ["use1-az1", "use1-az3"]})),
        project="stagecraft",
        stack="staging",
        mocks=mocks,
    )
    subnets = {r.name: r.inputs["availabilityZone"] for r in inventory.of_type("aws:ec2/subnet:Subnet")}
    # use1-az1 is us-east-1b here, use1-az3 is us-east-1a; subnets keep their name-keyed logical names.
    assert subnets == {
        f"amani-backend-staging-{tier}-{zone}": zone
        for tier in ("public", "private", "isolated")
        for zone in ("us-east-1b", "us-east-1a")
    }
    assert inventory.outputs["zones"]["zones"] == [
        {"name": "us-east-1b", "id": "use1-az1"},
        {"name": "us-east-1a", "id": "use1-az3"},
    ]
    assert inventory.outputs["availability_zones"] == ["us-east-1b", "us-east-1a"]


def test_too_few_qualifying_zones_stop_the_stage_before_anything_is_created() -> None:
    missing = {f"use1-az{i}": [GRAVITON] for i in range(2, 7)}
    mocks = CountingMocks(missing_offerings=missing)
    with pytest.raises(ConfigError) as caught:
        run_program(lambda: build_stage(_config()), project="stagecraft", stack="staging", mocks=mocks)
    assert [str(p) for p in caught.value.problems] == [
        f"{N}.availability_zones: 2 is not allowed: only 1 of us-east-1's available zones offer every instance "
        f"type the stage uses ({GRAVITON}, db.t4g.micro, {FARGATE}): use1-az2 lacks {GRAVITON}; use1-az3 lacks "
        f"{GRAVITON}; use1-az4 lacks {GRAVITON}; use1-az5 lacks {GRAVITON}; use1-az6 lacks {GRAVITON}; lower "
        "availability_zones (within the profile's floor), or choose instance types every zone offers"
    ]
    assert mocks.created == 0


def test_a_configured_zone_lacking_a_type_is_an_error_naming_it_and_the_zones_that_would_do() -> None:
    config = _config({"zone_ids": ["use1-az1", "use1-az2"]})
    mocks = CountingMocks(missing_offerings={"use1-az2": [GRAVITON], "use1-az4": [GRAVITON]})
    with pytest.raises(ConfigError) as caught:
        run_program(lambda: _ignore(lookup_context(config)), project="stagecraft", stack="staging", mocks=mocks)
    assert [str(p) for p in caught.value.problems] == [
        f"{N}.zone_ids[1]: 'use1-az2' (us-east-1b, use1-az2) does not offer {GRAVITON}, which the stage uses "
        f"(checked: {GRAVITON}, db.t4g.micro, {FARGATE}); pick a zone that offers them: use1-az1 (us-east-1a), "
        "use1-az3 (us-east-1c), use1-az5 (us-east-1e), use1-az6 (us-east-1f)"
    ]
    assert mocks.created == 0


def test_a_configured_name_or_id_the_account_does_not_have_is_an_error() -> None:
    available = [Zone("us-east-1a", "use1-az2"), Zone("us-east-1b", "use1-az10"), Zone("us-east-1c", "use1-az9")]
    offered = {z.id: frozenset({"x"}) for z in available}
    with pytest.raises(ConfigError) as caught:
        choose_zones(_config({"zone_ids": ["use1-az2", "use1-az3"]}), available, offered, ["x"])
    assert [str(p) for p in caught.value.problems] == [
        f"{N}.zone_ids[1]: 'use1-az3' is not an available zone of us-east-1 in this account; available: "
        "use1-az2, use1-az9, use1-az10"
    ]
    names = _config({"availability_zones": ["us-east-1a", "us-east-1d"]})
    with pytest.raises(ConfigError) as caught:
        choose_zones(names, available, offered, ["x"])
    assert [str(p) for p in caught.value.problems] == [
        f"{N}.availability_zones[1]: 'us-east-1d' is not an available zone of us-east-1 in this account; "
        "available: us-east-1a, us-east-1b, us-east-1c"
    ]


def test_explicit_names_are_kept_and_reported_with_their_ids() -> None:
    available = [Zone("us-east-1a", "use1-az2"), Zone("us-east-1b", "use1-az1")]
    offered: dict[str, frozenset[str]] = {z.id: frozenset() for z in available}
    choice = choose_zones(_config({"availability_zones": ["us-east-1b", "us-east-1a"]}), available, offered, [])
    assert choice.source == "availability_zones"
    assert choice.ids == ["use1-az1", "use1-az2"]


def test_zone_ids_sort_by_number() -> None:
    assert sorted(["use1-az10", "use1-az2", "use1-az1"], key=zone_sort_key) == ["use1-az1", "use1-az2", "use1-az10"]


def test_a_database_class_the_region_does_not_offer_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(**_: Any) -> None:
        raise Exception(  # what the SDK raises for a failed invoke (pulumi/runtime/invoke.py)
            "invoke of aws:rds/getOrderableDbInstance:getOrderableDbInstance failed: no RDS DB Instance Class found"
        )

    monkeypatch.setattr("infra.zones.aws.rds.get_orderable_db_instance", refuse)
    mocks = CountingMocks()
    with pytest.raises(ConfigError) as caught:
        run_program(lambda: build_stage(_config()), project="stagecraft", stack="staging", mocks=mocks)
    (problem,) = caught.value.problems
    assert problem.key == "stagecraft:stage.database.instance_class"
    assert problem.message.startswith("'db.t4g.micro' is not allowed: RDS offers no PostgreSQL gp3 instance")
    assert mocks.created == 0
