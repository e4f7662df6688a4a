"""The impostor twin `foreign_worker`: a process that is not the worker under test,
polling the worker's task queue.

This is the "someone else's worker took the queue name" case (a stale deployment, another
team's service): pollers exist, so only the PingWorkflow round trip can tell, and the
doctor must name this poller's identity. It connects as the reference worker does (the
TEMPORAL_* environment), on --task-queue or STORMPROOF_TASK_QUEUE.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence

from temporalio import activity, workflow
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from stormproof.reference.temporal.connection import (
    ConnectionConfigError,
    connect_with_retry,
    describe,
    load_connect_config,
    settled,
)

# What the doctor must show as the poller that is not a contract worker.
IDENTITY = "billing-service@build-42"


@workflow.defn(name="InvoiceWorkflow")
class InvoiceWorkflow:
    @workflow.run
    async def run(self) -> str:
        return "invoiced"


@activity.defn(name="charge_card")
async def charge_card() -> str:
    return "charged"


async def serve(task_queue: str) -> int:
    """Poll `task_queue` with the foreign workflow and activity until SIGTERM/SIGINT."""
    label = "foreign_worker (BROKEN ON PURPOSE)"
    config = load_connect_config()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    client = await connect_with_retry(config, stop=stop, who=label)
    if client is None:
        return 0
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[InvoiceWorkflow],
        activities=[charge_card],
        workflow_runner=UnsandboxedWorkflowRunner(),
        identity=IDENTITY,
    ):
        print(f"{label}: polling task queue {task_queue} on {describe(config)}", flush=True)
        await stop.wait()
    return 0


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m stormproof.reference.broken foreign_worker",
        description="Another team's worker on the contract's task queue (a negative control).",
    )
    parser.add_argument("--task-queue", help="overrides STORMPROOF_TASK_QUEUE")
    args = parser.parse_args(list(argv))
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    task_queue = args.task_queue or os.environ.get("STORMPROOF_TASK_QUEUE") or "stormproof"
    try:
        return asyncio.run(settled(serve(task_queue)))
    except ConnectionConfigError as exc:
        print(f"foreign_worker: {exc}", file=sys.stderr)
        return 2
