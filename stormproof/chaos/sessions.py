"""The client's Updates: a unit's declared Updates sent one after another, each recorded.

A unit that declares `updates` (stormproof/adapter/updates.py) is a session: its first
Update may go with the start (Update-with-Start), the rest are sent once the one before
has an answer. Every sending has an update id of its own (`update_id`: the workflow, the
Update's name and n) and is recorded as an `update` operation: `invoke`, then `ok` (the
reply, with the unit's `check_reply` problem if any), `fail` (rejected) or `info` (unknown:
an RPC error or a timeout). Each sending is addressed to the run current when it is sent,
so the SDK's own retry of a dropped RPC stays in that run. After an unknown outcome the
client reads before it sends again (`admitted_in`: the Update by its id in each run of
the workflow): an Update Temporal admitted is awaited where it is, and only one no run
holds is sent again. Temporal de-duplicates an update id within a run, not across a
continue-as-new, so a blind re-send (or an RPC retry addressed to the workflow id alone)
of a turn whose run has since continued as new would be a second turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import UpdateWorkflowExecutionLifecycleStage
from temporalio.api.update.v1 import UpdateRef, WaitPolicy
from temporalio.api.workflowservice.v1 import PollWorkflowExecutionUpdateRequest
from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WithStartWorkflowOperation,
    WorkflowUpdateFailedError,
    WorkflowUpdateStage,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from stormproof.adapter import UpdateCall, update_id
from stormproof.adapter.updates import sendings
from stormproof.operations import OperationLog

if TYPE_CHECKING:
    from stormproof.chaos.workload import Planned

ATTEMPT_SECONDS = 15.0  # one sending's wait for its answer (a turn's LLM call, a fault)
RPC_SECONDS = 5.0
BACKOFF_SECONDS = 0.5
UNKNOWN = (RPCError, RPCTimeoutOrCancelledError, TimeoutError)
ADMITTED = UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED


def describe(exc: BaseException) -> str:
    if isinstance(exc, RPCError):
        return f"{exc.status.name if exc.status else '?'}: {exc.message}"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def start_with_update(client: Client, item: Planned, task_queue: str, timeout: float) -> None:
    """Start `item` and send its first Update in one request (Update-with-Start), returning
    once the Update is accepted. USE_EXISTING: a retry after an unknown outcome attaches the
    same update id to the run the first request started, never a second run."""
    call = item.unit.updates[0]
    start = WithStartWorkflowOperation(
        item.workflow_type,
        args=item.unit.build_input(item.context),
        id=item.workflow_id,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
    )
    try:
        await client.start_update_with_start_workflow(
            call.name,
            args=call.args(item.context, 1),
            start_workflow_operation=start,
            wait_for_stage=WorkflowUpdateStage.ACCEPTED,
            id=update_id(item.workflow_id, call.name, 1),
            rpc_timeout=timedelta(seconds=timeout),
        )
    except BaseException:
        await _abandon(start)
        raise


async def _abandon(start: WithStartWorkflowOperation) -> None:
    """Read the failed operation's own copy of the error (the SDK sets it on the start's
    handle too), so asyncio does not print it as 'never retrieved'; the caller has it."""
    reading = asyncio.ensure_future(start.workflow_handle())
    await asyncio.sleep(0)  # one turn of the loop: a handle already failed is read now
    if not reading.done():
        reading.cancel()
    with contextlib.suppress(BaseException):
        await reading


async def admitted_in(client: Client, workflow_id: str, uid: str) -> str | None:
    """The run holding Update `uid` ('' for the current run), or None when no run does."""
    query = f"WorkflowId = '{workflow_id}'"
    runs = ["", *[w.run_id async for w in client.list_workflows(query)]]
    for run_id in dict.fromkeys(runs):
        request = PollWorkflowExecutionUpdateRequest(
            namespace=client.namespace,
            update_ref=UpdateRef(
                workflow_execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id),
                update_id=uid,
            ),
            identity=client.identity,
            wait_policy=WaitPolicy(lifecycle_stage=ADMITTED),
        )
        try:
            await client.workflow_service.poll_workflow_execution_update(
                request, timeout=timedelta(seconds=RPC_SECONDS)
            )
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                continue
            raise
        return run_id
    return None


async def read_reply(client: Client, workflow_id: str, run_id: str, uid: str) -> Any:
    """The reply of Update `uid` in `run_id` ('' : the current run), awaited."""
    handle = client.get_workflow_handle(workflow_id, run_id=run_id or None)
    update = handle.get_update_handle(uid, workflow_run_id=run_id or None)
    return await update.result(rpc_timeout=timedelta(seconds=ATTEMPT_SECONDS))


async def _once(client: Client, item: Planned, call: UpdateCall, n: int, read: bool) -> Any:
    """One try: with `read`, the Update where a run admitted it; else (or in none) sent."""
    uid = update_id(item.workflow_id, call.name, n)
    if read:
        run_id = await admitted_in(client, item.workflow_id, uid)
        if run_id is not None:
            return await read_reply(client, item.workflow_id, run_id, uid)
    # Sent to the current run by its id, never to "the latest run": the SDK retries an
    # Update's RPC itself when a connection drops, and a retry addressed to the workflow id
    # alone lands in the next run once this one has continued as new, where the update id
    # is new (a second turn). Addressed to the run, the retry meets the run's own record of
    # the Update (Temporal answers its outcome even once the run is closed) or, when the run
    # closed before admitting it, an error, and the next try reads first.
    current = await client.get_workflow_handle(item.workflow_id).describe(
        rpc_timeout=timedelta(seconds=RPC_SECONDS)
    )
    handle = client.get_workflow_handle(item.workflow_id, run_id=current.run_id)
    return await handle.execute_update(
        call.name,
        args=call.args(item.context, n),
        id=uid,
        rpc_timeout=timedelta(seconds=ATTEMPT_SECONDS),
    )


async def deliver(
    client: Client,
    history: OperationLog,
    item: Planned,
    call: UpdateCall,
    n: int,
    give_up: float,
    *,
    sent: bool = False,
    blind: bool = False,
) -> bool:
    """Send the n-th `call` until it has an answer or `give_up`; record each outcome.
    `sent`: a request already went out (with the start), so read before sending. True once
    replied or rejected; False when still unknown at the deadline (the verdict reads it).
    `blind`: the client bug the link-cut row's control shows: after an unknown outcome,
    send again without reading first."""
    wid, uid = item.workflow_id, update_id(item.workflow_id, call.name, n)
    attempt = 0
    while time.monotonic() < give_up:
        attempt += 1
        history.update("invoke", wid, update=call.name, n=n, update_id=uid, attempt=attempt)
        try:
            coro = _once(client, item, call, n, read=sent or (attempt > 1 and not blind))
            reply = await asyncio.wait_for(coro, timeout=ATTEMPT_SECONDS + RPC_SECONDS)
        except WorkflowUpdateFailedError as exc:
            history.update("fail", wid, update_id=uid, error=str(exc.cause or exc))
            return True
        except UNKNOWN as exc:
            history.update("info", wid, update_id=uid, error=describe(exc))
            await asyncio.sleep(BACKOFF_SECONDS)  # wait-ok: backoff between bounded retries
            continue
        problem = call.check_reply(item.context, n, reply) if call.check_reply else None
        history.update("ok", wid, update_id=uid, reply=reply, problem=problem)
        return True
    return False


async def send_updates(
    client: Client, history: OperationLog, item: Planned, give_up: float, *, blind: bool = False
) -> str:
    """Every declared sending of `item`, in order, each once the one before was answered
    (the first, when it went with the start, read first). '' when all were answered."""
    for i, (call, n) in enumerate(sendings(item.unit.updates)):
        with_start = i == 0 and call.with_start
        if not await deliver(client, history, item, call, n, give_up, sent=with_start, blind=blind):
            return f"updates: {update_id(item.workflow_id, call.name, n)} unknown at the deadline"
    return ""
