"""ReportWorkflow v2: the reorder of the `activities_reordered` twin, made correctly.

Sending the webhook before storing the row is a legitimate product change; shipped
as a plain edit it breaks every report already running (see NotifiesBeforeStoring).
Behind `workflow.patched`, runs whose history predates the patch keep the old order and
new runs get the new one, so old and new histories both replay. It is not a twin (the
replay suite must accept it), but it lives beside the twin it repairs, and the suite loads
it as `stormproof.reference.broken.patched:ReportWorkflowV2`.
"""

from __future__ import annotations

from typing import Any

from temporalio import workflow

from stormproof.reference.broken.workflows import NotifiesBeforeStoring

PATCH_ID = "notify-before-store"


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class ReportWorkflowV2(NotifiesBeforeStoring):
    """The v2 order for new runs only: `patched` is False while replaying a v1 history."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        return await super().run(request)

    def _notify_first(self) -> bool:
        return workflow.patched(PATCH_ID)
