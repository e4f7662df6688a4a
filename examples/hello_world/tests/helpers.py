"""What the hello-world app's tests share: its adapter's name, its twins' commands, the
webhook deliveries the world's sink saw, and the verdict every test ends with.

Suite-layer code: it reads the world and the judge, never the app (the app is started as
worker processes).
"""

from __future__ import annotations

import sys

from stormproof.chaos import ChaosRun, CheckResult, Planned
from stormproof.diagnosis import BugClass, expect
from stormproof.world import Delivery

ADAPTER = "examples.hello_world.stormproof_adapter"


def worker_argv(twin: str | None) -> list[str] | None:
    """The worker command of `examples/hello_world/broken/<twin>.py`; None: the app's own."""
    return None if twin is None else [sys.executable, "-m", f"examples.hello_world.broken.{twin}"]


def webhook_posts(chaos: ChaosRun, item: Planned) -> list[Delivery]:
    """The POSTs the team's webhook (the suite's sink) received for `item`, in order."""
    return [
        d
        for d in chaos.world.sink.deliveries
        if (d.body or {}).get("workflow_id") == item.workflow_id
    ]


def landed(chaos: ChaosRun, item: Planned, count: int = 1) -> bool:
    """At least `count` of `item`'s POSTs were accepted by the receiver."""
    return sum(d.accepted for d in webhook_posts(chaos, item)) >= count


def assert_all_once(chaos: ChaosRun, result: CheckResult) -> None:
    """Every haiku completed, each effect exactly once (the checker's classes), no waste."""
    chaos.assert_exactly_once(result)
    expect(result.completed == result.workflows, BugClass.LOST_WORKFLOW, result.summary())
