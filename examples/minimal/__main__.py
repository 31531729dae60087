"""A small stack built from Stagecraft's components directly: a key, a VPC and an image registry.

No stage config, profiles or floors: the components' own defaults are secure (private subnets, encrypted,
immutable tags, protected stateful resources when asked). ``pulumi up`` needs AWS credentials; the test
``tests/test_examples.py`` runs it under the offline plan's mocks.
"""

import pulumi
import pulumi_aws as aws

from components.network import Network, NetworkArgs
from components.registry import Registry, RegistryArgs
from components.stage_key import StageKey, StageKeyArgs


def main() -> None:
    """Create the example's resources and export what a pipeline would read."""
    region = aws.get_region().region
    account = aws.get_caller_identity().account_id
    zones = aws.get_availability_zones(state="available").names[:2]
    tags = {"project": "stagecraft-example"}
    key = StageKey("example", StageKeyArgs(alias_name="alias/example", account_id=account, region=region, tags=tags))
    network = Network(
        "example",
        NetworkArgs(
            cidr="10.99.0.0/20",
            availability_zones=zones,
            region=region,
            account_id=account,
            nat_gateways="single",
            log_kms_key_arn=key.key_arn,
            tags=tags,
        ),
    )
    registry = Registry(
        "example-api",
        RegistryArgs(
            repository_name="example/api",
            stage="example",
            kms_key_arn=key.key_arn,
            push_principal_arns=[f"arn:aws:iam::{account}:root"],
            tags=tags,
        ),
    )
    pulumi.export("vpc_id", network.vpc_id)
    pulumi.export("private_subnet_ids", network.private_subnet_ids)
    pulumi.export("repository_url", registry.repository_url)


main()
