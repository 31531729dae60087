"""``python -m stagecraft.rules``: regenerate docs/rules.md and policy/profiles/*.json (``make generate``)."""

from pathlib import Path

from stagecraft.rules.docs import write_generated

for path in write_generated(Path.cwd()):
    print(f"wrote {path}")
