"""The one list of bug classes every check's failure message starts with.

A CI gate is read at a glance when a red test says what kind of bug it found before it
says anything else: `duplicate-effect: ...`, `no-poller: ...`. Every check in the suites
builds its message with `diagnose(BugClass.X, ...)`, so the class is the first word in
the terminal; the pytest plugin (stormproof/report/diagnosis.py) reads it back with
`classify` and puts the same word in the JUnit XML (`stormproof_diagnosis`) and in the
chaos JSON. A negative control asserts its twin is rejected with the expected class
(`rejected_as`), so a check that starts to fail for the wrong reason is caught too.

The world (fixtures/) cannot import the judge, so the one diagnosis it makes itself, a
worker that never polls its task queue, spells `no-poller` literally;
tests/test_diagnosis.py checks that spelling is a member here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

import pytest


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


# One line each, for the README and the terminal legend.
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
}

_LEADING_CLASS = re.compile(r"^\s*(?:\w+Error: )?([a-z]+(?:-[a-z]+)*): ")
_BY_VALUE = {member.value: member for member in BugClass}


def diagnose(bug: BugClass, message: str) -> str:
    """`message` as a check's failure message: its class first, then what was found."""
    return f"{bug}: {message}"


def classify(text: str) -> BugClass | None:
    """The class a failure message starts with (after an optional `XxxError: `), if any."""
    match = _LEADING_CLASS.match(text)
    return _BY_VALUE.get(match.group(1)) if match else None


def classify_exception(error: BaseException | None) -> BugClass | None:
    """The class of a failure: the exception's own message, else a cause's or a group
    member's (a check may fail inside an `asyncio.gather` or be re-raised with context)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        found = classify(str(current))
        if found is not None:
            return found
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend([current.__cause__, current.__context__])
    return None


@contextmanager
def rejected_as(bug: BugClass) -> Iterator[pytest.ExceptionInfo[AssertionError]]:
    """A negative control: the check inside must fail, and with exactly this class."""
    with pytest.raises(AssertionError, match=rf"^{re.escape(bug.value)}: ") as caught:
        yield caught
