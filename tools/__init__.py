"""Maintenance scripts (not shipped): generators of stagecraft's data files."""
