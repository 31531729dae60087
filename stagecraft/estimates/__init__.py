"""Estimates for a recorded stage: monthly list cost and fresh-deploy time."""
