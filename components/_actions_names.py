"""Shared checks for GitHub Actions secret and variable names (environment- and repository-level)."""

from __future__ import annotations

from collections.abc import Iterable

from components.errors import ComponentInputError, yaml_value
from components.naming import name_problems

AWS_KEY_NAMES = frozenset({"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
"""Long-lived AWS key names a pipeline must never hold: it assumes the stage's deploy role through OIDC."""

AWS_KEY_ADVICE = (
    "long-lived AWS keys are not stored in GitHub; pipelines assume the stage's deploy role "
    "through GitHub OIDC (aws-actions/configure-aws-credentials, "
    "role-to-assume: ${{ vars.AWS_ROLE_ARN }})"
)


def check_actions_names(component: str, secrets: Iterable[str], variables: Iterable[str]) -> None:
    """Raise :class:`ComponentInputError` for a bad secret or variable name, an AWS key, or a clash.

    GitHub stores these names upper-cased, so two names that differ only in case are the same name,
    and a variable may not share a name with a secret (a workflow would read the wrong one).
    """
    seen: dict[str, str] = {}
    for argument, names in (("secrets", list(secrets)), ("variables", list(variables))):
        for name in names:
            if name.upper() in AWS_KEY_NAMES:
                raise ComponentInputError(component, argument, name, AWS_KEY_ADVICE)
            problems = name_problems("github-secret" if argument == "secrets" else "github-variable", name)
            if problems:
                raise ComponentInputError(component, argument, name, "; ".join(problems))
            earlier = seen.get(name.upper())
            if earlier is not None:
                raise ComponentInputError(
                    component,
                    argument,
                    name,
                    f"names are case-insensitive in GitHub and {yaml_value(name)} is already used in {earlier}",
                )
            seen[name.upper()] = argument
