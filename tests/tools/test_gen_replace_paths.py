"""The generator's Go-schema heuristics, and that the committed data names real SDK inputs."""

from __future__ import annotations

import importlib

import pytest
from pulumi._types import input_type_py_to_pulumi_names

from stagecraft.replace import known_types, name_inputs, replace_paths
from tools.gen_replace_paths import camel, diff_force_new, force_new_paths

SDKV2 = """
Schema: map[string]*schema.Schema{
    names.AttrName: {Type: schema.TypeString, Required: true, ForceNew: true},
    "description": {Type: schema.TypeString, Optional: true, Default: "a } brace"},
    "vpc_config": {
        Type: schema.TypeList, Optional: true,
        Elem: &schema.Resource{Schema: map[string]*schema.Schema{
            "subnet_ids": {Type: schema.TypeSet, ForceNew: true},
            "endpoint": {Type: schema.TypeBool}, // ForceNew: true in a comment is not a flag
        }},
    },
},
CustomizeDiff: func(_ context.Context, d *schema.ResourceDiff, _ any) error {
    return d.ForceNew("vpc_config.0.endpoint")
},
"""
FRAMEWORK = """
Attributes: map[string]schema.Attribute{
    "principal": schema.StringAttribute{
        Required: true,
        PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
    },
    "role_arn": schema.StringAttribute{Required: true},
},
"""


def test_sdkv2_force_new_nested_and_customize_diff() -> None:
    assert force_new_paths(SDKV2, {"AttrName": "name"}) == {"name", "vpc_config.subnet_ids"}
    assert diff_force_new(SDKV2) == {"vpc_config.endpoint"}
    assert camel("vpc_config.subnet_ids") == "vpcConfig.subnetIds"


def test_framework_requires_replace() -> None:
    assert force_new_paths(FRAMEWORK) == {"principal"}


def _sdk_inputs(token: str) -> set[str]:
    package, module, name = token.split(":")
    root = importlib.import_module(f"pulumi_{package}")
    mod = root if module.startswith("index/") else getattr(root, module.split("/")[0])
    resource_module = importlib.import_module(getattr(mod, name).__module__)
    args = getattr(resource_module, f"{name}InitArgs", None) or getattr(resource_module, f"{name}Args")
    return set(input_type_py_to_pulumi_names(args).values())


@pytest.mark.parametrize("token", sorted(t for t in known_types() if t.startswith(("aws:", "github:"))))
def test_every_path_starts_with_an_input_of_the_sdk(token: str) -> None:
    inputs = _sdk_inputs(token)
    paths = {p.split(".")[0] for p in replace_paths(token) | set(name_inputs(token))}
    assert sorted(paths - inputs) == []
