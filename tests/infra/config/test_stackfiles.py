"""Stack files are read as the Pulumi CLI reads them (rules and links in infra/config/stackfiles.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.config.stackfiles import SECRET_PLACEHOLDER, StackFile, StackFileError, load_stack, read_yaml, stack_names

PROJECT = "name: app\nruntime: python\n"


def _stack(tmp_path: Path, body: str, project: str = PROJECT, name: str = "dev") -> StackFile:
    (tmp_path / "Pulumi.yaml").write_text(project)
    (tmp_path / f"Pulumi.{name}.yaml").write_text(body)
    return load_stack(tmp_path, name)


def _error(tmp_path: Path, body: str, project: str = PROJECT, stack: str = "dev") -> str:
    with pytest.raises(StackFileError) as error:
        _stack(tmp_path, body, project) if stack == "dev" else load_stack(tmp_path, stack)
    return str(error.value).replace(str(tmp_path), "<dir>")


def _yaml(tmp_path: Path, text: str) -> Any:
    (tmp_path / "f.yaml").write_text(text)
    return read_yaml(tmp_path / "f.yaml")


def test_yaml_12_scalars_as_yaml_v3_resolves_them(tmp_path: Path) -> None:
    text = (
        "a: yes\nb: no\nc: on\nd: off\ne: y\nf: True\ng: FALSE\nh: ~\ni:\nj: 0777\nk: 0o17\nl: 0x1F\nm: 0b101\n"
        "n: 1_000\no: 09\np: 1.5\nq: .5\nr: -.inf\ns: 12345678901234567890\nt: '2024-01-02'\nu: !!str 5\n"
        "v: !!float 2\nw: !!binary aGk=\nx: !custom text\ny: 1:20\nz: 2024-13-45\n"
    )
    assert _yaml(tmp_path, text) == {
        "a": "yes", "b": "no", "c": "on", "d": "off", "e": "y", "f": True, "g": False, "h": None, "i": None,
        "j": 0o777, "k": 15, "l": 31, "m": 5, "n": 1000, "o": 9.0, "p": 1.5, "q": 0.5, "r": float("-inf"),
        "s": 12345678901234567890, "t": "2024-01-02", "u": "5", "v": 2.0, "w": "hi", "x": "text", "y": "1:20",
        "z": "2024-13-45",
    }  # fmt: skip


def test_unquoted_timestamps_are_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(StackFileError) as error:
        _yaml(tmp_path, "config:\n  app:restore:\n    time: 2026-11-20T08:15:00Z\n")
    assert str(error.value) == (
        f"{tmp_path / 'f.yaml'}: line 3: config.app:restore.time: unquoted timestamp 2026-11-20T08:15:00Z; the "
        "Pulumi CLI passes it to the program reformatted (like '2026-11-20 08:15:00 +0000 UTC'), not as written: "
        "quote it"
    )


def test_duplicate_keys_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(StackFileError) as error:
        _yaml(tmp_path, "config:\n  app:a: 1\n  'app:a': 2\n")
    assert str(error.value) == (
        f"{tmp_path / 'f.yaml'}: line 3: duplicate key 'app:a' (first at line 2); the Pulumi CLI rejects the file"
    )


def test_other_yaml_problems_name_the_line(tmp_path: Path) -> None:
    with pytest.raises(StackFileError, match=r"f.yaml: line 1: key '1' is not a string; quote it$"):
        _yaml(tmp_path, "1: a\n")
    with pytest.raises(StackFileError, match=r"f.yaml: line 1: a: cannot decode 'x' as a !!int$"):
        _yaml(tmp_path, "a: !!int x\n")
    with pytest.raises(StackFileError, match=r"f.yaml: line 2: b: '<<' merges only mappings$"):
        _yaml(tmp_path, "a: &x 1\nb: {<<: *x}\n")
    assert _yaml(tmp_path, "base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\n")["c"] == {"y": 3, "x": 1}
    assert _yaml(tmp_path, "") is None


def test_keys_without_namespace_get_the_project_and_scalars_reach_the_engine_as_today(tmp_path: Path) -> None:
    stack = _stack(tmp_path, "config:\n  size: 3\n  aws:config:region: eu-west-1\n  app:on: yes\n  app:f: 2.0\n")
    assert stack.values == {"app:size": 3, "aws:region": "eu-west-1", "app:on": "yes", "app:f": 2.0}
    assert stack.engine_config() == ({"app:size": "3", "aws:region": "eu-west-1", "app:on": "yes", "app:f": "2"}, [])
    flags = _stack(tmp_path, "config:\n  app:t: true\n  app:o: {n: 1.0, s: {secure: v1:x}}\n  app:empty:\n")
    assert flags.engine_config() == (
        {"app:t": "true", "app:o": f'{{"n": 1, "s": "{SECRET_PLACEHOLDER}"}}', "app:empty": ""},
        ["app:o"],
    )
    assert _error(tmp_path, "config:\n  a:b:c: 1\n") == (
        "<dir>/Pulumi.dev.yaml: config key 'a:b:c' is not of the form <namespace>:<name>"
    )


def test_project_config_is_merged_under_the_stack(tmp_path: Path) -> None:
    project = PROJECT + (
        "config:\n  size: 2\n  app:tier: small\n  aws:region: us-east-1\n  name:\n    type: string\n    default: web\n"
        "  stage.github.environment: staging\n  tags:\n    value: [a]\n    description: ignored here\n"
    )
    stack = _stack(tmp_path, "config:\n  app:size: 5\n  app:stage: {app: x}\n", project)
    assert stack.values == {
        "app:size": 5,
        "app:stage": {"app": "x", "github": {"environment": "staging"}},
        "app:tier": "small",
        "aws:region": "us-east-1",
        "app:name": "web",
        "app:tags": ["a"],
    }
    assert stack.placeholder_values() == stack.values


def test_project_config_declarations_are_checked(tmp_path: Path) -> None:
    cases = {
        "  n:\n    type: integer\n": "<dir>/Pulumi.dev.yaml: Stack 'dev' is missing configuration value 'app:n' "
        "(declared in Pulumi.yaml)",
        "  n: {type: integer, default: x}\n": "<dir>/Pulumi.yaml: config 'n': the default is not of type 'integer'",
        "  n: {default: 1, value: 2}\n": "<dir>/Pulumi.yaml: config 'n': cannot have both a 'default' and a 'value'",
        "  n: {type: array}\n": "<dir>/Pulumi.yaml: config 'n': declares an array but not the type of its 'items'",
        "  n: {type: date}\n": "<dir>/Pulumi.yaml: config 'n': type 'date' is not one of "
        "['array', 'boolean', 'integer', 'object', 'string']",
        "  aws:region: {default: x}\n": "<dir>/Pulumi.yaml: config 'aws:region': a key of another namespace takes "
        "only a 'value' (no 'type', no 'default')",
        "  n: {defualt: 1}\n": "<dir>/Pulumi.yaml: config 'n': must be a string, integer, boolean, list or a mapping "
        "of ['default', 'description', 'items', 'secret', 'type', 'value']",
        "  n: 1.5\n": "<dir>/Pulumi.yaml: config 'n': must be a string, integer, boolean, list or a mapping of "
        "['default', 'description', 'items', 'secret', 'type', 'value']",
        "  n: {type: boolean}\n": "<dir>/Pulumi.dev.yaml: Stack 'dev' with configuration key 'app:n' must be of "
        "type 'boolean'",
        "  n: {type: array, items: {type: integer}}\n": "<dir>/Pulumi.dev.yaml: Stack 'dev' with configuration key "
        "'app:n' must be of type 'array<integer>'",
        "  n: {secret: true}\n": "<dir>/Pulumi.dev.yaml: Stack 'dev' with configuration key 'app:n' must be "
        "encrypted as it's secret",
        "  a[0]: 1\n": "<dir>/Pulumi.yaml: config key path 'a[0]' is not supported offline (use dotted names)",
        "  n.x: 1\n": "<dir>/Pulumi.yaml: config app:n.x sets inside a value that is not a mapping",
    }
    for declaration, message in cases.items():
        body = "config: {}\n" if "missing" in message else "config:\n  n: 'yes'\n"
        assert _error(tmp_path, body, PROJECT + "config:\n" + declaration) == message, declaration
    declarations = (
        "config:\n  n: {type: integer}\n  s: {type: integer, secret: true}\n"
        "  l: {type: array, items: {type: string}, default: [a]}\n"
    )
    ok = _stack(tmp_path, "config:\n  n: 5\n  s: {secure: v1:x}\n", PROJECT + declarations)
    assert ok.engine_config() == ({"app:n": "5", "app:s": SECRET_PLACEHOLDER, "app:l": '["a"]'}, ["app:s"])


def test_esc_environments_cannot_be_read_offline(tmp_path: Path) -> None:
    assert _error(tmp_path, "environment:\n  - aws-dev\n  - app/shared\n") == (
        "<dir>/Pulumi.dev.yaml: 'environment' imports Pulumi ESC environments (aws-dev, app/shared); ESC "
        "environments cannot be read offline: put the values in the stack's 'config' to plan it"
    )
    assert _error(tmp_path, "environment:\n  imports: [a, {b: {merge: false}}]\n  values: {x: 1}\n") == (
        "<dir>/Pulumi.dev.yaml: 'environment' imports Pulumi ESC environments (a, b, (inline values)); ESC "
        "environments cannot be read offline: put the values in the stack's 'config' to plan it"
    )
    assert _stack(tmp_path, "environment: []\nconfig: {}\n").values == {}


def test_fully_qualified_names_find_the_stack_file(tmp_path: Path) -> None:
    _stack(tmp_path, "config:\n  n: 1\n")
    for name in ("dev", "organization/dev", "acme/app/dev"):
        stack = load_stack(tmp_path, name)
        assert (stack.stack, stack.path, stack.values) == ("dev", tmp_path / "Pulumi.dev.yaml", {"app:n": 1})
    assert _error(tmp_path, "", stack="acme/other/dev") == (
        "stack 'acme/other/dev': provided project name 'other' doesn't match Pulumi.yaml ('app')"
    )
    assert _error(tmp_path, "", stack="a/b/c/dev") == (
        "could not parse stack name 'a/b/c/dev': use <stack>, <org>/<stack> or <org>/<project>/<stack>"
    )
    assert _error(tmp_path, "", stack="org/d ev") == (
        "stack 'org/d ev': a stack name may only contain alphanumeric, hyphens, underscores, or periods "
        "(at most 100 characters)"
    )


def test_secrets_provider_lines_are_exposed_and_unknown_keys_ignored(tmp_path: Path) -> None:
    body = (
        "secretsprovider: awskms://alias/stagecraft-secrets?region=eu-west-1\nencryptedkey: AQICAHh=\n"
        "conifg:\n  n: 1\nconfig:\n  n: 2\n"
    )
    stack = _stack(tmp_path, body)
    assert stack.secrets_provider == "awskms://alias/stagecraft-secrets?region=eu-west-1"
    assert (stack.has_encrypted_key, stack.has_encryption_salt) == (True, False)
    assert (stack.ignored_keys, stack.values) == (("conifg",), {"app:n": 2})
    plain = _stack(tmp_path, "encryptionsalt: v1:abc\n")
    assert (plain.secrets_provider, plain.has_encrypted_key, plain.has_encryption_salt) == (None, False, True)


def test_stack_config_dir_holds_the_stack_files(tmp_path: Path) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "Pulumi.yaml").write_text(PROJECT + "stackConfigDir: stacks\n")
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text("config:\n  n: 1\n")
    assert stack_names(tmp_path) == ["dev"]
    assert load_stack(tmp_path, "dev").path == tmp_path / "stacks" / "Pulumi.dev.yaml"
    (tmp_path / "Pulumi.yaml").write_text(PROJECT + "config: stacks\n")  # the deprecated spelling
    assert load_stack(tmp_path, "dev").values == {"app:n": 1}
    (tmp_path / "Pulumi.yaml").write_text(PROJECT + "config: stacks\nstackConfigDir: stacks\n")
    assert _error(tmp_path, "", stack="x") == "<dir>/Pulumi.yaml: use only 'stackConfigDir', not also a string 'config'"


def test_malformed_project_files(tmp_path: Path) -> None:
    assert _error(tmp_path, "", "runtime: python\n") == "<dir>/Pulumi.yaml: must be a mapping with a 'name'"
    assert _error(tmp_path, "", PROJECT + "config: [a]\n") == (
        "<dir>/Pulumi.yaml: 'config' must be a mapping of keys to values or declarations"
    )
    assert _error(tmp_path, "- a\n") == "<dir>/Pulumi.dev.yaml: must be a mapping with a 'config' key"
    assert _stack(tmp_path, "").values == {}
