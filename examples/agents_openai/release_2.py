"""The app's next release, shipped by a rolling deploy: the triage reads the order the
customer names before the agents run, and hands the agents its line with the message.

A change of workflow code while runs are in flight: a v1 run has already scheduled its
first model call where release 2 schedules `lookup_order`, so the new step is behind
`workflow.patched`. A run whose history predates the step replays without it (and never
takes it later); every run started on release 2 takes it. In a team's repository this is
the next commit of workflows.py; here it sits beside v1 so that both can run at once, as
versions of one Worker Deployment (the adapter's `Deployment.next`). Its worker:
`python -m examples.agents_openai.release_2`.
"""

from __future__ import annotations

import re
from datetime import timedelta

from temporalio import workflow

from examples.agents_openai import workflows as app
from examples.agents_openai.activities import lookup_order
from examples.agents_openai.support_agents import RETRY
from examples.agents_openai.worker import main
from examples.agents_openai.workflows import TriageOutcome, TriageRequest

ORDER_FIRST = "order-read-before-agents"  # the patch id, in the history of runs that take it
ORDER_ID = re.compile(r"\bA-\d{4}\b")


@workflow.defn(name="SupportTriage")
class SupportTriage(app.SupportTriage):
    @workflow.run
    async def run(self, request: TriageRequest) -> TriageOutcome:
        return await self.release_2(request)

    async def release_2(self, request: TriageRequest) -> TriageOutcome:
        message = request.message
        if self.reads_order_first():
            message = await with_order(message)
        return await self.triage(message)

    def reads_order_first(self) -> bool:
        """True for runs started on this release; False for a v1 history replayed here."""
        return workflow.patched(ORDER_FIRST)


async def with_order(message: str) -> str:
    """`message` and the order book's line for the order it names (as it is, if none)."""
    found = ORDER_ID.search(message)
    if found is None:
        return message
    line = await workflow.execute_activity(
        lookup_order,
        found.group(0),
        start_to_close_timeout=timedelta(seconds=10),
        retry_policy=RETRY,
    )
    return f"{message}\n\nThe order book's line for {found.group(0)}: {line}"


WORKFLOWS = [SupportTriage, app.SupportSession]

if __name__ == "__main__":
    main(workflows=WORKFLOWS)
