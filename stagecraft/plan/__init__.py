"""Offline plan: run the real ``infra`` program under Pulumi's mocks and record what the engine would receive."""
