"""Stagecraft tooling: the offline plan and the commands around it (``stagecraft --help``)."""
