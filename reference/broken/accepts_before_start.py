"""The broken API twin `accepts_before_start`: the API tier's SIGKILL row's negative control.

A team makes its API fast by answering before the slow part: a submission goes into an
in-process queue and is answered 202 with its workflow id at once, and one background task
starts the queued workflows with Temporal, one after another. Nothing is lost while the
process lives. A SIGKILL takes the queue with it: every submission it had answered 202 and
not yet started is gone, and its client, holding a 202, never submits it again
(`lost-workflow`, suites/chaos/test_f11_api_fleet.py). The reference answers 202 only once
Temporal has stored the workflow (reference/api/app.py).

Everything else is the reference's: the routes, the Temporal link, /ready, the reads, the
Idempotency-Key's deterministic id and REJECT_DUPLICATE (a retried key is answered 202
again, its second start refused by Temporal and ignored). Only the order differs.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from datetime import timedelta

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from stormproof.reference.api.app import TemporalBackend, unavailable, workflow_id_for
from stormproof.reference.api.models import WORKFLOW_TYPES, ApiSettings, WorkflowKind
from stormproof.reference.temporal.connection import load_connect_config
from stormproof.reference.temporal.link import TemporalLink

log = logging.getLogger("stormproof.api.accepts_before_start")

Queued = tuple[WorkflowKind, BaseModel, str]  # kind, request, workflow id


class AcceptsBeforeStartBackend(TemporalBackend):
    """BROKEN ON PURPOSE: a 202 once the submission is queued in memory, before its start."""

    def __init__(self, settings: ApiSettings) -> None:
        link = TemporalLink(
            load_connect_config(), settings.task_queue, max_backoff=settings.max_backoff_seconds
        )
        super().__init__(settings, link)
        self.queue: asyncio.Queue[Queued] = asyncio.Queue()
        self.starter: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        await super().startup()
        self.starter = asyncio.create_task(self._starting())

    async def shutdown(self) -> None:
        if self.starter is not None:
            self.starter.cancel()
        await super().shutdown()

    async def submit(self, kind: WorkflowKind, request: BaseModel, key: str | None) -> JSONResponse:
        if self.link.usable_client() is None:
            return unavailable(
                f"cannot start a {kind} now: Temporal is {self.link.state.value}",
                self.link.state.value,
            )
        workflow_id = workflow_id_for(kind, key, self.settings.workflow_id_prefix)
        self.queue.put_nowait((kind, request, workflow_id))
        return self._accepted(kind, workflow_id, duplicate=False)

    async def _starting(self) -> None:
        """Start the queued workflows one by one, retrying each until Temporal has it."""
        while True:
            kind, request, workflow_id = await self.queue.get()
            for _attempt in itertools.count(1):
                if await self._start(kind, request, workflow_id):
                    break
                await asyncio.sleep(1)  # wait-ok: the twin's own retry pace

    async def _start(self, kind: WorkflowKind, request: BaseModel, workflow_id: str) -> bool:
        client = self.link.usable_client()
        if client is None:
            return False
        timeout = self.settings.start_timeout_seconds
        try:
            await client.start_workflow(
                WORKFLOW_TYPES[kind],
                request,
                id=workflow_id,
                task_queue=self.settings.task_queue,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                rpc_timeout=timedelta(seconds=timeout),
            )
        except WorkflowAlreadyStartedError:
            return True  # a retried key's second submission
        except Exception as exc:
            log.warning("could not start %s yet, retrying: %s", workflow_id, exc)
            return False
        return True
