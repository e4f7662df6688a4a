"""Broken twin (workflow code): release 2 shipped without its `workflow.patched` guard.

New runs are fine: they read the order first, as release 2 means them to. A v1 run in
flight is not: its history schedules the first model call where this code schedules
`lookup_order`, so the first workflow task it takes on this release fails as
non-deterministic, and it stays stuck there. Rejected as `non-determinism` by the replay
guard on the committed histories (examples/agents_openai/tests/test_replay.py) and by the
live rolling deploy, which ships it as v2 while v1's runs wait in their first model call
(suites/chaos/rolling/test_rolling_deploy.py, through the adapter's `Deployment.unpatched`).
"""

from __future__ import annotations

from temporalio import workflow

from examples.agents_openai import release_2
from examples.agents_openai import workflows as app
from examples.agents_openai.worker import main
from examples.agents_openai.workflows import TriageOutcome, TriageRequest


@workflow.defn(name="SupportTriage")
class SupportTriage(release_2.SupportTriage):
    @workflow.run
    async def run(self, request: TriageRequest) -> TriageOutcome:
        return await self.release_2(request)

    def reads_order_first(self) -> bool:
        return True  # every run, whatever its history says


WORKFLOWS = [SupportTriage, app.SupportSession]

if __name__ == "__main__":
    main(workflows=WORKFLOWS)
