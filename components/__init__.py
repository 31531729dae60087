"""Reusable Pulumi ComponentResources for one delivery stage.

One component per module, named for the noun it provides. Components take typed ``...Args``
dataclasses with plain values and Pulumi inputs; they know nothing of stack configuration
(that is ``infra``'s job). Import them from their modules, e.g. ``from components.network import Network``.
"""
