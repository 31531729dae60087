from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from stagecraft.plan.inventory import SECRET
from tests.conftest import RunProgram


class _Pair(pulumi.ComponentResource):
    def __init__(self, name: str) -> None:
        super().__init__("stagecraft:test:Pair", name)
        child = pulumi.ResourceOptions(parent=self)
        self.vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block="10.0.0.0/16", opts=child.merge(pulumi.ResourceOptions(protect=True)))
        self.subnet = aws.ec2.Subnet(
            f"{name}-subnet",
            vpc_id=self.vpc.id,
            opts=child.merge(pulumi.ResourceOptions(ignore_changes=["tags"], retain_on_delete=True)),
        )
        self.register_outputs({})


def test_records_options_parents_and_dependencies(run: RunProgram) -> None:
    def program() -> None:
        pair = _Pair("p")
        aws.kms.Key("key", description="after the pair", opts=pulumi.ResourceOptions(depends_on=[pair]))

    inv = run(program)
    vpc = inv.one("aws:ec2/vpc:Vpc")
    subnet = inv.one("aws:ec2/subnet:Subnet")
    key = inv.one("aws:kms/key:Key")
    component = inv.one("stagecraft:test:Pair")
    assert component.parent is None and not component.custom
    assert vpc.parent == component.urn and vpc.protect and not vpc.retain_on_delete
    assert subnet.retain_on_delete and subnet.ignore_changes == ("tags",)
    assert subnet.dependencies == (vpc.urn,)
    assert subnet.inputs["vpcId"].startswith("vpc-")
    assert inv.depends_on(key.urn, vpc.urn) and not inv.depends_on(vpc.urn, key.urn)
    assert vpc.urn == "urn:pulumi:staging::stagecraft::stagecraft:test:Pair$aws:ec2/vpc:Vpc::p-vpc"


def test_secrets_are_redacted_in_inputs_and_outputs(run: RunProgram) -> None:
    def program() -> None:
        aws.ssm.Parameter("param", type="SecureString", value=pulumi.Output.secret("hunter2"))
        pulumi.export("token", pulumi.Output.secret("hunter2"))
        pulumi.export("plain", "visible")

    inv = run(program)
    assert inv.one("aws:ssm/parameter:Parameter").inputs["value"] == SECRET
    assert inv.outputs == {"plain": "visible", "token": SECRET}
    assert "hunter2" not in repr(inv)


def test_program_errors_propagate(run: RunProgram) -> None:
    def program() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        run(program)
