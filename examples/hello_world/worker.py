"""The team's worker: `python -m examples.hello_world.worker`, configured by its own
variables (HELLO_WORLD_TEMPORAL, HELLO_WORLD_NAMESPACE, HELLO_WORLD_TASK_QUEUE,
OPENAI_BASE_URL, OPENAI_API_KEY, TEAM_WEBHOOK_URL; see settings.py). SIGTERM and SIGINT
drain in-flight activities first.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from examples.hello_world.activities import ACTIVITIES
from examples.hello_world.settings import Settings
from examples.hello_world.workflows import WORKFLOWS

log = logging.getLogger("hello_world.worker")


async def run(activities: Sequence[Callable[..., Any]] = ACTIVITIES) -> None:
    """Poll the team's queue until a signal; a broken twin passes its own activities."""
    settings = Settings()
    client = await Client.connect(settings.temporal_address, namespace=settings.namespace)
    worker = Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=list(activities),
        graceful_shutdown_timeout=timedelta(seconds=5),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("polling %s on %s", settings.task_queue, settings.temporal_address)
    async with worker:
        await stop.wait()
    log.info("drained and stopped")


def main(activities: Sequence[Callable[..., Any]] = ACTIVITIES) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(run(activities))


if __name__ == "__main__":
    main()
