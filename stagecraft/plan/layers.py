"""The layers ``stagecraft plan`` knows, told apart by the top-level config key of their stack files.

Each layer is its own Pulumi project (docs/architecture.md): the account bootstrap (``bootstrap/``,
``stagecraft:account``), the repository settings (``repository/``, ``stagecraft:repository``) and the
stage (the root project, ``stagecraft:stage``). A layer says how to validate its config, which program to
run, how the mocks should answer for it, and at which profile its resources are judged.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from infra.bootstrap import main as bootstrap_main
from infra.cluster import main as cluster_main
from infra.config import Acknowledgement, StageConfig, load_stage_config
from infra.config.account import ACCOUNT_KEY, AccountConfig, load_account_config
from infra.config.cluster import CLUSTER_KEY, ClusterConfig, load_cluster_config
from infra.config.loader import STAGE_KEY
from infra.config.profiles import Profile
from infra.config.repository import REPOSITORY_KEY, RepositoryConfig, load_repository_config
from infra.config.secrets import SECRETS_KEY
from infra.config.stackfiles import StackFile, StackFileError
from infra.program import main as stage_main
from infra.repository import main as repository_main
from stagecraft.plan.mocks import ACCOUNT_ID, PlanMocks

LayerConfig = StageConfig | AccountConfig | RepositoryConfig | ClusterConfig
"""The validated config of any layer."""


@dataclass(frozen=True)
class Layer:
    """How to plan the stacks of one layer."""

    name: str
    """``stage``, ``bootstrap``, ``repository`` or ``cluster`` (in the plan JSON as ``layer``)."""
    key: str
    """The top-level config key its stack files hold."""
    load: Callable[[str, Mapping[str, Any]], LayerConfig]
    """The layer's config loader (raises ``ConfigError``)."""
    program: Callable[[], None]
    """The layer's Pulumi program, as its ``__main__.py`` runs it."""
    secrets_path: tuple[str, ...] | None
    """Where under ``key`` the layer declares its secret names (``None``: it has none)."""
    secrets_scope: str
    """The scope of those secrets under ``stagecraft:secrets``."""
    module: str
    """The module whose ``main`` the layer's ``__main__.py`` runs (how a project is told to be this layer's)."""


LAYERS: tuple[Layer, ...] = (
    Layer("stage", STAGE_KEY, load_stage_config, stage_main, ("github", "secrets"), "environment", "infra.program"),
    Layer("bootstrap", ACCOUNT_KEY, load_account_config, bootstrap_main, None, "", "infra.bootstrap"),
    Layer(
        "repository",
        REPOSITORY_KEY,
        load_repository_config,
        repository_main,
        ("secrets",),
        "repository",
        "infra.repository",
    ),
    Layer("cluster", CLUSTER_KEY, load_cluster_config, cluster_main, None, "", "infra.cluster"),
)


def layer_of(stack_file: StackFile) -> Layer:
    """The layer whose key the stack file holds; a :class:`StackFileError` when it holds none or several."""
    found = [layer for layer in LAYERS if layer.key in stack_file.values]
    if len(found) != 1:
        keys = ", ".join(layer.key for layer in LAYERS)
        held = ", ".join(layer.key for layer in found) or "none of them"
        raise StackFileError(f"{stack_file.path}: a stack file holds exactly one of {keys}; this one holds {held}")
    return found[0]


def check_program(cwd: Path, layer: Layer) -> None:
    """Refuse to plan a project whose ``__main__.py`` is not the layer's Stagecraft program.

    The plan runs the layer's program from this package, not the file the CLI would run; planning another
    program under its project's name would show resources it never creates. The file must import ``main``
    from :attr:`Layer.module` and call it (what the shipped ``__main__.py`` files do). ``main:`` in
    ``Pulumi.yaml`` is refused earlier (``infra.config.stackfiles.load_project``).
    """
    path = cwd / "__main__.py"
    expected = f"from {layer.module} import main; main()"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except FileNotFoundError:
        raise StackFileError(f"{path}: file not found; the {layer.name} layer's program is `{expected}`") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise StackFileError(f"{path}: cannot read it as Python ({exc})") from None
    imports = any(
        isinstance(node, ast.ImportFrom) and node.module == layer.module and any(a.name == "main" for a in node.names)
        for node in tree.body
    )
    calls = any(
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id == "main"
        for node in tree.body
    )
    if not (imports and calls):
        raise StackFileError(
            f"{path}: not the Stagecraft {layer.name} program (`{expected}`), which its stack files' "
            f"{layer.key} key asks for; stagecraft plans only its own programs, so it would show resources this "
            "project does not create"
        )


def profile_of(config: LayerConfig) -> Profile:
    """The profile the layer's resources are judged at: a stage's own (its cluster layer's too); the shared
    layers guard every stage, so they are held to production's rules."""
    if isinstance(config, ClusterConfig):
        return config.stage.profile
    return config.profile if isinstance(config, StageConfig) else "production"


def region_of(config: LayerConfig) -> str:
    """The AWS region the layer deploys into (the repository layer creates only GitHub resources)."""
    if isinstance(config, ClusterConfig):
        return config.stage.region
    return config.region if isinstance(config, StageConfig | AccountConfig) else "us-east-1"


def acknowledged_of(config: LayerConfig) -> tuple[Acknowledgement, ...]:
    """Floors the layer goes below (only stages have floors; a cluster layer has its stage's)."""
    if isinstance(config, ClusterConfig):
        return config.stage.acknowledged
    return config.acknowledged if isinstance(config, StageConfig) else ()


def mocks_for(config: LayerConfig, stack_outputs: Mapping[str, Mapping[str, Any]] | None = None) -> PlanMocks:
    """Mocks that answer as the layer's account and repository would, set up as configured; ``stack_outputs``
    are what the layer's StackReferences read."""
    if isinstance(config, ClusterConfig):
        return PlanMocks(region=config.stage.region, stack_outputs=stack_outputs)
    if isinstance(config, StageConfig):
        return PlanMocks(
            region=config.region,
            github_owner=config.github_owner,
            account_id=config.account_ids[0] if config.account_ids else ACCOUNT_ID,
            # Offline, the repository is taken to be set up as configured: every reviewer has access to it.
            github_repositories=[config.github_repository],
            github_collaborators=[r.partition(":")[2] for r in config.settings.github.reviewers],
        )
    if isinstance(config, AccountConfig):
        return PlanMocks(region=config.region, account_id=config.account_id)
    return PlanMocks(github_owner=config.owner, github_repositories=[config.name])


UNSET_SECRET = {"secure": "<declared, not set yet>"}
"""What the plan gives a declared secret that has no value yet: shown as ``[secret]`` like any other."""


def with_declared_secrets(stack_file: StackFile) -> StackFile:
    """``stack_file`` with every declared secret that has no value given a placeholder ``secure:`` value.

    A real run refuses such a stack and names the missing values (``infra.config.secrets``); the offline
    plan shows what the layer will be once they are set, so a new stack plans before anyone holds its secrets.
    """
    values = copy.deepcopy(stack_file.values)
    changed = False
    for layer in LAYERS:
        node: Any = values.get(layer.key)
        for part in layer.secrets_path or ():
            node = node.get(part) if isinstance(node, dict) else None
        secrets = values.get(SECRETS_KEY, {})
        if layer.secrets_path is None or not isinstance(node, list) or not isinstance(secrets, dict):
            continue
        given = secrets.setdefault(layer.secrets_scope, {})
        if not isinstance(given, dict):
            continue
        for name in node:
            if isinstance(name, str) and name not in given:
                given[name] = dict(UNSET_SECRET)
                changed = True
        values[SECRETS_KEY] = secrets
    return replace(stack_file, values=values) if changed else stack_file
