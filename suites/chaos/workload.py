"""The client role: start Story and Report workflows concurrently and record what it learned.

Every start is an `invoke` followed by `ok` (accepted), `fail` (definitely refused) or
`info` (unknown: the request may or may not have reached the server). An unknown start is
retried with the same workflow id and REJECT_DUPLICATE, so a retry can never create a
second run; `WorkflowAlreadyStartedError` on a retry means the first attempt landed, which
is an `ok`. Results are awaited by polling describe() under a deadline, so a Temporal
restart in the middle costs a few failed polls, not a hung await.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from stormproof.fixtures.fake_llm import new_marker, tag
from stormproof.operations import OperationLog

Kind = Literal["story", "report"]
WORKFLOW_TYPE = {"story": "StoryWorkflow", "report": "ReportWorkflow"}
# Refusals that can never succeed on retry: a bug in the request, not a fault.
DEFINITE = {RPCStatusCode.INVALID_ARGUMENT, RPCStatusCode.PERMISSION_DENIED}


@dataclass
class Planned:
    """One workflow the workload intends to run."""

    workflow_id: str
    kind: Kind
    marker: str
    prompt: str

    @property
    def report_id(self) -> str | None:
        return self.workflow_id if self.kind == "report" else None

    def payload(self) -> dict[str, Any]:
        if self.kind == "story":
            return {"prompt": self.prompt, "title": None}
        return {"prompt": self.prompt, "report_id": None, "require_approval": False}


class Workload:
    """Drives workflows on one task queue through one Temporal client."""

    def __init__(self, client: Client, task_queue: str, history: OperationLog, tag_: str):
        self.client = client
        self.task_queue = task_queue
        self.history = history
        self.tag = tag_
        self.planned: list[Planned] = []
        self.accepted: list[Planned] = []

    def plan(self, kind: Kind) -> Planned:
        n = len(self.planned) + 1
        marker = new_marker()
        topic = f"{self.tag} workload item {n}: write about resilient systems."
        item = Planned(f"{self.tag}-{kind[0]}{n}", kind, marker, tag(marker, topic))
        self.planned.append(item)
        return item

    async def start(
        self,
        item: Planned,
        *,
        client: Client | None = None,
        deadline: float = 90.0,
        rpc_timeout: float = 5.0,
    ) -> bool:
        """Start `item`, retrying unknown outcomes with the same id until accepted or refused."""
        client = client or self.client
        give_up = time.monotonic() + deadline
        attempt = 0
        while True:
            attempt += 1
            self.history.invoke(
                "client",
                "start",
                item.workflow_id,
                workflow=WORKFLOW_TYPE[item.kind],
                marker=item.marker,
                report_id=item.report_id,
                attempt=attempt,
            )
            try:
                await asyncio.wait_for(
                    client.start_workflow(
                        WORKFLOW_TYPE[item.kind],
                        item.payload(),
                        id=item.workflow_id,
                        task_queue=self.task_queue,
                        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                        rpc_timeout=timedelta(seconds=rpc_timeout),
                    ),
                    timeout=rpc_timeout + 1,
                )
            except WorkflowAlreadyStartedError:
                self.history.ok("client", "start", item.workflow_id, already_started=True)
                break
            except RPCError as exc:
                if exc.status in DEFINITE:
                    self.history.fail("client", "start", item.workflow_id, error=str(exc))
                    return False
                self.history.info("client", "start", item.workflow_id, error=_describe(exc))
            except TimeoutError:
                self.history.info("client", "start", item.workflow_id, error="client timeout")
            else:
                self.history.ok("client", "start", item.workflow_id)
                break
            if time.monotonic() >= give_up:
                return False
            await asyncio.sleep(0.5)  # wait-ok: backoff between retries of a bounded loop
        self.accepted.append(item)
        return True

    async def start_many(self, kinds: list[Kind], **kwargs: Any) -> list[Planned]:
        items = [self.plan(kind) for kind in kinds]
        await asyncio.gather(*(self.start(item, **kwargs) for item in items))
        return items

    async def finish(self, *, timeout: float, poll: float = 0.25) -> None:
        """Await every accepted workflow's close; record ok/fail, or info at the deadline."""
        give_up = time.monotonic() + timeout
        await asyncio.gather(*(self._await(item, give_up, poll) for item in self.accepted))

    async def _await(self, item: Planned, give_up: float, poll: float) -> None:
        wid = item.workflow_id
        self.history.invoke("client", "result", wid)
        handle = self.client.get_workflow_handle(wid)
        status: WorkflowExecutionStatus | None = None
        last_error = ""
        while time.monotonic() < give_up:
            try:
                status = (await handle.describe(rpc_timeout=timedelta(seconds=5))).status
            except RPCError as exc:
                last_error = _describe(exc)
                status = None
            if status not in (None, WorkflowExecutionStatus.RUNNING):
                break
            await asyncio.sleep(poll)  # wait-ok: poll interval of a deadline-bounded wait
        if status == WorkflowExecutionStatus.COMPLETED:
            result = await handle.result()
            value = result if isinstance(result, dict) else {"result": result}
            self.history.ok("client", "result", wid, value=value)
        elif status in (None, WorkflowExecutionStatus.RUNNING):
            self.history.info("client", "result", wid, error=f"still open; {last_error}")
        else:
            self.history.fail("client", "result", wid, status=status.name)


def _describe(exc: RPCError) -> str:
    return f"{exc.status.name if exc.status else '?'}: {exc.message}"
