"""The one list of bug classes, and the typed finding every check fails with.

A CI gate is read at a glance when a red test says what kind of bug it found before it
says anything else: `duplicate-effect: ...`, `no-poller: ...`. A check fails by raising a
`Finding` (`expect(condition, BugClass.X, evidence)`, `fail(BugClass.X, evidence)`): an
AssertionError that carries its `BugClass` as a field, and whose message starts with it, so
the class is the first word in the terminal. The pytest plugin (stormproof/report/
diagnosis.py) reads the field with `classify_exception`, never the message, and puts the
same word in the JUnit XML (`stormproof_diagnosis`) and in the chaos JSON. A negative
control asserts its twin is rejected with the expected class (`rejected_as`), so a check
that starts to fail for the wrong reason is caught too.

The world (fixtures/) cannot import the judge, so the one diagnosis it makes itself, a
worker that never polls its task queue, is an exception with a class attribute
`bug_class = "no-poller"` that `classify_exception` maps onto this list;
tests/test_diagnosis.py checks that spelling is a member here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import NoReturn

import pytest

__all__ = [
    "MEANING",
    "BugClass",
    "Finding",
    "classify_exception",
    "expect",
    "fail",
    "rejected_as",
]


class BugClass(StrEnum):
    """What kind of bug a failed check found. The value is the word a user reads first."""

    DUPLICATE_EFFECT = "duplicate-effect"
    LOST_WORKFLOW = "lost-workflow"
    LOST_EFFECT = "lost-effect"
    UNEXPECTED_EFFECT = "unexpected-effect"
    WRONG_EFFECT = "wrong-effect"
    INPUT_IGNORED = "input-ignored"
    INPUT_VALIDATION = "input-validation"
    WRONG_ERROR_TYPE = "wrong-error-type"
    WASTED_LLM_CALL = "wasted-llm-call"
    RETRY_BUDGET = "retry-budget"
    RETRY_HINT_IGNORED = "retry-hint-ignored"
    RETRY_CLASSIFICATION = "retry-classification"
    APPROVAL_TIMER = "approval-timer"
    APPROVAL_SIGNAL = "approval-signal"
    PROGRESS_QUERY = "progress-query"
    NO_POLLER = "no-poller"
    WRONG_WORKER = "wrong-worker"
    WORKER_EXITED = "worker-exited"
    NO_DRAIN = "no-drain"
    STALLED_AFTER_WORKER_DEATH = "stalled-after-worker-death"
    PLAINTEXT_HISTORY = "plaintext-history"
    PROMPT_IN_LOGS = "prompt-in-logs"
    NON_DETERMINISM = "non-determinism"
    CRASH_IN_LOGS = "crash-in-logs"
    ACCEPTED_UNSTARTABLE_WORK = "accepted-unstartable-work"
    UNRESPONSIVE = "unresponsive"
    API_CONTRACT = "api-contract"
    FAULT_MISSED = "fault-missed"
    MESSAGE_LOST = "message-lost"


# One line each, for docs/CONFORMANCE.md and the terminal legend.
MEANING: dict[BugClass, str] = {
    BugClass.DUPLICATE_EFFECT: "an effect (row, notification key, artifact, answered LLM "
    "call, run) happened more than once",
    BugClass.LOST_WORKFLOW: "an accepted workflow never completed",
    BugClass.LOST_EFFECT: "a completed workflow lacks an effect it owes",
    BugClass.UNEXPECTED_EFFECT: "an effect no workflow asked for",
    BugClass.WRONG_EFFECT: "an effect in the wrong place or with the wrong content",
    BugClass.INPUT_IGNORED: "an input field's non-default value had no effect (hard-coded)",
    BugClass.INPUT_VALIDATION: "bad input was not refused before the LLM, or good input was",
    BugClass.WRONG_ERROR_TYPE: "a failure's cause chain lacks the contract's error type",
    BugClass.WASTED_LLM_CALL: "LLM calls beyond Temporal's attempts (retries stacked)",
    BugClass.RETRY_BUDGET: "more or fewer attempts than the step's retry policy allows",
    BugClass.RETRY_HINT_IGNORED: "a retry started before or long after the server's hint",
    BugClass.RETRY_CLASSIFICATION: "a final error was retried, or a transient one was not",
    BugClass.APPROVAL_TIMER: "the approval wait did not end when its window said",
    BugClass.APPROVAL_SIGNAL: "an approve/reject decision was not honoured",
    BugClass.PROGRESS_QUERY: "the progress query misreports the workflow's step",
    BugClass.NO_POLLER: "nothing polls the task queue the worker was given",
    BugClass.WRONG_WORKER: "something that is not a contract worker polls the task queue",
    BugClass.WORKER_EXITED: "the worker process ended when it had to keep polling",
    BugClass.NO_DRAIN: "SIGTERM ended the worker before its in-flight activities finished",
    BugClass.STALLED_AFTER_WORKER_DEATH: "work did not resume within the bound its own "
    "timeouts declare after its worker died",
    BugClass.PLAINTEXT_HISTORY: "prompts or replies stored in plaintext in the history",
    BugClass.PROMPT_IN_LOGS: "a prompt or an LLM reply appears in a process's log lines",
    BugClass.NON_DETERMINISM: "workflow code no longer replays its own histories",
    BugClass.CRASH_IN_LOGS: "a panic or an unhandled exception in the worker's or the "
    "server's log during a chaos test",
    BugClass.ACCEPTED_UNSTARTABLE_WORK: "work was accepted (202) that Temporal never got",
    BugClass.UNRESPONSIVE: "no answer within the deadline while a dependency was away",
    BugClass.API_CONTRACT: "an HTTP answer breaks the API's documented status, fields or "
    "headers (a /ready that claims ready while work cannot start)",
    BugClass.MESSAGE_LOST: "a signal or update the workflow accepts was dropped because it "
    "came at another stage (before the code that waits for it)",
    BugClass.FAULT_MISSED: "the fault met no work in flight (no attempt retried, or the "
    "victim already closed): the test proved nothing, so it fails",
}


class Finding(AssertionError):
    """A check's verdict on the code under test: the bug class it found and the evidence.

    An AssertionError, so pytest reports it as a failed check (and `eventually` retries it);
    its message is `"<class>: <evidence>"`, the class first as a reader wants it.
    """

    def __init__(self, bug: BugClass, evidence: str):
        super().__init__(f"{bug}: {evidence}")
        self.bug = bug
        self.evidence = evidence

    def __reduce__(self) -> tuple[type[Finding], tuple[BugClass, str]]:
        return Finding, (self.bug, self.evidence)  # its args are the message, not these


def expect(condition: object, bug: BugClass, evidence: str) -> None:
    """The check passes when `condition` is true; otherwise it fails as `bug`."""
    __tracebackhide__ = True  # pytest shows the check's line, not this one
    if not condition:
        raise Finding(bug, evidence)


def fail(bug: BugClass, evidence: str) -> NoReturn:
    """The check fails as `bug` (for a verdict reached in a branch rather than a condition)."""
    __tracebackhide__ = True
    raise Finding(bug, evidence)


def _own_class(error: BaseException) -> BugClass | None:
    """The class an exception carries by type: a Finding's field, or a world exception's
    `bug_class` attribute (a BugClass value spelled as a string)."""
    if isinstance(error, Finding):
        return error.bug
    spelled = getattr(type(error), "bug_class", None)
    return BugClass(spelled) if isinstance(spelled, str) else None


def classify_exception(error: BaseException | None) -> BugClass | None:
    """The class of a failure: the exception's own, else a cause's or a group member's (a
    check may fail inside an `asyncio.gather` or be re-raised with context)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        found = _own_class(current)
        if found is not None:
            return found
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend([current.__cause__, current.__context__])
    return None


@contextmanager
def rejected_as(bug: BugClass) -> Iterator[pytest.ExceptionInfo[AssertionError]]:
    """A negative control: the check inside must fail, and with exactly this class."""
    with pytest.raises(AssertionError) as caught:
        yield caught
    found = classify_exception(caught.value)
    if found is not bug:
        named = f"as {found}" if found else "without a bug class"
        pytest.fail(
            f"the negative control must be rejected as {bug}, it was rejected {named}: "
            f"{caught.value}"
        )
