"""The shipped stacks' references, and the text plan showing computed values as their source."""

from __future__ import annotations

from typing import Any

from stagecraft.plan.build import PlanResult
from stagecraft.plan.inventory import SECRET, RecordedResource
from stagecraft.plan.references import Reference, References, Source
from stagecraft.plan.render import render_plan, render_resource
from stagecraft.plan.shown import display_names, shown
from tests.conftest import ShippedPlan
from tests.shipped import RESOURCE_KEYS, ROOT


def _at(value: Any, path: str) -> Any:
    """The value at a path without quoted keys (``a.b[0].c``), as the shipped stacks' paths are."""
    for part in path.replace("]", "").replace("[", ".").split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def test_every_reference_points_into_the_inputs_and_at_an_earlier_resource(shipped_plan: ShippedPlan) -> None:
    for folder, stack in (
        (ROOT, "production"),
        (ROOT / "bootstrap", "amani-production"),
        (ROOT / "cluster", "staging"),
    ):
        result = shipped_plan(folder, stack)
        urns = {r.urn for r in result.inventory.resources}
        for resource in result.inventory.resources:
            assert tuple(resource.to_json()) == RESOURCE_KEYS
            for path, refs in resource.references.items():
                value = _at(resource.inputs, path)
                assert isinstance(value, str | int) and not isinstance(value, bool), (resource.name, path)
                for ref in refs:
                    assert ref.sources
                    for source in ref.sources:
                        assert source.urn != resource.urn
                        reads = source.urn is not None and "StackReference" in source.urn
                        assert source.urn is None or source.urn in urns or reads
                    if isinstance(ref.within, tuple):
                        assert isinstance(value, str)
                        start, end = ref.within
                        assert 0 <= start < end <= len(value) and end - start < len(value)


def _show(result: PlanResult, resource: RecordedResource) -> str:
    return render_resource(result, resource.urn)


def test_a_subnet_shows_the_vpc_id_as_its_source(shipped_plan: ShippedPlan) -> None:
    result = shipped_plan(ROOT, "production")
    subnet = result.inventory.one("aws:ec2/subnet:Subnet", "amani-backend-production-private-us-east-1a")
    vpc = result.inventory.one("aws:ec2/vpc:Vpc")
    assert subnet.references["vpcId"] == (Reference((Source(vpc.urn, None, "id"),)),)
    text = _show(result, subnet)
    assert "  vpcId: <- amani-backend-production-vpc.id" in text.splitlines()
    assert subnet.inputs["vpcId"] not in text


def test_the_database_host_is_shown_as_the_instance_address_not_made_up(shipped_plan: ShippedPlan) -> None:
    result = shipped_plan(ROOT, "production")
    database = result.inventory.one("aws:rds/instance:Instance")
    task = result.inventory.one("aws:ecs/taskDefinition:TaskDefinition")
    text = _show(result, task)
    assert "rds.amazonaws.com" in task.inputs["containerDefinitions"]
    assert "rds.amazonaws.com" not in text
    assert f"{{<- {database.name}.address}}" in text
    plan = render_plan(result)
    outputs = plan[plan.index("\nOutputs:") :]
    assert f"DATABASE_ENDPOINT: <- {database.name}.endpoint" in outputs
    assert "rds.amazonaws.com" not in outputs
    assert "deploy_role_arn: <- amani-backend-production-deploy-role.arn" in outputs
    # Values the program knows print as they are.
    assert "  region: us-east-1" in outputs.splitlines()
    # The header says when each kind of source is known: a lookup resolves at preview, unlike an output.
    header = outputs.splitlines()[1]
    assert header.startswith("Outputs:  (<- SOURCE:"), header
    assert "resource output is known after deploy" in header and "a lookup at preview" in header
    assert "offline values are made up" in header
    assert (
        "kubeconfig: '[secret] (embeds <- amani-backend-production-cluster[aws:eks/cluster:Cluster].endpoint" in outputs
    )


def test_the_cluster_layer_reads_its_kubeconfig_from_the_stage_reference(shipped_plan: ShippedPlan) -> None:
    result = shipped_plan(ROOT / "cluster", "staging")
    provider = result.inventory.one("pulumi:providers:kubernetes")
    (ref,) = provider.references["kubeconfig"]
    (source,) = ref.sources
    assert source.urn is not None and source.urn.endswith(
        "pulumi:pulumi:StackReference::organization/stagecraft/staging"
    )
    assert (source.output, ref.within) == ("outputs.kubeconfig", None)
    assert f"kubeconfig: '{SECRET} <- organization/stagecraft/staging.outputs.kubeconfig'" in _show(result, provider)


def test_zone_names_come_from_the_zones_invoke(shipped_plan: ShippedPlan) -> None:
    result = shipped_plan(ROOT, "staging")
    subnet = result.inventory.one("aws:ec2/subnet:Subnet", "amani-backend-staging-public-us-east-1b")
    (ref,) = subnet.references["availabilityZone"]
    assert ref.sources == (Source(None, "aws:index/getAvailabilityZones:getAvailabilityZones", "names[1]"),)
    assert "availabilityZone: <- aws.getAvailabilityZones().names[1]" in _show(result, subnet)


def _resource(urn: str, name: str, type_: str) -> RecordedResource:
    return RecordedResource(urn, type_, name, None, True, None, {}, (), False, False, ())


def test_display_names_are_unambiguous(shipped_plan: ShippedPlan) -> None:
    result = shipped_plan(ROOT, "staging")
    result.inventory.resources += [
        _resource("urn:a::x", "twin", "aws:ec2/vpc:Vpc"),
        _resource("urn:b::x", "twin", "aws:ec2/vpc:Vpc"),
    ]
    names = display_names(result.inventory)
    assert (
        names[result.inventory.one("aws:ec2/vpc:Vpc", "amani-backend-staging-vpc").urn] == "amani-backend-staging-vpc"
    )
    assert (
        names[result.inventory.one("aws:ecs/cluster:Cluster").urn]
        == "amani-backend-staging-cluster[aws:ecs/cluster:Cluster]"
    )
    log_group = result.inventory.one("aws:cloudwatch/logGroup:LogGroup", "amani-backend-staging-flow-logs")
    assert names[log_group.urn] == "amani-backend-staging-flow-logs[LogGroup]"
    assert (names["urn:a::x"], names["urn:b::x"]) == ("urn:a::x", "urn:b::x")
    assert len(set(names.values())) == len(names)


def test_shown_marks_embedded_and_ambiguous_values() -> None:
    names = {"urn:v": "vpc", "urn:w": "other"}
    vpc, other = Source("urn:v", None, "id"), Source("urn:w", None, "id")
    value = {"a": "x-vpc-1-y", "b": ["vpc-1"], "c": SECRET, "d": SECRET, "e": 5}
    refs: References = {
        "a": (Reference((vpc,), (2, 7)),),
        "b[0]": (Reference((vpc, other)),),
        "c": (Reference((vpc,), True),),
        "d": (Reference((Source(None, "aws:index/getRegion:getRegion", "name"),)),),
    }
    assert shown(value, refs, names) == {
        "a": "x-{<- vpc.id}-y",
        "b": ["<- one of: vpc.id | other.id"],
        "c": f"{SECRET} (embeds <- vpc.id)",
        "d": f"{SECRET} <- aws.getRegion().name",
        "e": 5,
    }
    assert shown(value, {}, names) is value


def test_github_ids_are_shown_as_their_lookups_not_as_made_up_numbers(shipped_plan: ShippedPlan) -> None:
    # GitHub returns team and user ids as strings; the components send them as integers.
    stage = shipped_plan(ROOT, "production")
    environment = stage.inventory.one("github:index/repositoryEnvironment:RepositoryEnvironment")
    text = _show(stage, environment)
    (reviewers,) = environment.inputs["reviewers"]
    assert reviewers["teams"] and reviewers["users"]
    for made_up in (*reviewers["teams"], *reviewers["users"]):
        assert isinstance(made_up, int) and str(made_up) not in text
    assert "    - <- github.getTeam().id" in text.splitlines()
    # check_github_access listed the collaborators before the component looked the user up: either could be it.
    assert "- '<- one of: github.getCollaborators().collaborators[1].id | github.getUser().id'" in text
    repository = shipped_plan(ROOT / "repository", "amani-backend")
    ruleset = repository.inventory.one(
        "github:index/repositoryRuleset:RepositoryRuleset", "amani-backend-tags-release-ruleset"
    )
    (actor,) = ruleset.inputs["bypassActors"]
    text = _show(repository, ruleset)
    assert str(actor["actorId"]) not in text
    assert "  - actorId: <- github.getTeam().id" in text.splitlines()
