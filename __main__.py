"""Pulumi entry point: the CLI runs this file from the project root (Pulumi.yaml has no ``main:``).

The root is the program directory, so ``pulumi install`` builds ``.venv`` from the root ``requirements.txt``
(its ``-e .`` installs this repository); see "How the Pulumi CLI loads this project" in docs/architecture.md.
"""

from infra.program import main

main()
