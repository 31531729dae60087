from __future__ import annotations

from typing import Any

from infra.config import ConfigError, load_stage_config
from tests.infra.config.conftest import BASE, load, problems, values

S = "stagecraft:stage"


def test_defaults_come_from_the_profile() -> None:
    staging = load(values())
    assert staging.settings.network.nat_gateways == "single"
    assert staging.settings.network.availability_zones == 2
    assert staging.settings.network.flow_logs_retention_days == 90
    production = load(values(profile="production", github={"reviewers": ["team:platform"]}), stack="production")
    assert production.settings.network.nat_gateways == "per_az"
    assert production.settings.network.availability_zones == 3
    assert production.settings.network.interface_endpoints == [
        "ecr.api",
        "ecr.dkr",
        "logs",
        "secretsmanager",
        "sts",
        "kms",
    ]


def test_stack_values_override_profile_defaults() -> None:
    config = load(values(network={"cidr": "10.20.0.0/16", "nat_gateways": "per_az", "availability_zones": 3}))
    assert config.settings.network.nat_gateways == "per_az"
    assert config.settings.network.availability_zones == 3


def test_config_is_frozen_and_names_derive_from_the_stack() -> None:
    config = load(values(), stack="acme/stagecraft/staging")
    assert config.stage == "staging"
    assert config.prefix == "amani-backend-staging"
    assert config.default_tags == {
        "stage": "staging",
        "project": "amani-backend",
        "profile": "staging",
        "managed-by": "pulumi-stagecraft",
        "repository": "amani-labs/amani-backend",
    }


def test_user_tags_join_the_default_tags() -> None:
    config = load(values(tags={"team": "payments"}))
    assert config.default_tags["team"] == "payments"
    assert config.default_tags["stage"] == "staging"


def test_unknown_key_suggests_the_closest_one() -> None:
    assert problems(values(network={"cidr": "10.20.0.0/16", "nat_gateway": "single"})) == [
        f"{S}.network.nat_gateway: unknown key; did you mean 'nat_gateways'?"
    ]


def test_unknown_key_without_a_close_match_lists_the_allowed_keys() -> None:
    config = values()
    config[S]["zzz"] = 1
    assert problems(config) == [
        f"{S}.zzz: unknown key; allowed keys here: profile, app, repository, tags, acknowledge, network, key, "
        "registries, database, backups, compute, github, runner"
    ]


def test_unknown_stagecraft_namespace_key() -> None:
    config = values()
    config["stagecraft:stages"] = {}
    assert problems(config) == ["stagecraft:stages: unknown key; did you mean 'stagecraft:stage'?"]


def test_wrong_type() -> None:
    assert problems(values(network={"cidr": "10.20.0.0/16", "availability_zones": "three"})) == [
        f"{S}.network.availability_zones: 'three' is not allowed: must be a count (2-6) or a list of zone names"
    ]


def test_strict_types_do_not_coerce_strings() -> None:
    assert problems(values(network={"cidr": "10.20.0.0/16", "flow_logs_retention_days": "90"})) == [
        f"{S}.network.flow_logs_retention_days: '90' is not allowed: input should be a valid integer"
    ]


def test_out_of_range_zone_count() -> None:
    assert problems(values(network={"cidr": "10.20.0.0/16", "availability_zones": 7})) == [
        f"{S}.network.availability_zones: 7 is not allowed: must be 2-6 zones (a count, or a list of zone names)"
    ]


def test_explicit_zones_must_belong_to_the_region() -> None:
    config = values(network={"cidr": "10.20.0.0/16", "availability_zones": ["us-east-1a", "eu-west-1b"]})
    assert problems(config) == [
        f"{S}.network.availability_zones[1]: 'eu-west-1b' is not a zone of us-east-1 "
        "(expected us-east-1a, us-east-1b, ...)"
    ]


def test_explicit_zones_are_used_in_order() -> None:
    config = load(values(network={"cidr": "10.20.0.0/16", "availability_zones": ["us-east-1c", "us-east-1a"]}))
    assert config.settings.network.zone_names(["us-east-1a", "us-east-1b", "us-east-1c"]) == [
        "us-east-1c",
        "us-east-1a",
    ]


def test_duplicate_zones() -> None:
    config = values(network={"cidr": "10.20.0.0/16", "availability_zones": ["us-east-1a", "us-east-1a"]})
    assert problems(config) == [
        f"{S}.network.availability_zones: ['us-east-1a', 'us-east-1a'] is not allowed: zone names must be unique"
    ]


def test_invalid_cidr() -> None:
    assert problems(values(network={"cidr": "10.20.0.1/16"})) == [
        f"{S}.network.cidr: '10.20.0.1/16' is not allowed: not a valid IPv4 CIDR block "
        "(10.20.0.1/16 has host bits set); example: 10.20.0.0/16"
    ]


def test_ipv6_cidr() -> None:
    assert problems(values(network={"cidr": "fd00::/56"})) == [
        f"{S}.network.cidr: 'fd00::/56' is not allowed: must be an IPv4 CIDR block; example: 10.20.0.0/16"
    ]


def test_public_cidr() -> None:
    assert problems(values(network={"cidr": "8.8.0.0/16"})) == [
        f"{S}.network.cidr: '8.8.0.0/16' is not allowed: must be a private range inside 10.0.0.0/8, "
        "172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10"
    ]


def test_cidr_too_small_for_its_subnets() -> None:
    assert problems(values(network={"cidr": "10.20.0.0/24"})) == [
        f"{S}.network.cidr: '10.20.0.0/24' is not allowed: prefix /24 is too small for 3 subnet tiers in up to "
        "6 zones: public and isolated subnets would be /30, AWS allows at most /28; use /16 to /22"
    ]


def test_cidr_larger_than_a_vpc() -> None:
    assert problems(values(network={"cidr": "10.0.0.0/8"})) == [
        f"{S}.network.cidr: '10.0.0.0/8' is not allowed: prefix /8 is larger than AWS allows for a VPC (/16 to /28)"
    ]


def test_overlapping_reserved_cidr() -> None:
    config = values(network={"cidr": "10.20.0.0/16", "reserved_cidrs": ["192.168.0.0/16", "10.20.128.0/20"]})
    assert problems(config) == [
        f"{S}.network.reserved_cidrs[1]: '10.20.0.0/16' overlaps the reserved range '10.20.128.0/20'; "
        "pick a VPC CIDR outside it"
    ]


def test_flow_log_retention_must_be_a_cloudwatch_value() -> None:
    [problem] = problems(values(network={"cidr": "10.20.0.0/16", "flow_logs_retention_days": 100}))
    assert problem.startswith(
        f"{S}.network.flow_logs_retention_days: 100 is not allowed: "
        "must be one of CloudWatch's retention periods: 1, 3, 5"
    )


def test_unknown_interface_endpoint() -> None:
    [problem] = problems(values(network={"cidr": "10.20.0.0/16", "interface_endpoints": ["ecr.api", "dynamo"]}))
    assert problem.startswith(
        f"{S}.network.interface_endpoints: ['ecr.api', 'dynamo'] is not allowed: unknown service(s) dynamo"
    )


def test_invalid_stage_name() -> None:
    assert problems(values(), stack="Prod_1") == [
        "stack name: 'Prod_1' cannot name a stage: use 2-16 lowercase letters, digits and '-', starting with a "
        "letter, not ending with '-' and without '--' (it becomes part of AWS and Kubernetes names)"
    ]


def test_stage_name_too_long() -> None:
    assert problems(values(), stack="a-very-long-stage-name")[0].startswith(
        "stack name: 'a-very-long-stage-name' cannot"
    )


def test_invalid_app_and_repository() -> None:
    assert problems(values(app="Amani_Backend", repository="amani-backend")) == [
        f"{S}.app: 'Amani_Backend' is not allowed: must be 2-20 lowercase letters, digits and '-', starting with a "
        "letter, not ending with '-' and without '--' (it is part of every AWS and Kubernetes name)",
        f"{S}.repository: 'amani-backend' is not allowed: must be a GitHub repository as 'owner/name', "
        "e.g. 'amani-labs/amani-backend'",
    ]


def test_reserved_and_invalid_tags() -> None:
    assert problems(values(tags={"stage": "x"})) == [
        f"{S}.tags: {{'stage': 'x'}} is not allowed: tag key 'stage' is set by stagecraft; "
        "reserved keys: stage, project, managed-by, repository, profile"
    ]
    assert problems(values(tags={"aws:owner": "x"}))[0].startswith(
        f"{S}.tags: {{'aws:owner': 'x'}} is not allowed: tag key"
    )


def test_invalid_profile() -> None:
    assert problems(values(profile="prod")) == [
        f"{S}.profile: 'prod' is not allowed: input should be 'development', 'staging' or 'production'"
    ]


def test_missing_required_keys() -> None:
    assert problems(values(app=None, network=None)) == [
        f"{S}.app: required key is missing",
        f"{S}.network.cidr: required key is missing",
    ]


def test_missing_stage_and_region() -> None:
    assert problems({}) == [
        "aws:region: required key is missing; set it with `pulumi config set aws:region us-east-1`",
        f"{S}: required key is missing; it holds the stage's settings (see docs/configuration.md)",
    ]


def test_bad_region_and_non_mapping_stage() -> None:
    assert problems({"aws:region": "virginia", S: "staging"}) == [
        "aws:region: 'virginia' is not an AWS region name (example: us-east-1)",
        f"{S}: 'staging' is not allowed: must be a mapping of settings",
    ]


def test_all_problems_are_reported_at_once() -> None:
    config = values(app="X", network={"cidr": "nope", "nat_gateways": "many", "availability_zones": 9})
    found = problems(config, stack="Bad_")
    assert [p.split(":")[0] for p in found] == [
        "stack name",
        "stagecraft",
        "stagecraft",
        "stagecraft",
        "stagecraft",
    ]
    assert len(found) == 5


def test_error_message_lists_every_problem() -> None:
    try:
        load_stage_config("staging", values(app="X"))
    except ConfigError as exc:
        assert str(exc).startswith("invalid stack configuration (1 problem(s)):\n  - stagecraft:stage.app: 'X'")
    else:  # pragma: no cover - the config above is invalid
        raise AssertionError("expected a ConfigError")


def test_base_is_valid() -> None:
    assert load(dict(BASE)).region == "us-east-1"


def _production(**network: Any) -> dict[str, Any]:
    return values(profile="production", network={"cidr": "10.30.0.0/16", **network})


def test_allowed_account_ids() -> None:
    config = values()
    config["aws:allowedAccountIds"] = ["012345678901"]
    assert load(config).account_ids == ("012345678901",)
    config["aws:allowedAccountIds"] = [12345678901]
    assert problems(config) == [
        "aws:allowedAccountIds: [12345678901] is not allowed: must be a non-empty list of 12-digit AWS account ids, "
        "quoted as strings (an unquoted number loses leading zeros)"
    ]


def test_a_secret_inside_the_stage_settings_is_refused_and_never_shown() -> None:
    config = values(network={"cidr": {"secure": "v1:ciphertext"}})
    found = problems(config)
    assert found == [
        f"{S}: holds an encrypted (secure) value; settings are not secret: put secret values under "
        "stagecraft:secrets (docs/configuration.md, Secrets). Values are not shown in these messages",
        f"{S}.network.cidr: <redacted> is not allowed: input should be a valid string",
    ]
    assert "ciphertext" not in "".join(found)
