"""What the support-triage app's tests share: its adapter's name, its workflows' spec, its
twins' commands, and the ticket rows the world's database holds.

Suite-layer code: it reads the world and the judge, never the app (the app is started as
worker processes; its workflow classes are loaded by `module:attr`, as the replayer loads
any).
"""

from __future__ import annotations

import sys

ADAPTER = "examples.agents_pydantic.stormproof_adapter"
WORKFLOWS = "examples.agents_pydantic.workflows:WORKFLOWS"


def twin_argv(name: str) -> list[str]:
    """The worker command of the broken twin `examples/agents_pydantic/broken/<name>.py`."""
    return [sys.executable, "-m", f"examples.agents_pydantic.broken.{name}"]
