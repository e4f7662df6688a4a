"""Starting reference workflows and reading their results: `stormproof-reference start` / `result`.

    stormproof-reference start story "Write about storms" [--title T] [--id ID]
    stormproof-reference start report "Q3 summary" [--approval] [--approval-timeout S]
                                      [--report-id R]
    stormproof-reference result ID

`start` prints the workflow id (and nothing else on stdout) so scripts can capture it;
`result` waits for the workflow and prints its result as JSON, or the failure's cause
chain on stderr with exit code 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ApplicationError

from stormproof.reference.connection import (
    ConnectionConfigError,
    connect_with_retry,
    load_connect_config,
    settled,
)
from stormproof.reference.models import (
    DEFAULT_APPROVAL_TIMEOUT_SECONDS,
    ReportRequest,
    ReportResult,
    StoryRequest,
    StoryResult,
)
from stormproof.reference.settings import SettingsError, load_settings

# A CLI should answer quickly: a few tries cover a server still starting, then report.
CLI_CONNECT_ATTEMPTS = 3


async def connect() -> Client:
    """A client configured from TEMPORAL_* (envconfig) with the pydantic converter."""
    client = await connect_with_retry(load_connect_config(), max_attempts=CLI_CONNECT_ATTEMPTS)
    assert client is not None  # only None when a stop event is given
    return client


def _task_queue(task_queue: str | None) -> str:
    return task_queue or load_settings().task_queue


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
        task_queue=_task_queue(task_queue),
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
        "ReportWorkflow",
        request,
        id=workflow_id or f"report-{uuid.uuid4().hex[:12]}",
        task_queue=_task_queue(task_queue),
        result_type=ReportResult,
    )


def _cause_chain(error: BaseException | None) -> str:
    lines = []
    while error is not None:
        kind = error.type if isinstance(error, ApplicationError) else type(error).__name__
        lines.append(f"  {kind}: {getattr(error, 'message', None) or error}")
        error = error.__cause__
    return "\n".join(lines)


async def _start(args: argparse.Namespace) -> int:
    client = await connect()
    if args.kind == "story":
        handle = await start_story(
            client, args.prompt, title=args.title, workflow_id=args.id, task_queue=args.task_queue
        )
    else:
        handle = await start_report(
            client,
            args.prompt,
            report_id=args.report_id,
            require_approval=args.approval,
            approval_timeout_seconds=args.approval_timeout,
            workflow_id=args.id,
            task_queue=args.task_queue,
        )
    print(handle.id)
    return 0


async def _result(workflow_id: str) -> int:
    client = await connect()
    try:
        result = await client.get_workflow_handle(workflow_id).result()
    except WorkflowFailureError as exc:
        print(f"workflow {workflow_id} failed:\n{_cause_chain(exc.cause)}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0


def _run(prog: str, work: Callable[[], Awaitable[int]]) -> int:
    try:
        return asyncio.run(settled(work()))
    except (ConnectionConfigError, SettingsError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a CLI prints the reason, not a traceback
        print(f"{prog}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


def start_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="stormproof-reference start", description="Start a workflow."
    )
    parser.add_argument("kind", choices=["story", "report"])
    parser.add_argument("prompt")
    parser.add_argument("--id", help="workflow id (default: a random one)")
    parser.add_argument("--task-queue", help="default: STORMPROOF_TASK_QUEUE or stormproof")
    parser.add_argument("--title", help="story title")
    parser.add_argument("--report-id", help="report id (default: the workflow id)")
    parser.add_argument("--approval", action="store_true", help="wait for approve/reject")
    parser.add_argument(
        "--approval-timeout",
        type=float,
        default=DEFAULT_APPROVAL_TIMEOUT_SECONDS,
        help="seconds to wait for approval (default: 86400)",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    return _run("stormproof-reference start", lambda: _start(args))


def result_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="stormproof-reference result", description="Wait for a workflow and print its result."
    )
    parser.add_argument("workflow_id")
    args = parser.parse_args(list(argv) if argv is not None else None)
    return _run("stormproof-reference result", lambda: _result(args.workflow_id))
