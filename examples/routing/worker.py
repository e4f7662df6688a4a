"""The team's worker: `python -m examples.routing.worker`, configured by its own variables
(ROUTING_TEMPORAL_HOST, ROUTING_NAMESPACE, ROUTING_QUEUE, LLM_URL, LLM_KEY, HR_AGENT_URL,
FAQ_AGENT_URL; see settings.py). SIGTERM and SIGINT drain in-flight activities first.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker

from examples.routing.activities import ACTIVITIES
from examples.routing.settings import RoutingSettings
from examples.routing.workflows import WORKFLOWS

log = logging.getLogger("routing.worker")


async def run(activities: Sequence[Callable[..., Any]] = ACTIVITIES) -> None:
    """Poll the team's queue until a signal; a twin passes its own activities."""
    settings = RoutingSettings()
    client = await Client.connect(
        settings.routing_temporal_host,
        namespace=settings.routing_namespace,
        data_converter=pydantic_data_converter,
    )
    worker = Worker(
        client,
        task_queue=settings.routing_queue,
        workflows=WORKFLOWS,
        activities=list(activities),
        graceful_shutdown_timeout=timedelta(seconds=10),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("polling %s on %s", settings.routing_queue, settings.routing_temporal_host)
    async with worker:
        await stop.wait()
    log.info("drained and stopped")


def main(activities: Sequence[Callable[..., Any]] = ACTIVITIES) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(run(activities))


if __name__ == "__main__":
    main()
