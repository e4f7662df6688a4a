"""HelloWorld: the sample's haiku from the LLM, then (the extension) the team notified.

Timeouts are the sample's order of magnitude, a little shorter, so a worker that dies
mid-activity is replaced by a retry within seconds; the retry interval is capped so an
LLM storm does not push the next attempt minutes away.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from examples.hello_world.activities import (
        NotifyRequest,
        OpenAIResponsesRequest,
        create,
        notify_team,
    )

SYSTEM_INSTRUCTIONS = "You only respond in haikus."
MODEL = "gpt-4o-mini"
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=5))


@workflow.defn
class HelloWorld:
    @workflow.run
    async def run(self, input: str) -> str:
        haiku = await workflow.execute_activity(
            create,
            OpenAIResponsesRequest(model=MODEL, instructions=SYSTEM_INSTRUCTIONS, input=input),
            start_to_close_timeout=timedelta(seconds=20),
            retry_policy=RETRY,
        )
        await workflow.execute_activity(
            notify_team,
            NotifyRequest(workflow_id=workflow.info().workflow_id, haiku=haiku),
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=RETRY,
        )
        return haiku


WORKFLOWS = [HelloWorld]
