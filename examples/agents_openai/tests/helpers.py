"""What the support app's tests share: its adapter's and workflows' names, its twins'
commands, and the tickets the world's sink received.

Suite-layer code: it reads the world and the judge, never the app (the app is started as
worker processes; its workflow classes are loaded by `module:attr`, as the replayer loads
any).
"""

from __future__ import annotations

import sys

from stormproof.chaos import ChaosRun, Planned
from stormproof.world import Delivery

ADAPTER = "examples.agents_openai.stormproof_adapter"
WORKFLOWS = "examples.agents_openai.workflows:WORKFLOWS"
# The model's steps as the fake LLM logs them: the tools each answer asked for.
STEPS = [["lookup_order"], ["transfer_to_ticket_agent"], ["file_ticket"], []]


def twin_argv(name: str) -> list[str]:
    """The worker command of the broken twin `examples/agents_openai/broken/<name>.py`."""
    return [sys.executable, "-m", f"examples.agents_openai.broken.{name}"]


def tickets(deliveries: list[Delivery], workflow_id: str) -> list[Delivery]:
    """The POSTs the ticketing webhook (the suite's sink) received for one run, in order."""
    return [d for d in deliveries if (d.body or {}).get("workflow_id") == workflow_id]


def tickets_of(chaos: ChaosRun, item: Planned) -> list[Delivery]:
    return tickets(chaos.world.sink.deliveries, item.workflow_id)
