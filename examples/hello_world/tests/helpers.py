"""What the hello-world app's tests share: its adapter's name and the webhook deliveries
the world's sink saw.

Suite-layer code: it reads the world and the judge, never the app (the app is started as
worker processes).
"""

from __future__ import annotations

from stormproof.chaos import ChaosRun, Planned
from stormproof.world import Delivery

ADAPTER = "examples.hello_world.stormproof_adapter"


def webhook_posts(chaos: ChaosRun, item: Planned) -> list[Delivery]:
    """The POSTs the team's webhook (the suite's sink) received for `item`, in order."""
    return [
        d
        for d in chaos.world.sink.deliveries
        if (d.body or {}).get("workflow_id") == item.workflow_id
    ]
