"""The team's worker: `python -m examples.agents_pydantic.worker`, configured by its own
variables (SUPPORT_TEMPORAL_ADDRESS, SUPPORT_TEMPORAL_NAMESPACE, SUPPORT_TASK_QUEUE,
SUPPORT_LLM_BASE_URL, SUPPORT_LLM_API_KEY, SUPPORT_LLM_MODEL, SUPPORT_LLM_TIMEOUT_SECONDS,
SUPPORT_DATABASE_URL; see settings.py). It creates the ticket table if missing, then polls;
SIGTERM and SIGINT drain in-flight activities first.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from pydantic_ai import Agent
from pydantic_ai.durable_exec.temporal import AgentPlugin, PydanticAIPlugin
from temporalio.client import Client
from temporalio.worker import Worker

from examples.agents_pydantic.agents import AGENTS
from examples.agents_pydantic.settings import SupportSettings
from examples.agents_pydantic.store import create_schema
from examples.agents_pydantic.workflows import WORKFLOWS

log = logging.getLogger("support.worker")


async def run(agents: Sequence[Agent[Any, Any]] = AGENTS.all) -> None:
    """Poll the team's queue until a signal; a twin passes its own agents, whose
    activities (same names) stand in for the app's."""
    settings = SupportSettings()
    await create_schema(settings.database_url)
    # PydanticAIPlugin: the Pydantic payload converter, and the sandbox passthroughs and
    # failure types Pydantic AI needs; each AgentPlugin registers one agent's activities.
    client = await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        plugins=[PydanticAIPlugin()],
    )
    worker = Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        plugins=[AgentPlugin(agent) for agent in agents],
        graceful_shutdown_timeout=timedelta(seconds=10),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("polling %s on %s", settings.task_queue, settings.temporal_address)
    async with worker:
        await stop.wait()
    log.info("drained and stopped")


def main(agents: Sequence[Agent[Any, Any]] = AGENTS.all) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(run(agents))


if __name__ == "__main__":
    main()
