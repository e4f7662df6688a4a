"""A bare Temporal SDK worker with the reference's shape, for bench/chaos_ratio.py.

Same workflow names, the same activities in the same order with the same timeouts and
retry policies (copied from reference/workflows/policies.py), and
payloads of the same size (the fake LLM's reply is about 400 characters, so llm_call
returns that much), but every activity returns at once and there is no codec, no
database, no PDF, no HTTP: what the SDK and the dev server cost on their own. omes does
the same to tell a worker's own overhead from the platform's.

    STORMPROOF_TASK_QUEUE=q TEMPORAL_ADDRESS=host:port python -m bench._bare_worker
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from typing import Any

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.worker import Worker


def _options(
    name: str, start_to_close: float, attempts: int, *, heartbeat: float | None = None,
    schedule_to_close: float | None = None, max_interval: float = 10.0,
) -> tuple[str, dict[str, Any]]:  # fmt: skip
    """The reference's timeouts and retry policy for `name` (reference/workflows/policies.py,
    copied: a suite module may not import the defendant)."""
    return name, {
        "start_to_close_timeout": timedelta(seconds=start_to_close),
        "heartbeat_timeout": timedelta(seconds=heartbeat) if heartbeat else None,
        "schedule_to_close_timeout": timedelta(seconds=schedule_to_close)
        if schedule_to_close
        else None,
        "retry_policy": RetryPolicy(
            initial_interval=timedelta(seconds=1),
            backoff_coefficient=2.0,
            maximum_interval=timedelta(seconds=max_interval),
            maximum_attempts=attempts,
        ),
    }


LLM_CALL = _options("llm_call", 60, 3, heartbeat=15, max_interval=30)
SAVE_STORY_ARTIFACT = _options("save_story_artifact", 15, 5)
CREATE_PDF = _options("create_pdf", 30, 2)
STORE_REPORT_METADATA = _options("store_report_metadata", 15, 20, max_interval=5)
SEND_NOTIFICATION = _options("send_notification", 15, 0, schedule_to_close=600)

REPLY = "Reply bare: " + "A resilient system keeps its promises under faults. " * 8


@activity.defn(name=LLM_CALL[0])
async def llm_call(_: Any) -> dict[str, Any]:
    return {"text": REPLY, "model": "bare"}


@activity.defn(name=SAVE_STORY_ARTIFACT[0])
async def save_story_artifact(_: Any) -> dict[str, Any]:
    return {"artifact_path": "/dev/null"}


@activity.defn(name=CREATE_PDF[0])
async def create_pdf(_: Any) -> dict[str, Any]:
    return {"pdf_path": "/dev/null"}


@activity.defn(name=STORE_REPORT_METADATA[0])
async def store_report_metadata(_: Any) -> dict[str, Any]:
    return {"stored": True}


@activity.defn(name=SEND_NOTIFICATION[0])
async def send_notification(_: Any) -> dict[str, Any]:
    return {"idempotency_key": "bare", "status_code": 200}


@workflow.defn(name="PingWorkflow")
class Ping:
    @workflow.run
    async def run(self, _unused: Any = None) -> str:
        return "ok"


@workflow.defn(name="StoryWorkflow")
class Story:
    @workflow.run
    async def run(self, request: dict[str, Any]) -> dict[str, Any]:
        reply = await workflow.execute_activity(LLM_CALL[0], request, **LLM_CALL[1])
        await workflow.execute_activity(SAVE_STORY_ARTIFACT[0], reply, **SAVE_STORY_ARTIFACT[1])
        return {"workflow_id": workflow.info().workflow_id, "characters": len(reply["text"])}


@workflow.defn(name="ReportWorkflow")
class Report:
    @workflow.run
    async def run(self, request: dict[str, Any]) -> dict[str, Any]:
        reply = await workflow.execute_activity(LLM_CALL[0], request, **LLM_CALL[1])
        pdf = await workflow.execute_activity(CREATE_PDF[0], reply, **CREATE_PDF[1])
        await workflow.execute_activity(STORE_REPORT_METADATA[0], pdf, **STORE_REPORT_METADATA[1])
        await workflow.execute_activity(SEND_NOTIFICATION[0], pdf, **SEND_NOTIFICATION[1])
        return {"status": "completed", "workflow_id": workflow.info().workflow_id}


async def main() -> None:
    client = await Client.connect(
        os.environ["TEMPORAL_ADDRESS"], namespace=os.environ.get("TEMPORAL_NAMESPACE", "default")
    )
    await Worker(
        client,
        task_queue=os.environ["STORMPROOF_TASK_QUEUE"],
        workflows=[Ping, Story, Report],
        activities=[
            llm_call,
            save_story_artifact,
            create_pdf,
            store_report_metadata,
            send_notification,
        ],
    ).run()


if __name__ == "__main__":
    asyncio.run(main())
