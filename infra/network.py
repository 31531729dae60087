"""The stage's network, from ``stagecraft:stage.network``."""

from __future__ import annotations

import pulumi

from components.network import Network, NetworkArgs
from infra.context import StageContext


def build_network(ctx: StageContext, log_kms_key_arn: pulumi.Input[str] | None = None) -> Network:
    """The stage VPC with subnets in ``ctx.zones``."""
    settings = ctx.config.settings.network
    return Network(
        ctx.name,
        NetworkArgs(
            cidr=settings.cidr,
            availability_zones=ctx.zones,
            region=ctx.config.region,
            account_id=ctx.account_id,
            nat_gateways=settings.nat_gateways,
            flow_logs_retention_days=settings.flow_logs_retention_days,
            flow_logs_traffic=settings.flow_logs_traffic,
            log_kms_key_arn=log_kms_key_arn,
            interface_endpoints=settings.interface_endpoints,
            tags=ctx.tags,
        ),
    )
