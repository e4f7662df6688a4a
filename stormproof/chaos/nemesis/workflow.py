"""Faults of the workflows themselves: an operator's reset (`temporal workflow reset`).

After a bug fix an operator resets workflows to a point before the fix mattered; Temporal
starts a new run of the same execution from that workflow task, and the code runs every
later step again. A worker whose idempotency keys come from the run (or the attempt), or
that keeps no record of an LLM reply it already paid for, repeats its effects.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import Client

from stormproof.chaos.nemesis.base import Nemesis
from stormproof.conformance.reset import FIRST_TASK, reset_points, reset_to


class WorkflowReset(Nemesis):
    """Reset each workflow to its first workflow task: all its steps run again in a new
    run. `new_runs` maps each workflow id to its new run's id once injected."""

    name = "workflow-reset"

    def __init__(self, client: Client, workflow_ids: list[str], point: str = FIRST_TASK):
        self.client, self.workflow_ids, self.point = client, workflow_ids, point
        self.new_runs: dict[str, str] = {}

    async def inject(self) -> None:
        for workflow_id in self.workflow_ids:
            handle = self.client.get_workflow_handle(workflow_id)
            points = await reset_points(handle)
            reason = f"stormproof chaos: reset to {self.point}"
            new = await reset_to(self.client, handle, points[self.point], reason)
            self.new_runs[workflow_id] = new.run_id or ""

    async def heal(self) -> None:
        """Nothing to mend: the new runs are the work."""

    def describe(self) -> dict[str, Any]:
        return {"fault": self.name, "point": self.point, "workflows": len(self.workflow_ids)}
