"""Generate ``stagecraft/data/replace_paths.json``: per resource type the inputs whose change forces a replacement.

Usage::

    python -m tools.gen_replace_paths --github-repo DIR --kubernetes-repo DIR [--aws-repo DIR] [--check]

Each ``DIR`` is a git directory (a bare mirror is enough: files are read with ``git show REV:PATH``).

- terraform-provider-github (SDKv2): attributes with ``ForceNew: true``, plus the attributes a ``CustomizeDiff``
  function forces new (``d.ForceNew("x")``), which are replacements only under a condition.
- terraform-provider-aws: the same parser when ``--aws-repo`` is given (SDKv2 ``ForceNew``, plugin-framework
  ``RequiresReplace...()`` plan modifiers); otherwise the hand-kept table ``tools.replace_tables.AWS_FORCE_NEW``.
  ``--check`` with ``--aws-repo`` prints where the table and the source disagree.
- pulumi-kubernetes: ``provider/pkg/provider/diff.go`` (``metadataForceNewProperties`` for every kind, plus the
  per-kind ``forceNew`` table); the provider deletes a named object before re-creating it (``provider.go``).

The parser is a heuristic over Go source (brace matching, no type checking): good for the schema literals these
providers write, and the committed JSON is reviewed by hand for the types the project uses.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

from pulumi._types import input_type_py_to_pulumi_names

from tools import replace_tables as tables

OUT = Path(__file__).resolve().parents[1] / "stagecraft" / "data" / "replace_paths.json"
GITHUB_REV = "v6.13.0"
"""pulumi-github v6.15.0 pins its ``upstream`` submodule to this tag (commit 20728bb)."""
KUBERNETES_REV = "HEAD"

_FIELD = re.compile(r'(?P<key>"[a-z0-9_]+"|names\.Attr\w+)\s*:\s*[\w.&*\[\]]*\{')
_FORCE = re.compile(r"ForceNew:\s*true|RequiresReplace(?:If\w*)?\(")
_COMMENT = re.compile(r"^\s*//.*$|(?<=[,{}])[ \t]*//.*$", re.M)
_DIFF_FORCE = re.compile(r'(?:\.ForceNew|ForceNewIf\w*)\(\s*(?:names\.Attr(\w+)|"([a-z0-9_.]+)")')


def _close(text: str, start: int) -> int:
    """Index just past the brace closing the one at ``start`` (skips strings, raw strings, comments)."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == "/" and text.startswith("//", i):
            i = text.find("\n", i)
            i = len(text) if i < 0 else i
        elif c in "\"'`":
            end = i + 1
            while end < len(text) and text[end] != c:
                end += 2 if c != "`" and text[end] == "\\" else 1
            i = end
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def _attr_name(key: str, names: dict[str, str]) -> str:
    if key.startswith('"'):
        return key.strip('"')
    const = key.removeprefix("names.")
    if const in names:
        return names[const]
    # AttrVPCID -> vpc_id: split before capitals that start a word.
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z]|$)|[A-Z][a-z0-9]*", const.removeprefix("Attr"))
    return "_".join(w.lower() for w in words)


def force_new_paths(source: str, names: dict[str, str] | None = None) -> set[str]:
    """Attribute paths (snake_case, dotted) marked ForceNew / RequiresReplace in Go schema literals."""
    names = names or {}
    found: set[str] = set()
    source = _COMMENT.sub("", source)

    def walk(body: str, prefix: str) -> None:
        pos = 0
        own = []
        while (m := _FIELD.search(body, pos)) is not None:
            own.append(body[pos : m.start()])
            end = _close(body, m.end() - 1)
            inner = body[m.end() : end - 1]
            path = f"{prefix}{_attr_name(m.group('key'), names)}"
            child_fields = _FIELD.search(inner) is not None
            if _FORCE.search(_strip_fields(inner) if child_fields else inner):
                found.add(path)
            if child_fields:
                walk(inner, path + ".")
            pos = end
        own.append(body[pos:])

    walk(source, "")
    return found


def _strip_fields(body: str) -> str:
    """``body`` without the bodies of the fields nested in it (what belongs to the field itself)."""
    out, pos = [], 0
    while (m := _FIELD.search(body, pos)) is not None:
        out.append(body[pos : m.start()])
        pos = _close(body, m.end() - 1)
    out.append(body[pos:])
    return "".join(out)


def diff_force_new(source: str, names: dict[str, str] | None = None) -> set[str]:
    """Paths a CustomizeDiff forces new under a condition (``d.ForceNew("x")``, ``ForceNewIfChange("x", ...)``)."""
    found = set()
    for const, literal in _DIFF_FORCE.findall(source):
        raw = literal or _attr_name(f"names.Attr{const}", names or {})
        found.add(".".join(p for p in raw.split(".") if not p.isdigit()))
    return found


def sdk_path(token: str, path: str) -> str:
    """``path`` in the installed Pulumi SDK's input names (lists are pluralized: ``encryptionConfigurations``).

    Falls back to plain camelCase for a segment the SDK does not name (reported by the tests).
    """
    package, module, name = token.split(":")
    root = importlib.import_module(f"pulumi_{package}")
    mod = root if module.startswith("index/") else getattr(root, module.split("/")[0])
    resource_module = importlib.import_module(getattr(mod, name).__module__)
    # A resource whose args class name clashes with a nested input type gets ``...InitArgs``.
    cls: type | None = getattr(resource_module, f"{name}InitArgs", None) or getattr(
        resource_module, f"{name}Args", None
    )
    out = []
    for part in path.split("."):
        names = input_type_py_to_pulumi_names(cls) if cls is not None else {}
        py = next((c for c in (part, part + "s", part + "es") if c in names), None)
        if py is None or cls is None:
            out.append(camel(part))
            cls = None
            continue
        out.append(names[py])
        hint = str(getattr(cls, py).fget.__annotations__.get("return", ""))
        nested = re.search(r"(\w+Args)\b", hint)
        inputs = getattr(mod, "_inputs", None)
        cls = getattr(inputs, nested.group(1), None) if nested and inputs else None
    return ".".join(out)


def camel(path: str) -> str:
    """``vpc_config.subnet_ids`` -> ``vpcConfig.subnetIds`` (Pulumi input names)."""
    return ".".join(re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), part) for part in path.split("."))


def git_show(repo: Path, rev: str, path: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "show", f"{rev}:{path}"], check=True, capture_output=True, text=True
    ).stdout


def git_commit(repo: Path, rev: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "rev-parse", f"{rev}^{{commit}}"], check=True, capture_output=True, text=True
    ).stdout.strip()


def _customize_diff_helpers(repo: Path, rev: str, source: str, package: str) -> str:
    """Bodies of the package functions a resource's ``CustomizeDiff`` names (``diffRepository``...)."""
    m = re.search(r"CustomizeDiff:\s*(.+?),\n\s*\n?\s*(?:[A-Z]\w*:|\})", source, re.S)
    if m is None:
        return ""
    bodies = []
    for ident in set(re.findall(r"\b([a-z]\w+)\b", m.group(1))):
        if f"func {ident}(" in source:
            continue
        grep = subprocess.run(
            ["git", "-C", str(repo), "grep", "-l", f"^func {ident}(", rev, "--", package],
            capture_output=True,
            text=True,
        )
        for hit in grep.stdout.split():
            text = git_show(repo, rev, hit.split(":", 1)[1])
            start = text.find(f"func {ident}(")
            bodies.append(text[start : _close(text, text.index("{", start))])
    return "\n".join(bodies)


def terraform_entry(repo: Path, rev: str, path: str, names: dict[str, str] | None = None) -> tuple[set[str], set[str]]:
    """(ForceNew paths, conditional paths) of one Terraform resource file."""
    source = git_show(repo, rev, path)
    helpers = _customize_diff_helpers(repo, rev, source, str(Path(path).parent))
    return force_new_paths(source, names), diff_force_new(source + helpers, names)


def kubernetes_paths(repo: Path, rev: str, group: str, kind: str) -> set[str]:
    source = git_show(repo, rev, "provider/pkg/provider/diff.go")
    paths = {".metadata.name", ".metadata.namespace"}
    block = re.search(rf"\"{re.escape(group)}\":\s*(_versions\{{|\w+)", source)
    if block is None:
        return {p.lstrip(".") for p in paths}
    scope = (
        source[block.start() :] if block.group(1) == "_versions{" else source[source.find(f"var {block.group(1)} =") :]
    )
    scope = scope[: _close(scope, scope.index("{"))]
    m = re.search(rf'"{kind}":\s*(properties\{{[^}}]*\}}|\w+)', scope)
    if m is not None:
        value = m.group(1)
        if not value.startswith("properties"):
            var = source[source.find(f"var {value} =") :]
            value = var[: _close(var, var.index("{"))]
        paths |= set(re.findall(r'"(\.[^"]+)"', value))
    return {p.lstrip(".") for p in paths}


def _aws_names(repo: Path, rev: str) -> dict[str, str]:
    text = git_show(repo, rev, "names/attr_consts_gen.go")
    return dict(re.findall(r'(Attr\w+)\s*=\s*"([a-z0-9_]+)"', text))


def generate(github: Path, kubernetes: Path, aws: Path | None, aws_rev: str, check: bool) -> dict[str, object]:
    types: dict[str, dict[str, object]] = {}
    aws_names = _aws_names(aws, aws_rev) if aws else {}
    github_commit = git_commit(github, GITHUB_REV)
    for token, (provider, tf_type, path) in sorted(tables.TERRAFORM_TYPES.items()):
        if provider == tables.GITHUB:
            forced, conditional = terraform_entry(github, github_commit, path)
            source = f"https://github.com/integrations/terraform-provider-github/blob/{github_commit}/{path}"
        else:
            listed, listed_conditional, read_at = tables.AWS_FORCE_NEW[tf_type]
            forced, conditional = set(listed), set(listed_conditional)
            source = f"https://github.com/hashicorp/terraform-provider-aws/blob/{read_at or 'main'}/{path}"
            if aws is not None:
                parsed, parsed_conditional = terraform_entry(aws, aws_rev, path, aws_names)
                if check and (parsed != forced or parsed_conditional != conditional):
                    print(f"{tf_type}: source {sorted(parsed)} {sorted(parsed_conditional)}", file=sys.stderr)
                    print(f"{tf_type}: table  {sorted(forced)} {sorted(conditional)}", file=sys.stderr)
                forced, conditional = parsed, parsed_conditional
                source = f"https://github.com/hashicorp/terraform-provider-aws/blob/{git_commit(aws, aws_rev)}/{path}"
        types[token] = _entry(token, tf_type, forced | conditional, conditional, source, checked=provider == "github")
        if provider == tables.AWS and aws is None:
            types[token]["checkedAgainstSource"] = tables.AWS_FORCE_NEW[tf_type][2] is not None
    k8s_commit = git_commit(kubernetes, KUBERNETES_REV)
    k8s_source = f"https://github.com/pulumi/pulumi-kubernetes/blob/{k8s_commit}/provider/pkg/provider/diff.go"
    for token, (group, kind) in sorted(tables.KUBERNETES_KINDS.items()):
        paths = kubernetes_paths(kubernetes, k8s_commit, group, kind)
        types[token] = _entry(token, kind, paths, set(), k8s_source, checked=True)
        types[token]["providerDeletesBeforeReplace"] = True
    for token in tables.PROVIDER_TYPES:
        types[token] = _entry(token, None, set(), set(), k8s_source, checked=True)
    return {"sources": _sources(github_commit, k8s_commit), "types": types}


def _entry(
    token: str, tf_type: str | None, paths: set[str], conditional: set[str], source: str, *, checked: bool
) -> dict[str, object]:
    return {
        "upstream": tf_type,
        "source": source,
        "replaceOnChanges": sorted(sdk_path(token, p) if tf_type and token[0] != "k" else p for p in paths),
        "conditional": sorted(sdk_path(token, p) for p in conditional),
        "nameInputs": list(tables.NAME_INPUTS.get(token, ())),
        "scopeInputs": list(tables.SCOPE_INPUTS.get(token, ())),
        "providerDeletesBeforeReplace": False,
        "checkedAgainstSource": checked,
    }


def _sources(github_commit: str, k8s_commit: str) -> dict[str, object]:
    return {
        "pulumi-aws": {
            "sdk": "7.51.1",
            "upstream": "hashicorp/terraform-provider-aws v6.x (pulumi-aws v7.37.0 was built on v6.54.0: "
            "https://github.com/pulumi/pulumi-aws/releases/tag/v7.37.0; the exact pin of 7.51.1 was not reachable "
            "offline). The mirror (932 MB) was too large to fetch, so the AWS entries come from "
            "tools/replace_tables.py AWS_FORCE_NEW; entries with checkedAgainstSource=true were compared with the "
            "linked file at the linked commit.",
        },
        "pulumi-github": {
            "sdk": "6.15.0",
            "upstream": f"integrations/terraform-provider-github {GITHUB_REV} "
            f"(https://github.com/integrations/terraform-provider-github/tree/{github_commit}; pulumi-github v6.15.0's "
            "upstream submodule, https://github.com/pulumi/pulumi-github/tree/v6.15.0)",
        },
        "pulumi-kubernetes": {
            "sdk": "4.34.2",
            "upstream": f"pulumi/pulumi-kubernetes {k8s_commit} (newest mirrored commit, v4.32.0+27): "
            "forceNewProperties in "
            f"https://github.com/pulumi/pulumi-kubernetes/blob/{k8s_commit}/provider/pkg/provider/diff.go; "
            f"named objects are deleted before they are replaced: https://github.com/pulumi/pulumi-kubernetes/blob/"
            f"{k8s_commit}/provider/pkg/provider/provider.go#L1645-L1659",
        },
        "generator": "tools/gen_replace_paths.py",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--github-repo", type=Path, required=True)
    parser.add_argument("--kubernetes-repo", type=Path, required=True)
    parser.add_argument("--aws-repo", type=Path)
    parser.add_argument("--aws-rev", default="HEAD")
    parser.add_argument("--check", action="store_true", help="print where AWS_FORCE_NEW and the source disagree")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = generate(args.github_repo, args.kubernetes_repo, args.aws_repo, args.aws_rev, args.check)
    args.out.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
