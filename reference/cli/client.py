"""`stormproof-reference start|result|approve|reject|progress`: the client commands.

    stormproof-reference start story "Write about storms" [--title T] [--id ID]
    stormproof-reference start report "Q3 summary" [--approval] [--approval-timeout S]
    stormproof-reference result ID [--timeout S]
    stormproof-reference approve|reject ID --reviewer NAME [--comment TEXT]
    stormproof-reference progress ID

Every command takes --address, --namespace and --task-queue, which win over
TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and STORMPROOF_TASK_QUEUE, so a script can aim one
command without exporting anything. `start` prints only the workflow id on stdout, so
scripts can capture it; `result` and `progress` print JSON. Failures are one line on
stderr: exit 1 at run time, 2 for a usage or configuration mistake (common.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError

from stormproof.reference import client as api
from stormproof.reference.cli.common import (
    FAILED,
    OK,
    UsageError,
    parser,
    run_command,
    temporal_epilog,
)
from stormproof.reference.models import (
    DEFAULT_APPROVAL_TIMEOUT_SECONDS,
    ApprovalDecision,
    ReportRequest,
    StoryRequest,
)

QUEUE_VARIABLE = {"STORMPROOF_TASK_QUEUE": "task queue (default stormproof)"}
REVIEWER_VARIABLE = {"STORMPROOF_REVIEWER": "default for --reviewer"}
DEFAULT_RPC_TIMEOUT = 10.0


def _command(
    name: str, description: str, extra_env: dict[str, str] | None = None
) -> argparse.ArgumentParser:
    """A client command's parser with the connection flags every client command takes."""
    p = parser(name, description, temporal_epilog({**QUEUE_VARIABLE, **(extra_env or {})}))
    p.add_argument("--address", metavar="HOST:PORT", help="Temporal frontend [TEMPORAL_ADDRESS]")
    p.add_argument("--namespace", help="Temporal namespace [TEMPORAL_NAMESPACE]")
    p.add_argument(
        "--task-queue",
        help="task queue [STORMPROOF_TASK_QUEUE]; for commands given a workflow id, the queue "
        "checked for pollers (default: the workflow's own)",
    )
    return p


def _parse(p: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    return p.parse_args(list(argv) if argv is not None else None)


def _queue_flag(args: argparse.Namespace) -> str | None:
    """The --task-queue flag, checked (an empty one is a usage error), or None."""
    return api.task_queue_of(args.task_queue) if args.task_queue is not None else None


def _cause_chain(error: BaseException | None) -> str:
    lines = []
    while error is not None:
        kind = error.type if isinstance(error, ApplicationError) else type(error).__name__
        lines.append(f"  {kind}: {getattr(error, 'message', None) or error}")
        error = error.__cause__
    return "\n".join(lines)


def _notice(command: str) -> api.Notice:
    def say(line: str) -> None:
        print(f"stormproof-reference {command}: {line}", file=sys.stderr, flush=True)

    return say


def start_main(argv: Sequence[str] | None = None) -> int:
    p = _command("start", "Start a workflow and print its id.")
    p.add_argument("kind", choices=["story", "report"])
    p.add_argument("prompt")
    p.add_argument("--id", help="workflow id (default: a random one)")
    p.add_argument("--title", help="story title")
    p.add_argument("--report-id", help="report id (default: the workflow id)")
    p.add_argument("--approval", action="store_true", help="wait for approve/reject")
    p.add_argument(
        "--approval-timeout",
        type=float,
        default=DEFAULT_APPROVAL_TIMEOUT_SECONDS,
        help="seconds to wait for approval (default: 86400)",
    )
    args = _parse(p, argv)

    async def work() -> int:
        queue = api.task_queue_of(args.task_queue)
        try:
            # Validate before connecting: a bad prompt is a usage error, not an outage.
            if args.kind == "story":
                StoryRequest(prompt=args.prompt, title=args.title)
            else:
                ReportRequest(
                    prompt=args.prompt,
                    report_id=args.report_id,
                    require_approval=args.approval,
                    approval_timeout_seconds=args.approval_timeout,
                )
        except ValidationError as exc:
            raise UsageError(_invalid(exc)) from None
        client = await api.connect(args.address, args.namespace)
        if args.kind == "story":
            handle = await api.start_story(
                client, args.prompt, title=args.title, workflow_id=args.id, task_queue=queue
            )
        else:
            handle = await api.start_report(
                client,
                args.prompt,
                report_id=args.report_id,
                require_approval=args.approval,
                approval_timeout_seconds=args.approval_timeout,
                workflow_id=args.id,
                task_queue=queue,
            )
        print(handle.id, flush=True)
        return OK

    return run_command("start", work)


def _invalid(exc: ValidationError) -> str:
    """Which argument is wrong and why, without echoing a possibly huge value back."""
    parts = []
    for error in exc.errors():
        name = str(error["loc"][0]).replace("_", "-") if error["loc"] else "input"
        parts.append(f"{name}: {error['msg']}")
    return "invalid " + "; ".join(parts)


def result_main(argv: Sequence[str] | None = None) -> int:
    p = _command("result", "Wait for a workflow and print its result as JSON.")
    p.add_argument("workflow_id")
    p.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="give up (exit 1) after this long; the workflow keeps running (default: wait)",
    )
    args = _parse(p, argv)
    if args.timeout is not None and args.timeout <= 0:
        p.error(f"--timeout={args.timeout:g}: must be more than 0 seconds")

    async def work() -> int:
        queue = _queue_flag(args)
        client = await api.connect(args.address, args.namespace)
        try:
            result = await api.wait_result(
                client,
                args.workflow_id,
                timeout=args.timeout,
                notice=_notice("result"),
                task_queue=queue,
            )
        except WorkflowFailureError as exc:
            chain = _cause_chain(exc.cause)
            print(f"workflow {args.workflow_id} failed:\n{chain}", file=sys.stderr)
            return FAILED
        print(json.dumps(result, indent=2, sort_keys=True), flush=True)
        return OK

    return run_command("result", work)


def _decision_main(command: str, approved: bool, argv: Sequence[str] | None) -> int:
    p = _command(
        command,
        f"{command.capitalize()} a report that waits for a decision: signal `{command}` "
        "with the reviewer and an optional comment. The report must be running; a story "
        "or a closed report is refused (exit 1) rather than signalled to no effect.",
        REVIEWER_VARIABLE,
    )
    p.add_argument("workflow_id")
    p.add_argument("--reviewer", help="who decides (default: STORMPROOF_REVIEWER)")
    p.add_argument("--comment", help="why (optional)")
    args = _parse(p, argv)

    async def work() -> int:
        _queue_flag(args)
        reviewer = args.reviewer
        shown = "--reviewer"
        if reviewer is None:
            reviewer, shown = os.environ.get("STORMPROOF_REVIEWER"), "STORMPROOF_REVIEWER"
        if reviewer is None:
            raise UsageError("no reviewer; fix: pass --reviewer NAME (or STORMPROOF_REVIEWER)")
        try:
            decision = ApprovalDecision(reviewer=reviewer, comment=args.comment)
        except ValidationError as exc:
            error = exc.errors()[0]
            if error["loc"][0] == "reviewer":
                name, value, fix = shown, reviewer, "give who decides, 1-200 characters"
            else:
                name, value, fix = "--comment", "...", "keep the comment under 2000 characters"
            raise UsageError(f"{name}={value!r}: {error['msg']}; fix: {fix}") from None
        client = await api.connect(args.address, args.namespace)
        await api.decide(client, args.workflow_id, approved, decision, DEFAULT_RPC_TIMEOUT)
        done = "approved" if approved else "rejected"
        print(f"{done} {args.workflow_id} as {decision.reviewer}", flush=True)
        return OK

    return run_command(command, work)


def approve_main(argv: Sequence[str] | None = None) -> int:
    return _decision_main("approve", True, argv)


def reject_main(argv: Sequence[str] | None = None) -> int:
    return _decision_main("reject", False, argv)


def progress_main(argv: Sequence[str] | None = None) -> int:
    p = _command("progress", "Print a report's progress (the `progress` query) as JSON.")
    p.add_argument("workflow_id")
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_RPC_TIMEOUT,
        metavar="SECONDS",
        help=f"how long to wait for a worker's answer (default {DEFAULT_RPC_TIMEOUT:g})",
    )
    args = _parse(p, argv)

    async def work() -> int:
        queue = _queue_flag(args)
        client = await api.connect(args.address, args.namespace)
        answer = await api.progress(client, args.workflow_id, args.timeout, task_queue=queue)
        print(answer.model_dump_json(indent=2), flush=True)
        return OK

    return run_command("progress", work)
