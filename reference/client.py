"""Starting reference workflows, deciding reports, and reading results: the client library.

The command-line front of this module is reference/cli/client.py (`stormproof-reference
start|result|approve|reject|progress`); the API (reference/api/reports.py) uses the same
functions, so a decision sent either way is validated by the same model.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from stormproof.reference.cli.common import CommandFailed, UsageError
from stormproof.reference.models import (
    DEFAULT_APPROVAL_TIMEOUT_SECONDS,
    ApprovalDecision,
    ReportProgress,
    ReportRequest,
    ReportResult,
    StoryRequest,
    StoryResult,
)
from stormproof.reference.settings import DEFAULT_TASK_QUEUE
from stormproof.reference.temporal.connection import (
    connect_with_retry,
    explain_connect_error,
    load_connect_config,
)

# A command should answer quickly: a few quick tries cover a server still starting.
CLI_CONNECT_ATTEMPTS = 3
CLI_INITIAL_BACKOFF_SECONDS = 0.25
# A poller stays listed by DescribeTaskQueue for minutes after its worker died; a live one
# renews its poll at least every ~70 s (the long-poll timeout), so older ones count as gone.
LIVE_POLLER_SECONDS = 90.0
POLLER_CHECK_INTERVAL_SECONDS = 2.0
REPORT_WORKFLOW = "ReportWorkflow"

Notice = Callable[[str], None]


def task_queue_of(flag: str | None, env: Mapping[str, str] | None = None) -> str:
    """--task-queue, else STORMPROOF_TASK_QUEUE, else the default; an empty flag is an error.

    Only this variable is read: a client must not fail on a worker-only setting (a bad
    OPENAI_BASE_URL is the worker's business, not `start`'s).
    """
    if flag is not None:
        if not flag.strip():
            raise UsageError("--task-queue='': is empty; fix: pass the queue your worker polls")
        return flag.strip()
    env = os.environ if env is None else env
    return env.get("STORMPROOF_TASK_QUEUE", "").strip() or DEFAULT_TASK_QUEUE


async def connect(address: str | None = None, namespace: str | None = None) -> Client:
    """A client from TEMPORAL_* (the flags win), or CommandFailed with one line saying why."""
    config = load_connect_config(address=address, namespace=namespace)
    try:
        client = await connect_with_retry(
            config,
            max_attempts=CLI_CONNECT_ATTEMPTS,
            initial_backoff=CLI_INITIAL_BACKOFF_SECONDS,
            quiet=True,
        )
    except Exception as exc:
        raise CommandFailed(explain_connect_error(exc, config)) from None
    assert client is not None  # only None when a stop event is given
    return client


async def start_story(
    client: Client,
    prompt: str,
    *,
    title: str | None = None,
    workflow_id: str | None = None,
    task_queue: str | None = None,
) -> WorkflowHandle[Any, StoryResult]:
    """Start a StoryWorkflow; the id defaults to `story-<random>`."""
    return await client.start_workflow(
        "StoryWorkflow",
        StoryRequest(prompt=prompt, title=title),
        id=workflow_id or f"story-{uuid.uuid4().hex[:12]}",
        task_queue=task_queue or task_queue_of(None),
        result_type=StoryResult,
    )


async def start_report(
    client: Client,
    prompt: str,
    *,
    report_id: str | None = None,
    require_approval: bool = False,
    approval_timeout_seconds: float = DEFAULT_APPROVAL_TIMEOUT_SECONDS,
    workflow_id: str | None = None,
    task_queue: str | None = None,
) -> WorkflowHandle[Any, ReportResult]:
    """Start a ReportWorkflow; the id defaults to `report-<random>`."""
    request = ReportRequest(
        prompt=prompt,
        report_id=report_id,
        require_approval=require_approval,
        approval_timeout_seconds=approval_timeout_seconds,
    )
    return await client.start_workflow(
        REPORT_WORKFLOW,
        request,
        id=workflow_id or f"report-{uuid.uuid4().hex[:12]}",
        task_queue=task_queue or task_queue_of(None),
        result_type=ReportResult,
    )


async def describe_or_fail(client: Client, workflow_id: str, timeout: float) -> Any:
    """The workflow's description, or CommandFailed when Temporal does not know the id."""
    try:
        return await client.get_workflow_handle(workflow_id).describe(
            rpc_timeout=timedelta(seconds=timeout)
        )
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise CommandFailed(
                f"no workflow {workflow_id!r} in namespace {client.namespace}", "not_found"
            ) from None
        raise


async def decide(
    client: Client, workflow_id: str, approved: bool, decision: ApprovalDecision, timeout: float
) -> None:
    """Signal approve/reject to a running report, refusing what the workflow would ignore.

    A signal is fire-and-forget: Temporal stores one sent to a story, or to a report
    that already closed, and nobody is told it had no effect. So the target is checked
    first, and the payload is the validated ApprovalDecision, never a raw dict.
    """
    description = await describe_or_fail(client, workflow_id, timeout)
    if description.workflow_type != REPORT_WORKFLOW:
        raise CommandFailed(
            f"workflow {workflow_id!r} is a {description.workflow_type}, not a "
            f"{REPORT_WORKFLOW}; only reports take approve/reject",
            "not_a_report",
        )
    if description.status != WorkflowExecutionStatus.RUNNING:
        status = description.status.name if description.status else "UNKNOWN"
        raise CommandFailed(
            f"report {workflow_id!r} is {status}, so a decision has no effect", "not_running"
        )
    signal = "approve" if approved else "reject"
    handle = client.get_workflow_handle(workflow_id)
    try:
        await handle.signal(signal, decision, rpc_timeout=timedelta(seconds=timeout))
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
        # It closed between the check and the signal.
        raise CommandFailed(
            f"report {workflow_id!r} closed before the {signal}", "not_running"
        ) from None


async def live_pollers(client: Client, task_queue: str, timeout: float = 5.0) -> int | None:
    """Workers polling `task_queue` for workflow tasks now; None if the server cannot say."""
    try:
        described = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace,
                task_queue=TaskQueue(name=task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            ),
            timeout=timedelta(seconds=timeout),
        )
    except RPCError as exc:
        if exc.status == RPCStatusCode.UNIMPLEMENTED:  # e.g. the time-skipping test server
            return None
        raise
    now = datetime.now(UTC)
    fresh = 0
    for poller in described.pollers:
        seen = poller.last_access_time.ToDatetime(tzinfo=UTC)
        fresh += (now - seen).total_seconds() < LIVE_POLLER_SECONDS
    return fresh


def no_poller_line(task_queue: str) -> str:
    return (
        f"no poller on task queue {task_queue}: no worker polls it, so nothing runs until "
        f"one does; fix: start one (stormproof-reference worker --task-queue {task_queue})"
    )


async def watch_pollers(client: Client, task_queue: str, notice: Notice) -> None:
    """Say once when nobody polls `task_queue`, and once again when a worker turns up."""
    missing = False
    while True:
        count = await live_pollers(client, task_queue)
        if count is None:
            return
        if count == 0 and not missing:
            notice(no_poller_line(task_queue))
        elif count and missing:
            notice(f"a worker polls task queue {task_queue} now")
        missing = count == 0
        await asyncio.sleep(POLLER_CHECK_INTERVAL_SECONDS)  # wait-ok: a poll interval


async def wait_result(
    client: Client,
    workflow_id: str,
    *,
    timeout: float | None,
    notice: Notice,
    task_queue: str | None = None,
) -> Any:
    """The workflow's result, saying while waiting when no worker polls its task queue.

    Raises CommandFailed when `timeout` passes first; the workflow keeps running.
    """
    description = await describe_or_fail(client, workflow_id, timeout or 10.0)
    watcher: asyncio.Task[None] | None = None
    if description.status == WorkflowExecutionStatus.RUNNING:
        queue = task_queue or description.task_queue
        watcher = asyncio.create_task(watch_pollers(client, queue, notice))
    try:
        async with asyncio.timeout(timeout):
            return await client.get_workflow_handle(workflow_id).result()
    except TimeoutError:
        raise CommandFailed(
            f"workflow {workflow_id!r} did not close within {timeout:g}s; it keeps running: "
            "run result again later",
            "timeout",
        ) from None
    finally:
        if watcher is not None:
            watcher.cancel()


async def progress(
    client: Client, workflow_id: str, timeout: float, *, task_queue: str | None = None
) -> ReportProgress:
    """The report's `progress` query; a query needs a worker, so say when none polls."""
    description = await describe_or_fail(client, workflow_id, timeout)
    if description.workflow_type != REPORT_WORKFLOW:
        raise CommandFailed(
            f"workflow {workflow_id!r} is a {description.workflow_type}; only reports "
            "answer the progress query",
            "not_a_report",
        )
    queue = task_queue or description.task_queue
    if await live_pollers(client, queue) == 0:
        raise CommandFailed(f"cannot query {workflow_id!r}: {no_poller_line(queue)}", "no_poller")
    handle = client.get_workflow_handle(workflow_id)
    try:
        answer = await handle.query(
            "progress", result_type=ReportProgress, rpc_timeout=timedelta(seconds=timeout)
        )
    except RPCError as exc:
        if exc.status == RPCStatusCode.DEADLINE_EXCEEDED:
            raise CommandFailed(
                f"no worker answered the progress query within {timeout:g}s", "timeout"
            ) from None
        raise
    return answer
