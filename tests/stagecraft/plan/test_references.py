"""Where computed inputs come from: the ``references`` the monitor records next to each resource's inputs."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_github as github
import pulumi_kubernetes as k8s

from stagecraft.plan.inventory import SECRET, Inventory
from stagecraft.plan.mocks import PlanMocks, digest
from stagecraft.plan.references import Reference, Source, child_path
from stagecraft.plan.runner import run_program
from tests.conftest import RunProgram

CALLER = "aws:index/getCallerIdentity:getCallerIdentity"


def _refs(inv: Inventory, type_: str, name: str | None = None) -> dict[str, list[dict[str, Any]]]:
    refs: dict[str, list[dict[str, Any]]] = inv.one(type_, name).to_json()["references"]
    return refs


def test_a_subnet_references_its_vpc_id_and_a_constant_look_alike_is_not_a_reference(run: RunProgram) -> None:
    # A literal spelt exactly like the mock's id for "look" (stagecraft/plan/mocks.py): the program never
    # asked the VPC for it, so the SDK records no dependency and the value is what the user wrote.
    look_alike = f"vpc-{digest('vpc', 'look', length=17)}"

    def program() -> None:
        vpc = aws.ec2.Vpc("look", cidr_block="10.0.0.0/16")
        aws.ec2.Subnet("real", vpc_id=vpc.id, cidr_block="10.0.1.0/24")
        aws.ec2.Subnet("constant", vpc_id=look_alike, cidr_block="10.0.2.0/24")

    inv = run(program)
    vpc = inv.one("aws:ec2/vpc:Vpc")
    assert _refs(inv, "aws:ec2/subnet:Subnet", "real") == {"vpcId": [{"urn": vpc.urn, "output": "id"}]}
    constant = inv.one("aws:ec2/subnet:Subnet", "constant")
    assert constant.inputs["vpcId"] == inv.one("aws:ec2/subnet:Subnet", "real").inputs["vpcId"] == look_alike
    assert constant.references == {}


def test_a_policy_that_embeds_an_arn_records_where_in_the_string(run: RunProgram) -> None:
    def program() -> None:
        bucket = aws.s3.Bucket("data")
        aws.s3.BucketPolicy(
            "data-policy",
            bucket=bucket.id,
            policy=pulumi.Output.json_dumps(
                {"Statement": [{"Effect": "Deny", "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")]}]}
            ),
        )

    inv = run(program)
    bucket = inv.one("aws:s3/bucket:Bucket")
    policy = inv.one("aws:s3/bucketPolicy:BucketPolicy")
    refs = policy.to_json()["references"]
    # The bucket's id is its name: reported as the named output.
    assert refs["bucket"] == [{"urn": bucket.urn, "output": "bucket"}]
    assert [(r["urn"], r["output"]) for r in refs["policy"]] == [(bucket.urn, "arn")] * 2
    arn = json.loads(policy.inputs["policy"])["Statement"][0]["Resource"][0]
    assert [policy.inputs["policy"][slice(*r["within"])] for r in refs["policy"]] == [arn, arn]


def test_an_invoke_result_is_a_source_unless_the_config_says_it(run: RunProgram) -> None:
    def program() -> None:
        account = aws.get_caller_identity().account_id
        aws.s3.Bucket("logs", bucket=f"logs-{account}")

    inv = run(program)
    assert _refs(inv, "aws:s3/bucket:Bucket") == {
        "bucket": [{"invoke": CALLER, "output": "accountId", "within": [5, 17]}]
    }
    configured = run_program(
        program,
        project="stagecraft",
        stack="staging",
        config={"aws:allowedAccountIds": json.dumps([PlanMocks().account_id])},
        mocks=PlanMocks(),
    )
    assert configured.one("aws:s3/bucket:Bucket").references == {}


def test_an_input_echo_is_known_and_an_invented_name_is_not(run: RunProgram) -> None:
    policy = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}}]})

    def program() -> None:
        named = aws.iam.Role("named", name="app-runner-2024", assume_role_policy=policy)
        generated = aws.iam.Role("generated", assume_role_policy=policy)
        for role in (named, generated):
            aws.iam.RolePolicyAttachment(f"{role._name}-ro", role=role.name, policy_arn="arn:aws:iam::aws:policy/ro")

    inv = run(program)
    named = inv.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "named-ro")
    assert "role" not in named.references  # the program wrote the name: a real preview knows it
    assert _refs(inv, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "generated-ro") == {
        "role": [{"urn": inv.one("aws:iam/role:Role", "generated").urn, "output": "name"}]
    }


def test_coinciding_values_of_different_sources_are_ambiguous(run: RunProgram) -> None:
    def program() -> None:
        aws.get_caller_identity()
        first = aws.ecr.Repository("first")
        second = aws.ecr.Repository("second")
        # Both registries' ids (and the caller's account id) are the same string: which one was used cannot
        # be told from the value, so the plan lists each.
        value = pulumi.Output.all(first.registry_id, second.registry_id).apply(lambda ids: ids[1])
        aws.ssm.Parameter("registry", type="String", value=value)

    inv = run(program)
    first, second = (inv.one("aws:ecr/repository:Repository", n).urn for n in ("first", "second"))
    assert _refs(inv, "aws:ssm/parameter:Parameter") == {
        "value": [
            {
                "candidates": [
                    {"invoke": CALLER, "output": "accountId"},
                    {"urn": first, "output": "registryId"},
                    {"urn": second, "output": "registryId"},
                ]
            }
        ]
    }


def test_an_id_returned_as_a_string_and_read_as_an_integer_is_still_that_id(run: RunProgram) -> None:
    # getTeam returns its id as a string; the components send it as the integer GitHub's API wants.
    def program() -> None:
        team = github.get_team_output(slug="platform", summary_only=True).id.apply(int)
        aws.ssm.Parameter("team", type="String", value=team.apply(str))
        github.RepositoryEnvironment("prod", repository="app", environment="prod", reviewers=[{"teams": [team]}])

    inv = run(program)
    team = {"invoke": "github:index/getTeam:getTeam", "output": "id"}
    assert _refs(inv, "github:index/repositoryEnvironment:RepositoryEnvironment") == {"reviewers[0].teams[0]": [team]}
    assert _refs(inv, "aws:ssm/parameter:Parameter") == {"value": [team]}


def test_a_lookup_and_a_listing_of_one_value_are_ambiguous_in_either_order_and_a_relisting_is_not(
    run: RunProgram,
) -> None:
    user = "github:index/getUser:getUser"
    listed = "github:index/getCollaborators:getCollaborators"

    def program(*, listed_first: bool) -> None:
        if listed_first:
            github.get_collaborators(owner="acme", repository="app")  # lists "ana" (PlanMocks.github_collaborators)
        ana = int(github.get_user(username="ana").id)  # not get_user_output: its invoke runs at no fixed time
        github.get_collaborators(owner="acme", repository="app")  # listed (again): no further candidate
        github.RepositoryEnvironment("prod", repository="app", environment="prod", reviewers=[{"users": [ana]}])

    mocks = PlanMocks(github_collaborators=("ana",))
    environment = "github:index/repositoryEnvironment:RepositoryEnvironment"
    lookup = {"invoke": user, "output": "id"}
    listing = {"invoke": listed, "output": "collaborators[0].id"}
    lookup_first = run_program(lambda: program(listed_first=False), project="p", stack="s", mocks=mocks)
    assert _refs(lookup_first, environment) == {"reviewers[0].users[0]": [{"candidates": [listing, lookup]}]}
    listed_first = run_program(lambda: program(listed_first=True), project="p", stack="s", mocks=mocks)
    assert _refs(listed_first, environment) == _refs(lookup_first, environment)  # the order does not matter


def test_a_stack_reference_output_is_a_source_even_when_short_or_secret() -> None:
    def program() -> None:
        stage = pulumi.StackReference("org/stage/staging")
        aws.ec2.Subnet("s", vpc_id=stage.require_output("vpc_id"), cidr_block="10.0.1.0/24")
        k8s.Provider("k8s", kubeconfig=stage.require_output("kubeconfig"))

    mocks = PlanMocks(stack_outputs={"org/stage/staging": {"vpc_id": "vpc-1", "kubeconfig": SECRET}})
    inv = run_program(program, project="stagecraft-cluster", stack="staging", mocks=mocks)
    ref = "urn:pulumi:staging::stagecraft-cluster::pulumi:pulumi:StackReference::org/stage/staging"
    assert _refs(inv, "aws:ec2/subnet:Subnet") == {"vpcId": [{"urn": ref, "output": "outputs.vpc_id"}]}
    provider = inv.one("pulumi:providers:kubernetes")
    assert provider.inputs["kubeconfig"] == SECRET
    assert provider.to_json()["references"] == {"kubeconfig": [{"urn": ref, "output": "outputs.kubeconfig"}]}


def test_a_secret_that_embeds_computed_values_names_them_without_offsets(run: RunProgram) -> None:
    def program() -> None:
        key = aws.kms.Key("key")
        cfg: pulumi.Output[str] = pulumi.Output.secret(key.arn.apply(lambda arn: f"key: {arn}\nalias: x"))
        aws.ssm.Parameter("cfg", type="SecureString", value=cfg)
        pulumi.export("key_arn", key.arn)
        pulumi.export("key_config", cfg)

    inv = run(program)
    key = inv.one("aws:kms/key:Key").urn
    assert _refs(inv, "aws:ssm/parameter:Parameter") == {"value": [{"urn": key, "output": "arn", "within": True}]}
    assert inv.output_references == {
        "key_arn": (Reference((Source(key, None, "arn"),)),),
        "key_config": (Reference((Source(key, None, "arn"),), True),),
    }


def test_a_minted_value_inside_a_longer_word_is_not_matched(run: RunProgram) -> None:
    def program() -> None:
        vpc = aws.ec2.Vpc("v", cidr_block="10.0.0.0/16")
        aws.ec2.SecurityGroup("glued", vpc_id=vpc.id, description=vpc.id.apply(lambda i: f"x{i}y"))
        aws.ec2.SecurityGroup("path", vpc_id=vpc.id, description=vpc.id.apply(lambda i: f"/net/{i}/cidr"))

    inv = run(program)
    assert "description" not in inv.one("aws:ec2/securityGroup:SecurityGroup", "glued").references
    path = inv.one("aws:ec2/securityGroup:SecurityGroup", "path")
    (ref,) = path.references["description"]
    vpc_id = f"vpc-{digest('vpc', 'v', length=17)}"
    assert path.inputs["description"] == f"/net/{vpc_id}/cidr"
    assert ref.within == (5, 5 + len(vpc_id))


def test_paths_use_the_replace_data_notation() -> None:
    assert child_path("", "vpcConfig") == "vpcConfig"
    assert child_path("vpcConfig", "subnetIds") == "vpcConfig.subnetIds"
    assert child_path("tags", "kubernetes.io/role/elb") == 'tags["kubernetes.io/role/elb"]'
