"""Pulumi entry point of the account bootstrap (project ``stagecraft-bootstrap``)."""

from infra.bootstrap import main

main()
