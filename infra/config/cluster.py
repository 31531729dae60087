"""``stagecraft:cluster``: which stage the cluster layer (``cluster/``) applies Kubernetes objects for.

The cluster layer is its own Pulumi project, run on the stage's in-VPC runner because the Kubernetes API of a
stage is not reachable from GitHub-hosted runners (docs/architecture.md, layer 4). Its stack file names the
stage stack and nothing else::

    config:
      stagecraft:cluster:
        stage: staging

What the objects are (namespaces, quotas, network policies, RBAC) is configured once, in the stage's own stack
file (``stagecraft:stage.compute``), and read here through the same loader the stage uses; what only exists
after the stage's ``pulumi up`` (the cluster's endpoint and certificate) comes through a StackReference.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.config.base import Settings
from infra.config.errors import ConfigError, ConfigProblem, yaml_value
from infra.config.loader import StageConfig, load_stage_config, suggest, validate_settings
from infra.config.stackfiles import StackFileError, load_stack
from infra.config.stage import stage_name_problem

CLUSTER_KEY = "stagecraft:cluster"
KNOWN_KEYS = (CLUSTER_KEY,)
STAGE_PROJECT_DIR = Path("..")
"""Where the stage project lives, relative to the working directory of the cluster program. The CLI runs a
program without ``main:`` in its project directory (``cluster/``): the engine's pwd is the project root
(https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/pkg/engine/project.go#L45-L71)
and the Python host changes into it before running ``__main__.py``
(https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/sdk/python/cmd/pulumi-language-python-exec#L148-L149).
``stagecraft plan`` runs every program from its project directory too."""


class ClusterSettings(Settings):
    """The settings under ``stagecraft:cluster``."""

    stage: str
    """The stage stack (root project, ``Pulumi.<stage>.yaml``) whose EKS cluster this stack fills."""


@dataclass(frozen=True)
class ClusterConfig:
    """A cluster stack's validated config: the stage it serves, with that stage's validated config."""

    stack: str
    """The cluster stack's name (by convention the stage's)."""
    stage_project: str
    """The stage's Pulumi project name (``name:`` of its ``Pulumi.yaml``), for the StackReference."""
    stage: StageConfig
    """The stage's config, loaded from its stack file as the stage program loads it."""
    stage_dir: Path = STAGE_PROJECT_DIR
    """The stage project's directory (absolute once loaded)."""

    @property
    def stage_reference(self) -> str:
        """The fully qualified stage stack, as a DIY (S3) backend names it: ``organization/<project>/<stack>``.

        The DIY backend has no organizations and always uses the literal ``organization``
        (https://github.com/pulumi/pulumi/blob/1b5949891b3cefcb9974752b24a5ecef0acc86c8/pkg/backend/diy/backend.go#L155-L195).
        """
        return f"organization/{self.stage_project}/{self.stage.stack}"


def load_cluster_config(stack: str, values: Mapping[str, Any], stage_dir: Path = STAGE_PROJECT_DIR) -> ClusterConfig:
    """Validate a cluster stack's config and load the stage it names from ``stage_dir``.

    Raises :class:`ConfigError` listing every problem: unknown keys, a missing or malformed stage name, a stage
    stack file that does not exist or does not validate (its problems are reported under their own keys), a
    stage without EKS (nothing to fill).
    """
    problems: list[ConfigProblem] = []
    for key in values:
        if key.startswith("stagecraft:") and key not in KNOWN_KEYS:
            problems.append(ConfigProblem(key, "unknown key" + suggest(key, KNOWN_KEYS)))
    raw = values.get(CLUSTER_KEY)
    settings: ClusterSettings | None = None
    if raw is None:
        problems.append(
            ConfigProblem(CLUSTER_KEY, "required key is missing; it names the stage stack: {stage: <stage stack>}")
        )
    elif not isinstance(raw, Mapping):
        problems.append(
            ConfigProblem(CLUSTER_KEY, f"{yaml_value(raw)} is not allowed: must be a mapping like {{stage: <stack>}}")
        )
    else:
        settings = validate_settings(ClusterSettings, raw, problems, prefix=CLUSTER_KEY)
    if settings is not None and (problem := stage_name_problem(settings.stage)):
        problems.append(ConfigProblem(f"{CLUSTER_KEY}.stage", problem))
        settings = None
    if problems or settings is None:
        raise ConfigError(problems)

    key = f"{CLUSTER_KEY}.stage"
    try:
        stage_file = load_stack(stage_dir, settings.stage)
    except StackFileError as exc:
        raise ConfigError(
            [ConfigProblem(key, f"{yaml_value(settings.stage)} names no readable stage stack: {exc}")]
        ) from None
    # The objects need none of the stage's secrets, and this stack cannot decrypt them (another stack's key).
    stage = load_stage_config(stage_file.stack, stage_file.placeholder_values(), check_secrets=False)
    if not stage.settings.compute.eks.enabled:
        raise ConfigError(
            [
                ConfigProblem(
                    key,
                    f"{yaml_value(settings.stage)} has no EKS cluster (stagecraft:stage.compute.eks.enabled is false); "
                    "a cluster stack exists only for stages with one: remove this stack",
                )
            ]
        )
    return ClusterConfig(stack=stack, stage_project=stage_file.project, stage=stage, stage_dir=stage_dir.resolve())
