"""Worker stages: does anything poll the task queue, is it our worker, can it reach its LLM?

Pollers are listed with their identities, so "a different process runs in its place" is
visible; the PingWorkflow round trip then proves the poller is a contract worker (a
foreign worker fails the workflow task with "not registered"). The LLM stage is opt-in
because it costs one real LLM call: it runs one tiny StoryWorkflow and reads the failure
type the contract (section 4) names.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import EventType, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from stormproof.doctor.context import Context
from stormproof.doctor.models import DoctorCheck
from stormproof.fixtures.errors import WaitTimeout
from stormproof.fixtures.wait import wait_for

STALE_AFTER = timedelta(seconds=90)  # a live poller re-polls at least once a minute
RUN_WORKER = "start the worker with STORMPROOF_TASK_QUEUE={queue} (and the same namespace)"
NO_QUEUE = "no --task-queue given, so the worker is not checked"


async def check_pollers(ctx: Context) -> DoctorCheck:
    queue = ctx.task_queue
    if not queue:
        return DoctorCheck.skipped("pollers", "no_task_queue", NO_QUEUE)
    assert ctx.client is not None
    seen: dict[str, list[tuple[str, datetime]]] = {}
    for kind, queue_type in (
        ("workflow", TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
        ("activity", TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
    ):
        try:
            response = await ctx.client.workflow_service.describe_task_queue(
                DescribeTaskQueueRequest(
                    namespace=ctx.target.namespace,
                    task_queue=TaskQueue(name=queue),
                    task_queue_type=queue_type,
                ),
                timeout=timedelta(seconds=ctx.options.connect_timeout),
            )
        except RPCError as exc:
            return DoctorCheck.failed(
                "pollers",
                "describe_failed",
                f"DescribeTaskQueue({queue!r}) failed: {exc.status.name}: {exc.message}",
                "grant the credential read access to task queues in this namespace",
            )
        seen[kind] = [(p.identity, p.last_access_time.ToDatetime(UTC)) for p in response.pollers]
    now = datetime.now(UTC)
    fresh = {k: [i for i, at in v if now - at < STALE_AFTER] for k, v in seen.items()}
    identities = sorted({i for v in seen.values() for i, _ in v})
    ctx.poller_identities = identities
    details = {"workflow_pollers": fresh["workflow"], "activity_pollers": fresh["activity"]}
    if not fresh["workflow"] and not fresh["activity"]:
        stale = f" (last seen: {', '.join(identities)}, over a minute ago)" if identities else ""
        return DoctorCheck.failed(
            "pollers",
            "no_pollers",
            f"no worker polls task queue {queue!r} in namespace {ctx.target.namespace!r}"
            f"{stale}: the worker is not running, or it polls a differently named queue",
            RUN_WORKER.format(queue=queue),
            **details,
        )
    if not fresh["activity"] or not fresh["workflow"]:
        missing = "activity" if not fresh["activity"] else "workflow"
        return DoctorCheck.failed(
            "pollers",
            f"no_{missing}_pollers",
            f"task queue {queue!r} has {', '.join(k for k in fresh if fresh[k])} pollers but "
            f"no {missing} pollers (identities: {', '.join(identities)}): the contract needs "
            "both on one queue",
            f"register workflows and activities on {queue!r} in the same worker",
            **details,
        )
    return DoctorCheck.passed(
        "pollers",
        "pollers_ok",
        f"{len(fresh['workflow'])} workflow and {len(fresh['activity'])} activity poller(s) "
        f"on {queue!r}: {', '.join(identities)}",
        **details,
    )


async def _task_failures(handle: WorkflowHandle) -> list[str]:
    messages: list[str] = []
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            messages.append(event.workflow_task_failed_event_attributes.failure.message)
    return messages


async def check_ping(ctx: Context) -> DoctorCheck:
    queue = ctx.task_queue
    if not queue:
        return DoctorCheck.skipped("ping", "no_task_queue", NO_QUEUE)
    assert ctx.client is not None
    timeout = ctx.options.ping_timeout
    handle = await ctx.client.start_workflow(
        "PingWorkflow",
        id=f"stormproof-doctor-ping-{uuid.uuid4().hex[:12]}",
        task_queue=queue,
        execution_timeout=timedelta(seconds=timeout),
    )

    async def settled() -> tuple[str, str] | None:
        """Completed, or a failed workflow task (a foreign worker), whichever comes first."""
        described = await handle.describe()
        if described.status == WorkflowExecutionStatus.COMPLETED:
            assert described.close_time is not None
            latency = described.close_time - described.start_time
            return "completed", f"{latency.total_seconds() * 1000:.1f}"
        if described.status != WorkflowExecutionStatus.RUNNING:
            return "ended", described.status.name if described.status else "?"
        failures = await _task_failures(handle)
        return ("task_failed", failures[-1]) if failures else None

    try:
        kind, value = await wait_for(
            settled, what=f"PingWorkflow on {queue!r}", timeout=timeout, interval=0.1
        )
    except WaitTimeout:
        kind, value = "ended", "TIMED_OUT"
    if kind == "task_failed":
        with contextlib.suppress(RPCError):
            await handle.terminate("stormproof doctor: diagnosed, not needed any more")
        return DoctorCheck.failed(
            "ping",
            "wrong_worker",
            f"the process polling {queue!r} ({', '.join(ctx.poller_identities)}) failed "
            f"the PingWorkflow task: {value}; it is not a contract worker",
            "stop the other process on this queue and run the worker under test (one "
            "that registers PingWorkflow, StoryWorkflow, ReportWorkflow), or give each "
            "its own task queue",
            workflow_id=handle.id,
        )
    if kind == "ended":
        return DoctorCheck.failed(
            "ping",
            "ping_timeout",
            f"PingWorkflow on {queue!r} did not complete within {timeout:.0f}s ({value}) "
            "although pollers exist: the worker is stuck, overloaded or cannot reach Temporal",
            "read the worker's logs; restart it",
            workflow_id=handle.id,
        )
    result = await handle.result()
    if result != "ok":
        return DoctorCheck.failed(
            "ping",
            "ping_wrong_result",
            f"PingWorkflow returned {result!r}, the contract says 'ok'",
            "make PingWorkflow return the string 'ok' (docs/CONTRACT.md, section 2)",
        )
    return DoctorCheck.passed(
        "ping",
        "ping_ok",
        f"PingWorkflow round trip in {value} ms (start to close, as the server saw it)",
        latency_ms=float(value),
    )


def _failure_type(error: BaseException | None) -> tuple[str | None, str]:
    while error is not None:
        if isinstance(error, ApplicationError) and error.type:
            return error.type, str(error)
        error = error.__cause__
    return None, ""


async def check_llm(ctx: Context) -> DoctorCheck:
    if not ctx.task_queue:
        return DoctorCheck.skipped("llm_credentials", "no_task_queue", NO_QUEUE)
    if not ctx.options.check_llm:
        return DoctorCheck.skipped(
            "llm_credentials",
            "llm_not_checked",
            "opt-in: --check-llm runs one StoryWorkflow through the worker (one LLM call)",
        )
    assert ctx.client is not None
    timeout = ctx.options.llm_timeout
    handle = await ctx.client.start_workflow(
        "StoryWorkflow",
        {"prompt": "Stormproof doctor check: reply with the single word ok.", "title": None},
        id=f"stormproof-doctor-llm-{uuid.uuid4().hex[:12]}",
        task_queue=ctx.task_queue,
        execution_timeout=timedelta(seconds=timeout),
    )
    try:
        result = await handle.result(rpc_timeout=timedelta(seconds=timeout + 2))
    except WorkflowFailureError as exc:
        failure_type, message = _failure_type(exc.cause)
        if failure_type == "LlmCredentialsMissing":
            return DoctorCheck.failed(
                "llm_credentials",
                "llm_credentials_missing",
                f"the worker has no LLM credentials: {message}",
                "set OPENAI_API_KEY in the worker's environment (its secret store or unit "
                "file) and restart it",
            )
        if failure_type == "LlmRequestRejected":
            return DoctorCheck.failed(
                "llm_credentials",
                "llm_request_rejected",
                f"the LLM rejected the worker's request: {message}",
                "check OPENAI_API_KEY, OPENAI_BASE_URL and STORMPROOF_LLM_MODEL of the worker",
            )
        return DoctorCheck.failed(
            "llm_credentials",
            "llm_failed",
            f"the StoryWorkflow failed ({failure_type or type(exc.cause).__name__}): "
            f"{message or exc.cause}",
            "read the worker's logs for the LLM step",
        )
    return DoctorCheck.passed(
        "llm_credentials",
        "llm_ok",
        f"one StoryWorkflow completed ({result.get('characters')} characters): "
        "the worker's LLM credentials work",
    )
