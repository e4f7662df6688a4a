"""Broken workers: the reference worker with one activity behaviour swapped in.

Each function here is an activities factory named after its twin. The worker around it
is the reference's own (`stormproof.reference.worker.run`), and the real activities are
reused through their constructor parameters, so nothing but the defect differs and a
check that rejects a twin is seeing the bug, not some other difference.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from temporalio import activity

from stormproof.reference.activities import LlmActivities, NotifyActivities, StorageActivities
from stormproof.reference.activities import build_activities as _build
from stormproof.reference.activities.storage import TABLE, Schema
from stormproof.reference.models import LlmCallInput, LlmCallOutput
from stormproof.reference.settings import WorkerSettings

Activities = list[Callable[..., Any]]

# BROKEN ON PURPOSE: no primary key and no ON CONFLICT, so every retry adds a row.
NON_IDEMPOTENT_SCHEMA = Schema(
    create=f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        report_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        pdf_path TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)""",
    insert=f"""INSERT INTO {TABLE} (report_id, workflow_id, pdf_path, attempt)
        VALUES ({{p}}, {{p}}, {{p}}, {{p}})""",
)


def random_key(report_id: str) -> str:
    """BROKEN ON PURPOSE: a new key per attempt defeats the receiver's deduplication."""
    return f"report-ready:{report_id}:{uuid.uuid4().hex}"


def non_idempotent_insert(settings: WorkerSettings) -> Activities:
    return _build(settings, storage=StorageActivities(settings, schema=NON_IDEMPOTENT_SCHEMA))


def non_idempotent_notify(settings: WorkerSettings) -> Activities:
    return _build(settings, notify=NotifyActivities(settings, key_for=random_key))


def sdk_retries(settings: WorkerSettings) -> Activities:
    # BROKEN ON PURPOSE: the SDK retries inside each Temporal attempt (up to 3 x 3 calls).
    return _build(settings, llm=LlmActivities(settings, max_retries=2))


def ignores_retry_after(settings: WorkerSettings) -> Activities:
    # BROKEN ON PURPOSE: retries on the policy's own schedule despite Retry-After.
    return _build(settings, llm=LlmActivities(settings, honour_retry_after=False))


class ExitsOnCancelLlm(LlmActivities):
    """The real LLM call, except that a cancellation escapes into the main task, as code
    that treats "cancelled" as "we are shutting down" does."""

    def __init__(self, settings: WorkerSettings, main_task: asyncio.Task[Any]) -> None:
        super().__init__(settings)
        self._main_task = main_task

    @activity.defn(name="llm_call")
    async def llm_call(self, request: LlmCallInput) -> LlmCallOutput:
        try:
            return await super().llm_call(request)
        except asyncio.CancelledError:
            # BROKEN ON PURPOSE: "cancelled" is not "shut down"; this kills the process.
            print("llm_call cancelled: re-raising CancelledError in the main task", flush=True)
            self._main_task.cancel()
            raise


def exits_on_cancel(settings: WorkerSettings) -> Activities:
    # Called from stormproof.reference.worker.serve, so the current task is the main task.
    main_task = asyncio.current_task()
    assert main_task is not None
    return _build(settings, llm=ExitsOnCancelLlm(settings, main_task))
