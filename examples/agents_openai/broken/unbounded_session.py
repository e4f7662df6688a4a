"""Broken twin: the support session never continues as new.

The run waits only for `close`: every customer message adds its Update, model calls, tool
calls and workflow tasks to one history that grows without end. Temporal suggests
continuing as new (in each workflow task, once the history passes its suggested size), the
twin does not listen, and at the history's hard limit the server terminates the session:
every conversation long enough is lost. Rejected by
examples/agents_openai/tests/test_session.py as `lost-workflow`, on a server whose limits
are low enough to reach in seconds.
"""

from __future__ import annotations

from temporalio import workflow

from examples.agents_openai import workflows as app
from examples.agents_openai.activities import ACTIVITIES
from examples.agents_openai.worker import main
from examples.agents_openai.workflows import SessionState


@workflow.defn(name="SupportSession")
class SupportSession(app.SupportSession):
    @workflow.run
    async def run(self, state: SessionState) -> int:
        await workflow.wait_condition(lambda: self.closed and workflow.all_handlers_finished())
        return self.turns


if __name__ == "__main__":
    main(ACTIVITIES, [app.SupportTriage, SupportSession])
