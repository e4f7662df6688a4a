"""What the routing app's tests share: its adapter's name, its twins' commands, the agent
calls the world's recording proxies saw, and the checks the adapter's effects cannot say
(whether every workflow completed is stormproof.chaos's `assert_all_completed`).

Suite-layer code: it reads the world and the judge, never the app (the app is started as
processes; its workflow classes are loaded by `module:attr`, as the replayer loads any).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence

from stormproof.chaos import ChaosRun
from stormproof.world import LlmCall, ServiceRequest

ADAPTER = "examples.routing.stormproof_adapter"
WORKFLOWS = "examples.routing.workflows:WORKFLOWS"
# Seconds a retry may start before the server's retry-after hint ends: the hint's whole
# seconds are rounded by the server, and the fake LLM settles a 429 before sending it.
HINT_SLACK = 0.3


def twin_argv(name: str) -> list[str]:
    """The worker command of the broken twin `examples/routing/broken/<name>.py`."""
    return [sys.executable, "-m", f"examples.routing.broken.{name}"]


def agent_requests(chaos: ChaosRun, service: str, marker: str) -> list[ServiceRequest]:
    """Requests to the agent `service` that carried `marker` (in the message text)."""
    return [r for r in chaos.world.services[service].requests if marker in r.raw]


def agent_link(chaos: ChaosRun, service: str) -> str:
    """The Toxiproxy proxy between the worker and the agent's recording proxy."""
    return chaos.link(f"svc-{service}")


def retry_hint_problems(calls: Sequence[LlmCall]) -> list[str]:
    """Each retry that came before the 429's retry-after hint had passed."""
    problems = []
    for before, after in itertools.pairwise(calls):
        hint = before.retry_hints.get("retry-after")
        if before.status != 429 or hint is None or before.finished_monotonic is None:
            continue
        waited = after.monotonic - before.finished_monotonic
        if waited < float(hint) - HINT_SLACK:
            problems.append(f"call #{after.seq} came {waited:.2f} s after a 429 asking {hint} s")
    return problems
