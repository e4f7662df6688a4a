"""The registry of deliberately broken twins: one entry per twin, one line per verdict.

A check that never fails proves nothing, so every check aimed at a classic durability bug
has a twin of the reference with exactly that bug. Keeping the list here, with the check
that must reject each twin, lets a reader (and tests/test_broken_twins.py) see at once
that no twin is orphaned and no twin lives anywhere else. Targets are `module:attr`
strings, imported only when a twin runs, so reading the registry costs no imports.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

PACKAGE = "stormproof.reference.broken"


class Kind(StrEnum):
    """What a twin is, which decides how `python -m stormproof.reference.broken NAME` runs it."""

    # The reference worker with one activity swapped in; target: an activities factory.
    WORKER = "worker"
    # The reference HTTP API over another backend; target: the backend class.
    API = "api"
    # Somebody else's worker polling the contract's task queue; target: its main(argv).
    IMPOSTOR = "impostor"
    # A ReportWorkflow class, replayed or recorded in process; target: the class.
    WORKFLOW = "workflow"


@dataclass(frozen=True)
class Twin:
    """One deliberately broken twin of the reference. Never deploy one."""

    name: str
    kind: Kind
    target: str
    defect: str
    rejected_by: str

    @property
    def usage(self) -> str:
        """How to run it, as a user types it."""
        command = f"python -m {PACKAGE} {self.name}"
        if self.kind is Kind.WORKFLOW:
            return f"--workflows {PACKAGE}:{self.name} (a class, replayed in process)"
        if self.kind is Kind.API:
            return f"{command} [--port P]"
        return f"{command} [--task-queue Q]"


def _worker(name: str, defect: str, rejected_by: str) -> Twin:
    return Twin(name, Kind.WORKER, f"{PACKAGE}.workers:{name}", defect, rejected_by)


def _workflow(name: str, cls: str, defect: str, rejected_by: str) -> Twin:
    return Twin(name, Kind.WORKFLOW, f"{PACKAGE}.workflows:{cls}", defect, rejected_by)


_CHAOS = "suites/chaos/test_negative_control.py: verdict invalid"
_REPLAY = "suites/replay/test_nondeterminism.py: replay fails"

# `rejected_by` names the test files (paths from the checkout's root) that must reject the
# twin, and what they must say; tests/test_broken_twins.py checks each file names the twin.
REGISTRY: tuple[Twin, ...] = (
    _worker(
        "non_idempotent_insert",
        "no primary key and a plain INSERT: a retried store duplicates the row",
        f"{_CHAOS}, duplicated rows >= 1",
    ),
    _worker(
        "non_idempotent_notify",
        "a fresh Idempotency-Key per attempt: the sink sees more than one key per report",
        "suites/conformance/test_notification.py: 'expected one notification effect'; "
        f"{_CHAOS}, duplicated deliveries >= 1",
    ),
    _worker(
        "sdk_retries",
        "the openai client keeps max_retries=2: SDK retries stack on Temporal's",
        "suites/conformance/test_retries_exhausted.py: 'expected 3 LLM call(s)'; "
        f"{_CHAOS}, wasted LLM calls >= 1",
    ),
    _worker(
        "ignores_retry_after",
        "retryable LLM errors carry no next_retry_delay: Retry-After is ignored",
        "suites/conformance/test_llm_rate_limit.py: check_retry_hint_honoured fails on "
        "'retry hints'",
    ),
    _worker(
        "exits_on_cancel",
        "a cancelled LLM call cancels the process's main task: the worker dies",
        "suites/reconnect/test_lifecycle.py: 'the worker process ended (after an activity was "
        "cancelled)' or 'made no progress (after an activity was cancelled)'",
    ),
    Twin(
        "connect_once",
        Kind.API,
        f"{PACKAGE}.api:ConnectOnceBackend",
        "connects once; when Temporal is away it answers 202 and parks work as PENDING",
        "suites/reconnect/test_late_start.py and suites/reconnect/test_restart.py: 'accepted "
        "work it cannot start' (or 'did not answer' during the restart)",
    ),
    Twin(
        "foreign_worker",
        Kind.IMPOSTOR,
        f"{PACKAGE}.foreign:main",
        "another team's service (InvoiceWorkflow, charge_card) polls the worker's task queue",
        "suites/deployment/test_worker_checks.py: the doctor's ping check fails "
        "'wrong_worker', naming the poller billing-service@build-42",
    ),
    _workflow(
        "activities_reordered",
        "NotifiesBeforeStoring",
        "the webhook is sent before the row is stored",
        f"{_REPLAY} on completing histories: 'Activity type of scheduled event ... does not match'",
    ),
    _workflow(
        "activity_removed",
        "SkipsNotification",
        "the send_notification step is gone",
        f"{_REPLAY} on completing histories: 'Complete workflow machine does not handle this "
        "event'",
    ),
    _workflow(
        "datetime_now",
        "ReadsWallClock",
        "datetime.now() in workflow code",
        f"{_REPLAY} on every history: 'Cannot access datetime.datetime.now.__call__ from "
        "inside a workflow'",
    ),
    _workflow(
        "random",
        "RollsDice",
        "random.random() in workflow code",
        f"{_REPLAY} on every history: 'Cannot access random.random.__call__ from inside a "
        "workflow'",
    ),
    _workflow(
        "datetime_now_outside_sandbox",
        "WallClockOutsideSandbox",
        "datetime.now() smuggled past the sandbox decides whether approval is needed",
        f"{_REPLAY} on approval histories: 'Activity machine does not handle this event: "
        "HistoryEvent(id: 17, TimerStarted)'",
    ),
    _workflow(
        "timer_duration_changed",
        "LongerApprovalTimer",
        "the approval timer's duration doubled (replay alone cannot see it)",
        "suites/replay/test_guard.py: the drift report shows startToFireTimeout '2s' -> '4s'",
    ),
)

TWINS: dict[str, Twin] = {twin.name: twin for twin in REGISTRY}


def load(target: str) -> Any:
    """The object a `module:attr` target names, imported now."""
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def describe() -> str:
    """The registry as `python -m stormproof.reference.broken --help` prints it."""
    lines = [
        f"usage: python -m {PACKAGE} NAME [args]",
        "",
        "Deliberately BROKEN twins of the reference (negative controls; never deploy one):",
    ]
    for twin in REGISTRY:
        lines += [
            "",
            f"{twin.name}  [{twin.kind}]",
            f"    defect:      {twin.defect}",
            f"    run:         {twin.usage}",
            f"    rejected by: {twin.rejected_by}",
        ]
    return "\n".join(lines)
