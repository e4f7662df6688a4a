"""A process that is not the worker under test, polling the worker's task queue.

This is the "someone else's worker took the queue name" case (a stale deployment, another
team's service): pollers exist, so only the PingWorkflow round trip can tell.
"""

from __future__ import annotations

from temporalio import activity, workflow


@workflow.defn(name="InvoiceWorkflow")
class InvoiceWorkflow:
    @workflow.run
    async def run(self) -> str:
        return "invoiced"


@activity.defn(name="charge_card")
async def charge_card() -> str:
    return "charged"
