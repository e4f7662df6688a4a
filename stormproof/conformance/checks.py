"""Checks shared by the conformance tests and their negative controls.

Each check is a plain function that raises a `Finding` (an AssertionError carrying the
bug class it found, stormproof/diagnosis.py) with a message a user can act on. The positive
test runs it against the worker under test; the negative control runs the very same function
against a deliberately broken twin and requires it to fail with that class (`rejected_as`),
which is the proof that the check has teeth and names the bug.
"""

from __future__ import annotations

from typing import Any

from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError

from stormproof.conformance.judge import Judge, Run
from stormproof.diagnosis import BugClass, Finding, expect
from stormproof.effects import ArtifactError, failure_messages, failure_types, pdf_text
from stormproof.fixtures.wait import eventually, wait_for

__all__ = [
    "assert_llm_calls",
    "assert_no_notification",
    "assert_no_row",
    "assert_one_notification",
    "assert_one_row",
    "assert_pdf_has_reply",
    "assert_report_completed",
    "completed",
    "failure_of",
    "progress_step",
    "step_retried",
]


def assert_llm_calls(
    judge: Judge,
    run: Run,
    expected: int,
    why: str,
    *,
    too_few: BugClass = BugClass.LOST_EFFECT,
    too_many: BugClass = BugClass.WASTED_LLM_CALL,
) -> None:
    """Exactly `expected` LLM requests carried this run's marker; the caller says what too
    few or too many means for its scenario (a missing retry, stacked retries, ...)."""
    calls = judge.llm_calls(run)
    statuses = [call.status for call in calls]
    expect(
        len(calls) == expected,
        too_few if len(calls) < expected else too_many,
        f"{run.workflow_id}: expected {expected} LLM call(s) ({why}), the fake LLM saw "
        f"{len(calls)} with statuses {statuses}",
    )


def assert_one_row(judge: Judge, run: Run) -> None:
    """Exactly one metadata row for the run's report."""
    rows = judge.rows(run)
    expect(
        len(rows) == 1,
        BugClass.LOST_EFFECT if not rows else BugClass.DUPLICATE_EFFECT,
        f"{run.workflow_id}: expected exactly one stormproof_reports row for report "
        f"{run.report_id}, found {len(rows)}: {rows} (a retried insert that is not "
        "idempotent writes the row again)",
    )


def assert_no_row(judge: Judge, run: Run) -> None:
    """No metadata row for the run's report (it must not have been stored)."""
    rows = judge.rows(run)
    expect(
        rows == [],
        BugClass.UNEXPECTED_EFFECT,
        f"{run.workflow_id}: expected no metadata row, found {rows}",
    )


def assert_one_notification(judge: Judge, run: Run) -> None:
    """Exactly one accepted notification for the run's report, under one idempotency key."""
    deliveries = judge.deliveries(run)
    effects = judge.notification_effects(run)
    keys = sorted({str(d.idempotency_key) for d in deliveries if d.accepted})
    expect(
        effects == 1,
        BugClass.LOST_EFFECT if effects == 0 else BugClass.DUPLICATE_EFFECT,
        f"{run.workflow_id}: expected one notification effect for report {run.report_id}, "
        f"the sink accepted {effects} distinct effect(s), keys {keys}, from "
        f"{len(deliveries)} raw deliveries (retries must reuse one Idempotency-Key)",
    )
    expect(
        all(d.idempotency_key for d in deliveries),
        BugClass.WRONG_EFFECT,
        f"{run.workflow_id}: a delivery came without an Idempotency-Key header",
    )


def assert_no_notification(judge: Judge, run: Run) -> None:
    """No accepted notification for the run's report."""
    accepted = [d for d in judge.deliveries(run) if d.accepted]
    expect(
        accepted == [],
        BugClass.UNEXPECTED_EFFECT,
        f"{run.workflow_id}: expected no notification, sink got {accepted}",
    )


def assert_pdf_has_reply(judge: Judge, run: Run) -> None:
    """The run's PDF exists and holds the fake LLM's reply to its prompt."""
    path = judge.pdf_path(run)
    expect(path.is_file(), BugClass.LOST_EFFECT, f"{run.workflow_id}: no PDF at {path}")
    try:
        text = " ".join(pdf_text(path).split())
    except ArtifactError as exc:
        raise Finding(BugClass.WRONG_EFFECT, f"{run.workflow_id}: {exc}") from None
    reply_head = " ".join(judge.expected_reply(run).split())[:60]
    expect(
        reply_head in text,
        BugClass.WRONG_EFFECT,
        f"{run.workflow_id}: the PDF at {path} does not contain the LLM reply "
        f"(looked for {reply_head!r}, extracted {text[:200]!r})",
    )


def assert_report_completed(result: dict[str, Any], run: Run) -> None:
    """The workflow's result says completed, with the run's report id and artifact."""
    status = result.get("status")
    expect(
        status == "completed",
        BugClass.LOST_WORKFLOW,
        f"{run.workflow_id}: ended {status!r}, not completed: {result}",
    )
    expect(
        result.get("report_id") == run.report_id,
        BugClass.INPUT_IGNORED,
        f"{run.workflow_id}: the result names report {result.get('report_id')!r}, the input "
        f"asked for {run.report_id!r}",
    )
    expect(
        result.get("workflow_id") == run.workflow_id,
        BugClass.WRONG_EFFECT,
        f"the result names workflow {result.get('workflow_id')!r}",
    )
    expect(
        result.get("notification_key"),
        BugClass.WRONG_EFFECT,
        f"{run.workflow_id}: the result names no notification: {result}",
    )


async def failure_of(run: Run, expected: str, bug: BugClass) -> WorkflowFailureError:
    """The workflow's failure, which the contract says must carry error type `expected`.

    A workflow that completes instead is the finding `bug` (for a retried 4xx,
    retry-classification), not pytest's "DID NOT RAISE".
    """
    try:
        result = await run.result()
    except WorkflowFailureError as failure:
        types = failure_types(failure)
        expect(
            expected in types,
            BugClass.WRONG_ERROR_TYPE,
            f"{run.workflow_id} failed, but its cause chain has types {types}, not "
            f"{expected}: {failure_messages(failure)}",
        )
        return failure
    raise Finding(
        bug,
        f"{run.workflow_id} completed ({result}) where the contract says it fails with {expected}",
    )


async def completed(run: Run, bug: BugClass, why: str) -> dict[str, Any]:
    """The workflow's result; a failure is the finding `bug` (`why` says what was owed)."""
    try:
        return await run.result()
    except WorkflowFailureError as failure:
        raise Finding(
            bug,
            f"{run.workflow_id} failed where it must complete ({why}): {failure_messages(failure)}",
        ) from None


async def progress_step(run: Run, expected: str, timeout: float = 20) -> dict[str, Any]:
    """Wait until the `progress` query says `expected`; else `progress-query` with its answer."""

    async def check() -> dict[str, Any]:
        progress = await run.handle.query("progress")
        expect(
            progress["step"] == expected,
            BugClass.PROGRESS_QUERY,
            f"{run.workflow_id}: progress says {progress}, the workflow is at {expected}",
        )
        return progress

    return await eventually(check, timeout=timeout)


async def step_retried(run: Run, what: str, timeout: float = 60) -> str:
    """The step Temporal has scheduled a second attempt of, while `what` fails every
    attempt; a run that closes first took a transient failure for a final one, which is
    `retry-classification`, naming how it closed."""

    async def second_attempt() -> str | None:
        described = await run.handle.describe()
        if described.status != WorkflowExecutionStatus.RUNNING:
            try:
                outcome = f"completed with {await run.result()}"
            except WorkflowFailureError as failure:
                outcome = f"failed: {failure_messages(failure)}"
            raise Finding(
                BugClass.RETRY_CLASSIFICATION,
                f"{run.workflow_id} {outcome}, with no step retried while {what}: a "
                "transient failure must be retried, not taken for a final one",
            )
        pending = described.raw_description.pending_activities
        return next((a.activity_type.name for a in pending if a.attempt >= 2), None)

    return await wait_for(
        second_attempt,
        what=f"a retried step of {run.workflow_id} ({what})",
        timeout=timeout,
        interval=0.1,
    )
