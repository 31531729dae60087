"""IAM policy documents shared by the components (written with ``json.dumps``, never the typed SDK form).

The typed ``aws.iam.PolicyDocumentArgs`` fails to serialize a list in a ``str | Sequence[str]`` field
(``action=["sts:AssumeRole"]``: "Unexpected type. Expected 'list'"), because the SDK's ``_get_list_element_type``
does not unwrap the ``Union``
(https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/sdk/python/lib/pulumi/runtime/rpc.py#L143),
so every document here is plain JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi


def account_of(arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """The account id in ``arn`` (its fifth field): a component learns its account from an ARN it is given
    (the stage key's) instead of an invoke, so there is no round trip and nothing to mock."""
    return pulumi.Output.from_input(arn).apply(lambda value: value.split(":")[4])


def service_trust(service: str, condition: Mapping[str, Any] | None = None, *, account_id: str | None = None) -> str:
    """A trust policy letting one AWS service principal (``ecs-tasks.amazonaws.com``) assume the role.

    ``account_id`` adds ``StringEquals aws:SourceAccount`` (the cross-service confused-deputy guard: the
    service may assume the role only on behalf of this account's resources,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention).
    ``condition`` narrows it further (``ArnLike aws:SourceArn``); its ``StringEquals`` block is merged.
    """
    merged: dict[str, Any] = {op: dict(values) for op, values in (condition or {}).items()}
    if account_id is not None:
        merged.setdefault("StringEquals", {})["aws:SourceAccount"] = account_id
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    if merged:
        statement["Condition"] = merged
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


MIN_TLS_VERSION = "1.2"
"""The oldest TLS version bucket policies admit."""


def tls_statements(bucket_arn: str) -> list[dict[str, Any]]:
    """Bucket-policy statements denying requests without TLS (FSBP S3.5) and with TLS below 1.2.

    Every S3 request carries ``s3:TlsVersion``:
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html#example-object-tls-version
    """
    resources = [bucket_arn, f"{bucket_arn}/*"]
    return [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyOutdatedTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"NumericLessThan": {"s3:TlsVersion": MIN_TLS_VERSION}},
        },
    ]
