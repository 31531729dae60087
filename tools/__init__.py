"""Generators of the data files this repository ships (run by hand; tests keep the output in step)."""
