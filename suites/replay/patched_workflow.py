"""ReportWorkflow v2: the reorder from broken_workflows.py, made correctly.

Sending the webhook before storing the row is a legitimate product change; shipped
as a plain edit it breaks every report already running (see NotifiesBeforeStoring).
Behind `workflow.patched`, runs whose history predates the patch keep the old order and
new runs get the new one, so old and new histories both replay.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

from stormproof.suites.replay.broken_workflows import NotifiesBeforeStoring

PATCH_ID = "notify-before-store"


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class ReportWorkflowV2(NotifiesBeforeStoring):
    """The v2 order for new runs only: `patched` is False while replaying a v1 history."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        return await super().run(request)

    def _notify_first(self) -> bool:
        return workflow.patched(PATCH_ID)
