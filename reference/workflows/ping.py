"""`PingWorkflow`: proves a worker is polling the task queue, touching nothing else."""

from __future__ import annotations

from typing import Any

from temporalio import workflow


@workflow.defn(name="PingWorkflow")
class PingWorkflow:
    @workflow.run
    async def run(self, _unused: Any = None) -> str:
        # Accepts (and ignores) an argument so a caller that sends `{}` still gets "ok"
        # instead of a workflow task stuck on a decode error.
        return "ok"
