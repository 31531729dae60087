"""Pulumi entry point of the cluster layer (project ``stagecraft-cluster``)."""

from infra.cluster import main

main()
