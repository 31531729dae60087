"""Read ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` the way the Pulumi CLI would, without the CLI.

Every rule here mirrors the CLI at commit 1b5949891b3cefcb9974752b24a5ecef0acc86c8 (``PULUMI`` below stands for
https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8); the YAML rules mirror
gopkg.in/yaml.v3 v3.0.1, the parser the CLI reads these files with (``YAMLV3`` below stands for
https://github.com/go-yaml/yaml/blob/v3.0.1).
"""

from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

from infra.config.errors import yaml_value

SECRET_PLACEHOLDER = "[secret]"
"""What the offline plan gives the program for each ``secure:`` value: the ciphertext is never decrypted."""

STACK_KEYS = ("secretsprovider", "encryptedkey", "encryptionsalt", "config", "environment")
"""Top-level keys of a stack file the CLI reads (PULUMI/sdk/go/common/workspace/project.go#L1229-L1245).
Any other key is ignored, silently, as the CLI ignores it: its YAML decoder is not strict
(PULUMI/sdk/go/common/encoding/marshal.go#L111-L125)."""

_CONFIG_TYPES = {"string", "integer", "boolean", "array", "object"}
_DECLARATION_KEYS = {"type", "items", "description", "secret", "default", "value"}


class StackFileError(Exception):
    """A project or stack file is missing or unreadable. The message says which and why."""


# --- YAML as the CLI reads it ------------------------------------------------------------------------------
# ruamel parses (YAML 1.2 syntax) and composes nodes; what a plain scalar means is decided here, by yaml.v3's
# rules (YAMLV3/resolve.go#L126-L265), not ruamel's: yes/no/on/off stay strings, 0777 is octal, 1_000 is 1000.

_WORDS: dict[str, Any] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("", "~", "null", "Null", "NULL"), None),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), float("nan")),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), float("inf")),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), float("-inf")),
}
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})"
    r"|[ ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?)?"
)
_TAG = "tag:yaml.org,2002:"
_PLAIN = "x-stagecraft:plain"


class _YamlError(Exception):
    """A YAML construct the CLI rejects or would misread; the message names the line."""


def _go_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 0, 64)``, then ``ParseUint``: prefixes 0x/0o/0b, a leading 0 is octal."""
    match = _INT.fullmatch(text)
    if match is None:
        return None
    sign, digits = match.groups()
    number = int(digits, 8) if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit() else int(digits, 0)
    number = -number if sign == "-" else number
    if -(2**63) <= number < 2**63 or (not sign and number < 2**64):
        return number
    return None


def _is_timestamp(text: str) -> bool:
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return False
    year, month, day = (int(g) for g in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _plain(text: str, line: int, key: str) -> Any:
    """An untagged plain scalar, resolved as yaml.v3 resolves it."""
    if text in _WORDS:
        return _WORDS[text]
    if text[0] == "." and "_" not in text:
        try:
            return float(text)
        except ValueError:
            return text
    if text[0] in "+-0123456789":
        if _is_timestamp(text):
            # yaml.v3 decodes it as a time.Time, which the CLI then stores as Go's time.String()
            # (PULUMI/sdk/go/common/resource/config/object.go#L467-L527): the program never sees the text.
            raise _YamlError(
                f"line {line}: {key}: unquoted timestamp {text}; the Pulumi CLI passes it to the program "
                "reformatted (like '2026-11-20 08:15:00 +0000 UTC'), not as written: quote it"
            )
        plain = text.replace("_", "")
        number = _go_int(plain)
        if number is not None:
            return number
        if _FLOAT.fullmatch(plain):
            return float(plain)
    return text


class _Resolver(VersionedResolver):
    """Leaves every untagged plain scalar for :func:`_plain` to resolve, marked with :data:`_PLAIN`."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            return Tag(suffix=_PLAIN)
        return super().resolve(kind, value, implicit)


def _scalar(node: ScalarNode, key: str) -> Any:
    line, text, name = node.start_mark.line + 1, node.value, str(node.tag)
    if name == _PLAIN:
        return _plain(text, line, key)
    if name == _TAG + "binary":
        return base64.b64decode(text).decode("utf-8", errors="replace")
    kinds: dict[str, type | tuple[type, ...]] = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}
    kind = name.removeprefix(_TAG)
    if not name.startswith(_TAG) or kind not in (*kinds, "timestamp"):
        return text  # quoted and block scalars, !!str, and tags yaml.v3 cannot resolve: the text
    value = _plain(text, line, key)
    if kind == "timestamp" or not isinstance(value, kinds[kind]) or (kind == "int" and isinstance(value, bool)):
        raise _YamlError(f"line {line}: {key}: cannot decode {yaml_value(text)} as a !!{kind}")
    return float(_plain(text, line, key)) if kind == "float" else value


def _value(node: Node, key: str) -> Any:
    if isinstance(node, ScalarNode):
        return _scalar(node, key)
    if isinstance(node, SequenceNode):
        return [_value(item, f"{key}[{i}]") for i, item in enumerate(node.value)]
    assert isinstance(node, MappingNode)
    result: dict[str, Any] = {}
    seen: dict[str, int] = {}
    merges: list[tuple[int, Node]] = []
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if isinstance(key_node, ScalarNode):
            # yaml.v3 compares the key's text (YAMLV3/decode.go#L767-L783), so "a" and a are the same key.
            if key_node.value in seen:
                raise _YamlError(
                    f"line {line}: duplicate key {yaml_value(key_node.value)} (first at line {seen[key_node.value]}); "
                    "the Pulumi CLI rejects the file"
                )
            seen[key_node.value] = line
            if key_node.value == "<<" and str(key_node.tag) == _PLAIN:
                nodes = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                merges.extend((line, n) for n in nodes)
                continue
        name = _value(key_node, key)
        if not isinstance(name, str):
            # The CLI accepts only string keys (PULUMI/sdk/go/common/workspace/project.go#L520-L552).
            raise _YamlError(f"line {line}: key {yaml_value(key_node.value)} is not a string; quote it")
        result[name] = _value(value_node, f"{key}.{name}" if key else name)
    for line, merged in merges:  # explicit keys win over merged ones, earlier merges over later ones
        mapping = _value(merged, key)
        if not isinstance(mapping, dict):
            raise _YamlError(f"line {line}: {key}: '<<' merges only mappings")
        for name, value in mapping.items():
            result.setdefault(name, value)
    return result


def read_yaml(path: Path) -> Any:
    """Parse a YAML file as the CLI does (YAML 1.2 core schema like gopkg.in/yaml.v3, duplicate keys rejected,
    unquoted timestamps refused); every failure becomes a :class:`StackFileError` naming the file."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # the CLI strips a BOM too (loaders.go#L31-L49)
        yaml = YAML(typ="safe", pure=True)
        yaml.Resolver = _Resolver
        node = yaml.compose(text)
        return None if node is None else _value(node, "")
    except FileNotFoundError:
        raise StackFileError(f"{path}: file not found") from None
    except YAMLError as exc:
        raise StackFileError(f"{path}: not valid YAML: {exc}") from None
    except _YamlError as exc:
        raise StackFileError(f"{path}: {exc}") from None


# --- Pulumi.yaml -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectConfig:
    """One entry of ``config:`` in ``Pulumi.yaml``, in the CLI's long form (shorthands rewritten)."""

    key: str
    """Fully namespaced key (``<project>:<name>`` when written without a namespace)."""
    type: str | None = None
    items: Any = None
    default: Any = None
    value: Any = None
    secret: bool = False
    description: str = ""


@dataclass(frozen=True)
class Project:
    """``Pulumi.yaml``: the fields this tool uses."""

    name: str
    path: Path
    runtime: str
    runtime_options: dict[str, Any]
    main: str | None
    stack_config_dir: str | None
    config: tuple[ProjectConfig, ...] = ()

    @property
    def root(self) -> Path:
        """The project directory (holds ``Pulumi.yaml``)."""
        return self.path.parent

    @property
    def stack_dir(self) -> Path:
        """Where the stack files live: ``stackConfigDir`` under the root, or the root
        (PULUMI/sdk/go/common/workspace/paths.go#L87-L93)."""
        return self.root / self.stack_config_dir if self.stack_config_dir else self.root


def _project_doc(cwd: Path) -> tuple[Path, dict[str, Any]]:
    path = cwd / "Pulumi.yaml"
    if not path.exists():
        raise StackFileError(f"{path}: file not found; run from the project root or pass --cwd")
    doc = read_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str) or not doc["name"]:
        raise StackFileError(f"{path}: must be a mapping with a 'name'")
    return path, doc


def read_project(cwd: Path) -> Project:
    """Read ``Pulumi.yaml`` in ``cwd`` without judging whether this tool can plan it."""
    path, doc = _project_doc(cwd)
    name = doc["name"]
    runtime = doc.get("runtime")
    options = runtime.get("options") if isinstance(runtime, dict) else None
    config = doc.get("config")
    stack_config_dir = doc.get("stackConfigDir")
    if isinstance(config, str):  # the deprecated spelling of stackConfigDir (project.go#L448-L466)
        if stack_config_dir is not None:
            raise StackFileError(f"{path}: use only 'stackConfigDir', not also a string 'config'")
        stack_config_dir, config = config, None
    main = doc.get("main")
    return Project(
        name=name,
        path=path,
        runtime=str(runtime.get("name") if isinstance(runtime, dict) else runtime),
        runtime_options=dict(options) if isinstance(options, dict) else {},
        main=str(main) if main is not None else None,
        stack_config_dir=str(stack_config_dir) if stack_config_dir else None,
        config=_project_config(path, name, config),
    )


def load_project(cwd: Path) -> Project:
    """Read ``Pulumi.yaml`` and check it is a Python program at the project root, which is what this tool plans."""
    project = read_project(cwd)
    if project.runtime != "python":
        raise StackFileError(
            f"{project.path}: runtime is {yaml_value(project.runtime)}; stagecraft plans Python programs"
        )
    if project.main is not None and (project.root / project.main).resolve() != project.root.resolve():
        raise StackFileError(
            f"{project.path}: main: {yaml_value(project.main)} points away from the project root; stagecraft plans the "
            "program in __main__.py next to Pulumi.yaml (and the CLI would install requirements.txt from "
            f"{yaml_value(project.main)}, pulumi/pulumi#7907): remove 'main'"
        )
    return project


def project_name(cwd: Path) -> str:
    """The project name from ``Pulumi.yaml``; checks it is a project this tool plans (:func:`load_project`)."""
    return load_project(cwd).name


# --- Where the language host finds the program ----------------------------------------------------------------


@dataclass(frozen=True)
class ProgramLayout:
    """Where the CLI's Python language host (pip toolchain) looks for each piece of a project's program."""

    project_dir: Path
    """Holds ``Pulumi.yaml``: the language host's ``Root``."""
    program_dir: Path
    """The program's working directory and the directory ``pip`` runs in: ``ProgramDirectory``."""
    entry_point: Path
    """The file the program starts from: ``__main__.py`` in the program directory, or the file ``main`` names."""
    requirements: Path
    """The only requirements file installed: ``requirements.txt`` in the program directory."""
    virtualenv: Path | None
    """``runtime.options.virtualenv``, relative to the project directory (not the program directory)."""


def layout_for(project_dir: Path, main: str | None, runtime_options: dict[str, Any]) -> ProgramLayout:
    """The layout a project with this ``main`` and these runtime options gets from the CLI.

    - ``main`` is cleaned relative to the project directory; a directory becomes the program directory (entry
      point ``.``), a file's parent does (PULUMI/pkg/engine/project.go#L45-L72).
    - The program runs with that directory as working directory, ``runpy.run_path(".")`` executing its
      ``__main__.py`` (PULUMI/sdk/python/cmd/pulumi-language-python-exec#L146-L149, #L188).
    - Dependencies install from ``<program dir>/requirements.txt``, with pip running in the program directory
      (PULUMI/sdk/python/cmd/pulumi-language-python/main.go#L1369, PULUMI/sdk/python/toolchain/pip.go#L499,
      #L543-L551): ``-e .`` there means the program directory.
    - The pip toolchain resolves a relative ``virtualenv`` against the project root
      (PULUMI/sdk/python/toolchain/toolchain.go#L59-L70, #L165-L166, pip.go#L583-L591).
    """
    root = Path(os.path.normpath(project_dir.absolute()))
    program_dir, entry = root, "__main__.py"
    if main:
        target = Path(os.path.normpath(root / main))
        if not target.exists():
            raise StackFileError(f"{root / 'Pulumi.yaml'}: project 'main' could not be read: {target} does not exist")
        program_dir, entry = (target, entry) if target.is_dir() else (target.parent, target.name)
    toolchain = runtime_options.get("toolchain", "pip")
    if toolchain != "pip":
        raise StackFileError(
            f"{root / 'Pulumi.yaml'}: toolchain {yaml_value(toolchain)}: stagecraft resolves the pip toolchain"
        )
    venv = runtime_options.get("virtualenv")
    return ProgramLayout(
        project_dir=root,
        program_dir=program_dir,
        entry_point=program_dir / entry,
        requirements=program_dir / "requirements.txt",
        virtualenv=Path(os.path.normpath(root / str(venv))) if venv else None,
    )


def program_layout(project_dir: Path) -> ProgramLayout:
    """The layout the CLI gives the project in ``project_dir`` (its ``Pulumi.yaml`` as written)."""
    project = read_project(project_dir)
    return layout_for(project.root, project.main, project.runtime_options)


def editable_installs(layout: ProgramLayout) -> list[Path]:
    """The directories ``pip install -r requirements.txt`` installs in editable mode, for this layout.

    pip resolves ``-e <path>`` against its working directory, the program directory, and ``-r <file>`` against
    the including file (https://github.com/pypa/pip/blob/23.2.1/src/pip/_internal/req/constructors.py#L76-L78,
    https://github.com/pypa/pip/blob/23.2.1/src/pip/_internal/req/req_file.py#L356-L362).
    """
    found: list[Path] = []

    def read(path: Path) -> None:
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split("#")[0].split()
            if len(words) >= 2 and words[0] in ("-e", "--editable"):
                found.append(Path(os.path.normpath(layout.program_dir / words[1])))
            elif len(words) >= 2 and words[0] in ("-r", "--requirement"):
                read(Path(os.path.normpath(path.parent / words[1])))

    if layout.requirements.exists():
        read(layout.requirements)
    return found


def _namespaced(project: str, key: str, where: str) -> str:
    """``key`` with the project as namespace when it has none; ``ns:config:name`` is ``ns:name``
    (loaders.go#L61-L89, pkg/workspace/config.go#L159-L168, sdk/go/common/resource/config/key.go ParseKey)."""
    parts = key.split(":")
    if len(parts) == 1:
        return f"{project}:{key}"
    if len(parts) == 2 and all(parts):
        return key
    if len(parts) == 3 and parts[1] == "config" and parts[0] and parts[2]:
        return f"{parts[0]}:{parts[2]}"
    raise StackFileError(f"{where}: config key {yaml_value(key)} is not of the form <namespace>:<name>")


def _project_config(path: Path, project: str, config: Any) -> tuple[ProjectConfig, ...]:
    """``config:`` of Pulumi.yaml, validated like ``Project.Validate`` (PULUMI/sdk/go/common/workspace/project.go
    #L486-L520 for the shorthands, #L833-L890 for the rules)."""
    if config is None:
        return ()
    if not isinstance(config, dict):
        raise StackFileError(f"{path}: 'config' must be a mapping of keys to values or declarations")
    entries = []
    for raw_key, raw in config.items():
        where = f"{path}: config {yaml_value(raw_key)}"
        own = ":" not in raw_key or raw_key.startswith(f"{project}:")
        if isinstance(raw, str | int | bool | list) and not isinstance(raw, float):
            # A shorthand is the default of the project's own key, or the value of another namespace's key.
            raw = {"default": raw} if own else {"value": raw}
        if not isinstance(raw, dict) or set(raw) - _DECLARATION_KEYS:
            raise StackFileError(
                f"{where}: must be a string, integer, boolean, list or a mapping of {sorted(_DECLARATION_KEYS)}"
            )
        entry = ProjectConfig(
            key=_namespaced(project, raw_key, where),
            type=raw.get("type"),
            items=raw.get("items"),
            default=raw.get("default"),
            value=raw.get("value"),
            secret=raw.get("secret") is True,
            description=str(raw.get("description") or ""),
        )
        if entry.type is not None and entry.type not in _CONFIG_TYPES:
            raise StackFileError(f"{where}: type {yaml_value(entry.type)} is not one of {sorted(_CONFIG_TYPES)}")
        if entry.default is not None and entry.value is not None:
            raise StackFileError(f"{where}: cannot have both a 'default' and a 'value'")
        if own:
            if entry.type == "array" and entry.items is None:
                raise StackFileError(f"{where}: declares an array but not the type of its 'items'")
            if entry.type and entry.default is not None and not _type_ok(entry.type, entry.items, entry.default):
                raise StackFileError(
                    f"{where}: the default is not of type {yaml_value(_type_name(entry.type, entry.items))}"
                )
        elif entry.type is not None or entry.default is not None or entry.value is None:
            raise StackFileError(f"{where}: a key of another namespace takes only a 'value' (no 'type', no 'default')")
        entries.append(entry)
    return tuple(entries)


def _type_name(type_name: str, items: Any) -> str:
    if isinstance(items, dict) and type_name == "array":
        return f"array<{_type_name(str(items.get('type')), items.get('items'))}>"
    return type_name


def _type_ok(type_name: str, items: Any, value: Any) -> bool:
    """``ValidateConfigValue`` (project.go#L771-L831): top-level scalars reach it as the strings the CLI stores."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        if isinstance(value, str):
            return re.fullmatch(r"[+-]?[0-9]+", value) is not None
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if type_name == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if type_name == "object":
        return isinstance(value, dict)
    if not isinstance(value, list) or not isinstance(items, dict):
        return False
    return all(_type_ok(str(items.get("type")), items.get("items"), item) for item in value)


# --- Stack files ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StackFile:
    """One stack's config: ``Pulumi.<stack>.yaml`` with the project's ``config:`` merged under it."""

    project: str
    stack: str
    path: Path
    values: dict[str, Any]
    """Config as the program gets it: namespaced keys, project config merged under the stack's, ``secure:``
    values kept as ``{"secure": "<ciphertext>"}``."""
    secrets_provider: str | None = None
    """``secretsprovider:`` (e.g. ``awskms://alias/stagecraft-secrets?region=...``); None: the backend default."""
    has_encrypted_key: bool = False
    """Whether the file carries the ``encryptedkey:`` a cloud secrets provider generates on first use."""
    has_encryption_salt: bool = False
    """Whether the file carries the passphrase provider's ``encryptionsalt:``."""
    ignored_keys: tuple[str, ...] = field(default=())
    """Top-level keys the CLI does not read (and so ignores); a typo of ``config`` shows up here."""

    def engine_config(self) -> tuple[dict[str, str], list[str]]:
        """The config map and secret keys the engine would hand the program.

        Scalars pass as the CLI renders them (``true``/``false``, integers in decimal), structured values as
        JSON; every ``secure:`` value becomes :data:`SECRET_PLACEHOLDER`, and its top-level key is marked secret.
        """
        config: dict[str, str] = {}
        secret_keys: list[str] = []
        for key, value in self.values.items():
            plain, has_secret = strip_secrets(value)
            if has_secret:
                secret_keys.append(key)
            config[key] = _engine_string(plain)
        return config, sorted(secret_keys)

    def placeholder_values(self) -> dict[str, Any]:
        """Config values with every ``secure:`` value replaced by :data:`SECRET_PLACEHOLDER`."""
        return {key: strip_secrets(value)[0] for key, value in self.values.items()}


def _go_number(value: Any) -> Any:
    """Numbers as Go's encoding/json writes them, which the CLI uses (config/object.go#L403-L419): 2.0 is 2."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(Decimal(repr(value)))
    if isinstance(value, dict):
        return {k: _go_number(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_go_number(v) for v in value]
    return value


def _engine_string(value: Any) -> str:
    value = _go_number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True)


def is_secure(value: Any) -> bool:
    """Whether a YAML value is an encrypted ``secure:`` value."""
    return isinstance(value, dict) and set(value) == {"secure"}


def strip_secrets(value: Any) -> tuple[Any, bool]:
    """``value`` with each ``secure:`` value replaced by the placeholder, and whether there was any."""
    if is_secure(value):
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict):
        pairs = {k: strip_secrets(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [strip_secrets(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def stack_names(cwd: Path) -> list[str]:
    """Every stack that has a ``Pulumi.<stack>.yaml`` in the project's stack directory."""
    try:
        directory = read_project(cwd).stack_dir
    except StackFileError:
        directory = cwd
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in directory.glob("Pulumi.*.yaml"))


def stack_file_name(project: str, stack: str) -> str:
    """The stack part of ``stack``, ``org/stack`` or ``org/project/stack``, checked against ``project``.

    The CLI names the file after the stack part only (``Pulumi.<stack>.yaml``; PULUMI/sdk/go/common/workspace/
    paths.go#L87-L93 is given ``Ref().Name()``). Two parts are ``<org>/<stack>``, never ``<project>/<stack>``
    (PULUMI/pkg/backend/diy/store.go#L138-L163, PULUMI/pkg/backend/httpstate/backend.go#L1086-L1105); a project
    part must be the project's name (PULUMI/pkg/backend/backend.go#L68-L85).
    """
    parts = stack.split("/")
    if len(parts) > 3 or not all(parts):
        raise StackFileError(
            f"could not parse stack name {yaml_value(stack)}: use <stack>, <org>/<stack> or <org>/<project>/<stack>"
        )
    if len(parts) == 3 and parts[1] != project:
        raise StackFileError(
            f"stack {yaml_value(stack)}: provided project name {yaml_value(parts[1])} doesn't match Pulumi.yaml "
            f"({yaml_value(project)})"
        )
    name = parts[-1]
    if len(name) > 100 or not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise StackFileError(
            f"stack {yaml_value(stack)}: a stack name may only contain alphanumeric, hyphens, underscores, or periods "
            "(at most 100 characters)"
        )
    return name


def load_stack(cwd: Path, stack: str) -> StackFile:
    """Read ``Pulumi.<stack>.yaml`` of the project in ``cwd`` (``stack`` may be fully qualified; see
    :func:`stack_file_name`) and merge the project's config under it."""
    project = load_project(cwd)
    name = stack_file_name(project.name, stack)
    path = project.stack_dir / f"Pulumi.{name}.yaml"
    if not path.exists():
        known = ", ".join(stack_names(cwd)) or "none"
        raise StackFileError(f"{path}: no such stack file (stacks here: {known})")
    doc = read_yaml(path)
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise StackFileError(f"{path}: must be a mapping with a 'config' key")
    _refuse_environment(path, doc.get("environment"))
    raw = doc.get("config") or {}
    if not isinstance(raw, dict):
        raise StackFileError(f"{path}: 'config' must be a mapping of keys to values")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        # A key without a value is the empty string to the CLI (loaders.go#L359-L410).
        values[_namespaced(project.name, key, str(path))] = "" if value is None else value
    _merge_project_config(project, name, path, values)
    provider = doc.get("secretsprovider")
    return StackFile(
        project=project.name,
        stack=name,
        path=path,
        values=values,
        secrets_provider=str(provider) if provider else None,
        has_encrypted_key=bool(doc.get("encryptedkey")),
        has_encryption_salt=bool(doc.get("encryptionsalt")),
        ignored_keys=tuple(k for k in doc if k not in STACK_KEYS),
    )


def _refuse_environment(path: Path, environment: Any) -> None:
    """``environment:`` imports Pulumi ESC environments (a list of names, or a definition with ``imports:``;
    project.go#L1008-L1033, #L1220-L1226), which only the Pulumi Cloud can open."""
    if environment is None or environment == []:
        return
    if isinstance(environment, list):
        names = [str(e) for e in environment]
    else:
        imports = environment.get("imports") if isinstance(environment, dict) else None
        names = [str(next(iter(i)) if isinstance(i, dict) else i) for i in imports or []]
        if isinstance(environment, dict) and environment.get("values"):
            names.append("(inline values)")
    raise StackFileError(
        f"{path}: 'environment' imports Pulumi ESC environments ({', '.join(names) or 'an inline definition'}); "
        "ESC environments cannot be read offline: put the values in the stack's 'config' to plan it"
    )


def _merge_project_config(project: Project, stack: str, path: Path, values: dict[str, Any]) -> None:
    """Project config under the stack's, like ``mergeConfig`` with validation (PULUMI/pkg/workspace/config.go
    #L255-L366): a key the stack sets wins whole; project keys are property paths (``a.b`` sets inside ``a``)."""
    missing = []
    for entry in sorted(project.config, key=lambda e: e.key):
        namespace, _, name = entry.key.partition(":")
        segments = _path_segments(project.path, name)
        found, current = _get_path(values, f"{namespace}:{segments[0]}", segments[1:])
        fallback = entry.default if entry.default is not None else entry.value
        if not found and fallback is None:
            if namespace == project.name:
                missing.append(entry.key)
            continue
        if not found:
            _set_path(project.path, values, f"{namespace}:{segments[0]}", segments[1:], fallback)
            current = fallback
        if entry.secret and not is_secure(current):
            raise StackFileError(
                f"{path}: Stack '{stack}' with configuration key '{entry.key}' must be encrypted as it's secret"
            )
        if (
            entry.type
            and not is_secure(current)
            and not _type_ok(entry.type, entry.items, _cli_view(current, segments))
        ):
            raise StackFileError(
                f"{path}: Stack '{stack}' with configuration key '{entry.key}' must be of type "
                f"'{_type_name(entry.type, entry.items)}'"
            )
    if missing:
        noun = "value" if len(missing) == 1 else "values"
        keys = ", ".join(f"'{k}'" for k in missing)
        raise StackFileError(
            f"{path}: Stack '{stack}' is missing configuration {noun} {keys} (declared in Pulumi.yaml)"
        )


def _cli_view(value: Any, segments: list[str]) -> Any:
    """A top-level scalar as the CLI validates it: the string it stores (``5`` is ``"5"``)."""
    if len(segments) == 1 and not isinstance(value, dict | list):
        return _engine_string(value)
    return value


def _path_segments(where: Path, name: str) -> list[str]:
    if "[" in name or '"' in name or not all(name.split(".")):
        raise StackFileError(f"{where}: config key path {yaml_value(name)} is not supported offline (use dotted names)")
    return name.split(".")


def _get_path(values: dict[str, Any], key: str, rest: list[str]) -> tuple[bool, Any]:
    if key not in values:
        return False, None
    current = values[key]
    for segment in rest:
        if not isinstance(current, dict) or segment not in current:
            return False, None
        current = current[segment]
    return True, current


def _set_path(where: Path, values: dict[str, Any], key: str, rest: list[str], value: Any) -> None:
    if not rest:
        values[key] = value
        return
    current = values.setdefault(key, {})
    for segment in rest[:-1]:
        current = current.setdefault(segment, {}) if isinstance(current, dict) else None
    if not isinstance(current, dict):
        raise StackFileError(f"{where}: config {key}.{'.'.join(rest)} sets inside a value that is not a mapping")
    current[rest[-1]] = value
