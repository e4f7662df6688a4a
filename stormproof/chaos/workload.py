"""The client role: start the adapter's units concurrently and record what it learned.

What a unit is (its workflow type, its input, its check of the result, a signal it needs)
comes from the adapter (stormproof/adapter): the reference's contract by default, or a
team's own; the workload itself names no workflow type.

Every start is an `invoke` followed by `ok` (accepted), `fail` (definitely refused) or
`info` (unknown: the request may or may not have reached the server). An unknown start is
retried with the same workflow id and REJECT_DUPLICATE, so a retry can never create a
second run; `WorkflowAlreadyStartedError` on a retry means the first attempt landed, which
is an `ok`. Results are awaited by polling describe() under a deadline, so a Temporal
restart in the middle costs a few failed polls, not a hung await. A unit's `drive` (an
approval, a confirmation) begins as soon as its start is accepted, whoever started it: a
victim a fault waits on is driven like the load's items, not only when the test ends.
A unit that declares Updates is driven by sending them (stormproof/chaos/sessions.py),
its first with the start when it says so (Update-with-Start, USE_EXISTING on a retry).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowExecutionStatus,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from stormproof.adapter import Adapter, Unit, UnitContext, load_adapter
from stormproof.chaos import sessions
from stormproof.fixtures.fake_llm import FakeLlm, new_marker, tag
from stormproof.operations import OperationLog

Kind = str  # a unit name of the adapter ("story", "report", ... for the reference)
# contract unit name -> the index of the unit it stands for in a team's adapter
CONTRACT_ROLES = {"story": 0, "report": -1}
# Refusals that can never succeed on retry: a bug in the request, not a fault.
DEFINITE = {RPCStatusCode.INVALID_ARGUMENT, RPCStatusCode.PERMISSION_DENIED}
# How long a unit's drive, begun at its start, keeps retrying through faults (await_result
# bounds it by its own deadline too).
DRIVE_SECONDS = 300.0


@dataclass
class Planned:
    """One workflow the workload intends to run."""

    workflow_id: str
    kind: Kind
    marker: str
    prompt: str
    unit: Unit
    context: UnitContext

    @property
    def workflow_type(self) -> str:
        return self.unit.workflow_type


class Workload:
    """Drives the adapter's units on one task queue through one Temporal client."""

    def __init__(
        self,
        client: Client,
        task_queue: str,
        history: OperationLog,
        tag_: str,
        *,
        adapter: Adapter | None = None,
        artifact_dir: Path | None = None,
        fake_llm: FakeLlm | None = None,
    ):
        self.client = client
        self.task_queue = task_queue
        self.history = history
        self.tag = tag_
        self.adapter = adapter or load_adapter()
        self.artifact_dir = artifact_dir or Path("artifacts")
        self.fake_llm = fake_llm  # scripts a unit's llm_answers when given
        self.planned: list[Planned] = []
        self.accepted: list[Planned] = []
        self._driving: dict[str, asyncio.Task[str]] = {}  # workflow id -> its drive, begun
        # the client that sends units' declared Updates (a row may route it through a proxy)
        self.update_client: Client | None = None
        self.blind_resend = False  # the link-cut row's control: re-send without a read

    @property
    def kinds(self) -> list[str]:
        """The unit names this workload can plan (the adapter's, in its order)."""
        return self.adapter.kinds

    def unit_for(self, kind: Kind) -> Unit:
        """The adapter's unit `kind`. The chaos tests written for the contract plan "story"
        and "report"; under a team's adapter without those units they stand for its first
        and its last unit (of those that take no Updates: a session is started only by the
        rows that send its Updates), so the same fault scenarios load the team's workflows."""
        if kind in self.adapter.kinds or kind not in CONTRACT_ROLES:
            return self.adapter.unit(kind)
        return self.adapter.plain_units[CONTRACT_ROLES[kind]]

    def plan(self, kind: Kind) -> Planned:
        unit = self.unit_for(kind)
        kind = unit.name
        n = len(self.planned) + 1
        marker = new_marker()
        topic = f"{self.tag} workload item {n}: write about resilient systems."
        wid = f"{self.tag}-{kind[0]}{n}"
        context = UnitContext(
            workflow_id=wid,
            marker=marker,
            text=tag(marker, topic),
            task_queue=self.task_queue,
            artifact_dir=self.artifact_dir,
            tag=self.tag,
        )
        if unit.llm_answers is not None and self.fake_llm is not None:
            self.fake_llm.answer(marker, unit.llm_answers(context))
        item = Planned(wid, kind, marker, context.text, unit, context)
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
            self.history.start(
                "invoke",
                item.workflow_id,
                workflow=item.workflow_type,
                unit=item.kind,
                marker=item.marker,
                attempt=attempt,
            )
            try:
                await asyncio.wait_for(
                    self._start_call(client, item, rpc_timeout), timeout=rpc_timeout + 1
                )
            except WorkflowAlreadyStartedError:
                self.history.start("ok", item.workflow_id, already_started=True)
                break
            except WorkflowUpdateFailedError:  # started; its first Update refused (recorded
                self.history.start("ok", item.workflow_id)  # when the drive reads it)
                break
            except RPCError as exc:
                if exc.status in DEFINITE:
                    self.history.start("fail", item.workflow_id, error=str(exc))
                    return False
                self.history.start("info", item.workflow_id, error=_describe(exc))
            except (TimeoutError, RPCTimeoutOrCancelledError):  # Update-with-Start's timeout
                self.history.start("info", item.workflow_id, error="client timeout")
            else:
                self.history.start("ok", item.workflow_id)
                break
            if time.monotonic() >= give_up:
                return False
            await asyncio.sleep(0.5)  # wait-ok: backoff between retries of a bounded loop
        self.accepted.append(item)
        if item.unit.drive is not None or item.unit.updates:  # acts once started, not at the end
            handle = self.client.get_workflow_handle(item.workflow_id)
            drive = self._drive(item, handle, time.monotonic() + DRIVE_SECONDS)
            self._driving[item.workflow_id] = asyncio.create_task(drive)
        return True

    def _start_call(self, client: Client, item: Planned, rpc_timeout: float) -> Any:
        """The start request: Update-with-Start when the unit's first Update goes with it."""
        if item.unit.updates and item.unit.updates[0].with_start:
            return sessions.start_with_update(client, item, self.task_queue, rpc_timeout)
        return client.start_workflow(
            item.workflow_type,
            args=item.unit.build_input(item.context),
            id=item.workflow_id,
            task_queue=self.task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            rpc_timeout=timedelta(seconds=rpc_timeout),
        )

    async def start_many(self, kinds: list[Kind], **kwargs: Any) -> list[Planned]:
        items = [self.plan(kind) for kind in kinds]
        await asyncio.gather(*(self.start(item, **kwargs) for item in items))
        return items

    async def finish(self, *, timeout: float, poll: float = 0.25) -> None:
        """Await every accepted workflow's close; record ok/fail, or info at the deadline."""
        give_up = time.monotonic() + timeout
        await asyncio.gather(
            *(self.await_result(item, give_up, poll=poll) for item in self.accepted)
        )

    async def await_result(self, item: Planned, give_up: float, *, poll: float = 0.25) -> None:
        """Await `item`'s drive (the unit's `drive`, e.g. an approval signal, begun when it
        started), then its close until the monotonic deadline `give_up`; record ok (a
        result the unit's check accepts), fail (it failed, or its result is wrong) or info
        (still open)."""
        wid = item.workflow_id
        self.history.result("invoke", wid)
        handle = self.client.get_workflow_handle(wid)
        drive_error = await self._driven(item, handle, give_up)
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
            check = item.unit.check_result
            problem = check(item.context, result) if check else None
            if problem:
                self.history.result("fail", wid, status="COMPLETED", problem=problem)
            else:
                self.history.result("ok", wid, value=value)
        elif status in (None, WorkflowExecutionStatus.RUNNING):
            why = f"still open; {drive_error or last_error}"
            self.history.result("info", wid, error=why)
        else:
            self.history.result("fail", wid, status=status.name)

    async def _driven(self, item: Planned, handle: Any, give_up: float) -> str:
        """The unit's drive: the one its start began (awaited until `give_up`), else run now."""
        task = self._driving.pop(item.workflow_id, None)
        if task is None:
            return await self._drive(item, handle, give_up)
        try:
            return await asyncio.wait_for(task, timeout=max(give_up - time.monotonic(), 0.01))
        except TimeoutError:
            return "drive: still not done at the deadline"

    async def _drive(self, item: Planned, handle: Any, give_up: float) -> str:
        """Send the unit's declared Updates (stormproof/chaos/sessions.py), then run its
        `drive` (retried through faults until the deadline); '' when done."""
        if item.unit.updates:
            client = self.update_client or self.client
            error = await sessions.send_updates(
                client, self.history, item, give_up, blind=self.blind_resend
            )
            if error:
                return error
        if item.unit.drive is None:
            return ""
        error = ""
        while time.monotonic() < give_up:
            try:
                await asyncio.wait_for(item.unit.drive(item.context, handle), timeout=10)
                return ""
            # An Update's call cut by the timeout above, or by the server while no worker
            # can accept it, ends as RPCTimeoutOrCancelledError: a fault's, retried too.
            except (RPCError, RPCTimeoutOrCancelledError, TimeoutError) as exc:
                error = f"drive: {exc}"
            await asyncio.sleep(0.5)  # wait-ok: backoff between retries of a bounded loop
        return error


def _describe(exc: RPCError) -> str:
    return f"{exc.status.name if exc.status else '?'}: {exc.message}"
