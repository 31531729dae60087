"""Repository-level GitHub Actions secrets and variables (owned by the repository layer, ``infra/repository.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_github as github

from components._actions_names import check_actions_names
from components.errors import ComponentInputError

_COMPONENT = "RepositorySecrets"


@dataclass(frozen=True, kw_only=True)
class RepositorySecretsArgs:
    """Inputs of :class:`RepositorySecrets`."""

    repository: str
    """Repository name (without owner)."""
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Repository secrets by name; values are treated as secrets whatever their origin."""
    variables: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Repository variables by name."""


class RepositorySecrets(pulumi.ComponentResource):
    """Repository-level Actions secrets and variables, one resource per name.

    Repository-level names are visible to every workflow job of the repository, so each name must be set
    by exactly one stack: the repository's own stack (``stagecraft check`` finds a second one).
    Prefer environment secrets: they are only exposed to jobs that declare the environment.
    """

    secret_names: list[str]
    """Names of the secrets created, sorted."""
    variable_names: list[str]
    """Names of the variables created, sorted."""

    def __init__(self, name: str, args: RepositorySecretsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("stagecraft:delivery:RepositorySecrets", name, None, opts)
        if not args.repository or "/" in args.repository:
            raise ComponentInputError(_COMPONENT, "repository", args.repository, "a repository name without the owner")
        check_actions_names(_COMPONENT, args.secrets, args.variables)
        child = pulumi.ResourceOptions(parent=self)

        for secret_name, value in sorted(args.secrets.items()):
            github.ActionsSecret(
                f"{name}-secret-{secret_name}",
                repository=args.repository,
                secret_name=secret_name,
                value=pulumi.Output.secret(value),
                opts=child,
            )
        for variable_name, value in sorted(args.variables.items()):
            github.ActionsVariable(
                f"{name}-variable-{variable_name}",
                repository=args.repository,
                variable_name=variable_name,
                value=value,
                opts=child,
            )

        self.secret_names = sorted(args.secrets)
        self.variable_names = sorted(args.variables)
        self.register_outputs({"secret_names": self.secret_names, "variable_names": self.variable_names})
