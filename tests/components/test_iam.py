from __future__ import annotations

import json

from components.iam import service_trust


def test_service_trust_carries_the_source_account_merged_with_other_conditions() -> None:
    (plain,) = json.loads(service_trust("ec2.amazonaws.com"))["Statement"]
    assert "Condition" not in plain
    (scoped,) = json.loads(
        service_trust(
            "s3.amazonaws.com",
            {"StringEquals": {"aws:SourceOrgID": "o-1"}, "ArnLike": {"aws:SourceArn": "arn:aws:s3:::b"}},
            account_id="123456789012",
        )
    )["Statement"]
    assert scoped == {
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {"aws:SourceOrgID": "o-1", "aws:SourceAccount": "123456789012"},
            "ArnLike": {"aws:SourceArn": "arn:aws:s3:::b"},
        },
    }
