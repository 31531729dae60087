from __future__ import annotations

from typing import Any

import pytest

from components.access_log_bucket import AccessLogBucket, AccessLogBucketArgs
from components.errors import ComponentInputError


def _args(**overrides: Any) -> AccessLogBucketArgs:
    base: dict[str, Any] = {
        "bucket_name": "stagecraft-staging-backups-logs",
        "source_bucket_arn": "arn:aws:s3:::stagecraft-staging-backups",
        "account_id": "123456789012",
    }
    base.update(overrides)
    return AccessLogBucketArgs(**base)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"bucket_name": "Logs"},
            "AccessLogBucket: bucket_name='Logs' is invalid: s3-bucket 'Logs' does not match the rule: lowercase "
            "letters, digits, '.' and '-', starting and ending with a letter or digit",
        ),
        ({"retention_days": 0}, "AccessLogBucket: retention_days=0 is invalid: at least 1 day"),
        ({"noncurrent_days": 0}, "AccessLogBucket: noncurrent_days=0 is invalid: at least 1 day"),
    ],
)
def test_validation_messages(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ComponentInputError) as err:
        AccessLogBucket("bad", _args(**overrides))
    assert str(err.value) == message
