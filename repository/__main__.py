"""Pulumi entry point of the repository layer (``repository/``, a root program: no ``main:`` in Pulumi.yaml)."""

from infra.repository import main

main()
