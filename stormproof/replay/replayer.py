"""Replaying a history against workflow code, and reaching one of the three verdicts.

A replay failure from the SDK says what the code did differently ("Activity type of
scheduled event 'x' does not match activity type of activity command 'y'"); this module
adds which history it was, the event, what the code issued instead and the commands the
history recorded (verdicts.py words them). Before replaying, a preflight check looks at
the workflow type and the file's payloads (payload_check.py): a history the replayer
cannot read would otherwise fail inside the workflow and look like a code change, so it
is reported as "cannot judge" with the option that fixes it.
"""

from __future__ import annotations

import re
from typing import Any

from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.worker import Replayer

from stormproof.replay.formats import Normalised, normalise
from stormproof.replay.histories import HistoryFile
from stormproof.replay.payload_check import check_payloads
from stormproof.replay.settings import (
    DEFAULT_WORKFLOWS,
    ReplaySettings,
    WorkflowsSpecError,
    build_replayer,
    load_object,
)
from stormproof.replay.verdicts import (
    CannotJudge,
    Origin,
    ReplayOutcome,
    cannot_judge,
    diverged,
    replayed,
    strip_ansi,
)

__all__ = ["DEFAULT_WORKFLOWS", "WorkflowsSpecError", "load_workflows", "make_replayer"]

# Core wraps its reason as `Failure { failure: Some(Failure { message: "...", source: ...`.
_CORE_MESSAGE = re.compile(r'message: "((?:[^"\\]|\\.)*)"')
_EVENT_ID = re.compile(r"HistoryEvent\(id: (\d+)")
_MISMATCH = re.compile(r"does not match ([\w ]+?) of ([\w ]+?) command '([^']*)'")
_SCHEDULED = re.compile(r"of scheduled event '([^']*)'")
_MACHINE = re.compile(r"(\w[\w ]*?) machine does not handle this event")
# Core's words for a history it cannot read at all: the file, not the code, is at fault.
_INVALID_HISTORY = ("This history is invalid", "Event type is unspecified")
OLD_CORE_FLAGS = (
    "recorded before the SDK's core flag 1 (no workflow task in it carries coreUsedFlags "
    "1), so replaying it cannot see a changed activity type or id, local activity type, "
    "or child workflow type or id: such a change is not reported as diverged for this "
    "history; replay a history recorded by a current SDK to cover those"
)

# Events that a workflow *command* produced, and what to call each in a message.
_COMMAND_EVENTS: dict[str, tuple[str, str, str]] = {
    # event type suffix: (attributes key, name field path, label)
    "ACTIVITY_TASK_SCHEDULED": ("activityTaskScheduledEventAttributes", "activityType", "activity"),
    "TIMER_STARTED": ("timerStartedEventAttributes", "startToFireTimeout", "timer"),
    "MARKER_RECORDED": ("markerRecordedEventAttributes", "markerName", "marker"),
    "START_CHILD_WORKFLOW_EXECUTION_INITIATED": (
        "startChildWorkflowExecutionInitiatedEventAttributes",
        "workflowType",
        "child workflow",
    ),
    "WORKFLOW_EXECUTION_COMPLETED": ("", "", "complete workflow"),
    "WORKFLOW_EXECUTION_FAILED": ("", "", "fail workflow"),
}


def workflow_name(cls: type) -> str | None:
    """The registered name of a `@workflow.defn` class, or None if it is not one."""
    defn = workflow._Definition.from_class(cls)  # the SDK's own lookup; no public twin
    return defn.name if defn else None


def load_workflows(spec: str = DEFAULT_WORKFLOWS) -> list[type]:
    """The workflow classes `module:attr` names, or an error saying what to pass instead."""
    what = "a list of @workflow.defn classes"
    value: Any = load_object(spec, "--workflows", what, WorkflowsSpecError)
    classes = list(value) if isinstance(value, list | tuple) else [value]
    bad = [repr(c) for c in classes if not isinstance(c, type) or workflow_name(c) is None]
    if bad or not classes:
        raise WorkflowsSpecError(
            f"--workflows {spec!r}: not workflow classes: {', '.join(bad) or 'empty list'}; "
            f"fix: pass --workflows module:attr naming {what}"
        )
    return classes


def make_replayer(workflows: list[type], settings: ReplaySettings | None = None) -> Replayer:
    """A Replayer for `workflows` with the converter, codec, plugins and interceptors of
    `settings`."""
    return build_replayer(settings or ReplaySettings(), list(workflows))


def recorded_commands(history: WorkflowHistory) -> list[str]:
    """The commands the history recorded, in order, as `event N: activity llm_call`."""
    lines: list[str] = []
    for event in history.to_json_dict().get("events", []):
        kind = str(event.get("eventType", "")).removeprefix("EVENT_TYPE_")
        if kind not in _COMMAND_EVENTS:
            continue
        attrs_key, field, label = _COMMAND_EVENTS[kind]
        value = event.get(attrs_key, {}).get(field, "") if attrs_key else ""
        name = value.get("name", "") if isinstance(value, dict) else value
        lines.append(f"event {event.get('eventId')}: {label} {name}".rstrip())
    return lines


def core_message(failure: BaseException) -> str:
    """The SDK core's own sentence (and its cause's first line), without the Rust wrapping."""
    text = strip_ansi(str(failure))
    found = [m.replace('\\"', '"').replace("\\n", "\n") for m in _CORE_MESSAGE.findall(text)]
    if not found:
        return text
    cause = f" (caused by: {found[1].splitlines()[0]})" if len(found) > 1 and found[1] else ""
    return found[0] + cause


def _where(reason: str, recorded: list[str]) -> tuple[int | None, str]:
    """The event where replay parted from the history, and what the code issued there."""
    issued = ""
    if (mismatch := _MISMATCH.search(reason)) is not None:
        attribute, kind, value = mismatch.groups()
        issued = f"{kind} with id {value}" if "id" in attribute.split() else f"{kind} {value}"
    elif (machine := _MACHINE.search(reason)) is not None:
        issued = f"a {machine.group(1).lower()} command"
    elif "No command scheduled for event" in reason:
        issued = "no command"
    if (event := _EVENT_ID.search(reason)) is not None:
        return int(event.group(1)), issued
    if (scheduled := _SCHEDULED.search(reason)) is not None and mismatch is not None:
        label = f"{mismatch.group(2)} {scheduled.group(1)}"
        for line in recorded:  # the first such command: core names no event id here
            if line.endswith(f": {label}"):
                return int(line.split()[1].rstrip(":")), issued
    return None, issued


async def preflight(replayer: Replayer, normalised: Normalised) -> CannotJudge | None:
    """Why this history cannot be judged by `replayer` before replaying it, or None."""
    config = replayer.config(active_config=True)
    workflows = config.get("workflows", [])
    if normalised.workflow_type not in {workflow_name(c) for c in workflows}:
        known = ", ".join(sorted(filter(None, (workflow_name(c) for c in workflows))))
        return CannotJudge(
            f"workflow type {normalised.workflow_type!r} is not among the workflows "
            f"replayed against ({known})",
            "pass --workflows module:attr listing its class, or remove the file",
        )
    try:
        await check_payloads(normalised, config.get("data_converter") or DataConverter.default)
    except CannotJudge as problem:
        return problem
    return None


def warnings_of(source: str, normalised: Normalised) -> tuple[str, ...]:
    """What the verdict should carry without failing: repairs made, checks the file lacks."""
    found = [f"{source}: {note}" for note in normalised.notes]
    if normalised.completed_tasks and 1 not in normalised.core_flags:
        found.append(f"{source}: {OLD_CORE_FLAGS}")
    return tuple(found)


def verdict(
    source: str,
    origin: Origin,
    normalised: Normalised,
    history: WorkflowHistory,
    failure: BaseException | None,
) -> ReplayOutcome:
    """The verdict for a replay that ran: replayed, diverged, or (invalid file) cannot judge."""
    kind, warnings = normalised.workflow_type, warnings_of(source, normalised)
    if failure is None:
        return replayed(source, kind, warnings)
    reason = core_message(failure)
    if any(marker in reason for marker in _INVALID_HISTORY):
        problem = CannotJudge(f"the SDK rejects it as invalid: {reason}", "re-export it")
        return cannot_judge(source, kind, problem, warnings)
    recorded = recorded_commands(history)
    event_id, issued = _where(reason, recorded)
    if "Failed decoding" in reason:
        reason += (
            "; if the code did not change this type, the workers use another data "
            "converter: pass --replay-data-converter"
        )
    return diverged(
        source,
        kind,
        reason=reason,
        failure_type=type(failure).__name__,
        event_id=event_id,
        recorded=recorded,
        issued=issued,
        origin=origin,
        warnings=warnings,
    )


async def judge(
    replayer: Replayer,
    source: str,
    normalised: Normalised,
    history: WorkflowHistory,
    origin: Origin,
) -> ReplayOutcome:
    """One history's verdict; never raises for the history's problems, returns them."""
    problem = await preflight(replayer, normalised)
    if problem is not None:
        warnings = warnings_of(source, normalised)
        return cannot_judge(source, normalised.workflow_type, problem, warnings)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    return verdict(source, origin, normalised, history, result.replay_failure)


async def replay_file(
    replayer: Replayer, file: HistoryFile, source: str, origin: Origin = "exported"
) -> ReplayOutcome:
    """Replay one loaded history file and reach its verdict (`source` names it in messages)."""
    return await judge(replayer, source, file.normalised, file.history, origin)


async def replay_history(
    replayer: Replayer, source: str, history: WorkflowHistory, origin: Origin = "live"
) -> ReplayOutcome:
    """A history from the server (or built in memory): normalised for the checks, then judged."""
    try:
        normalised = normalise(history.to_json_dict())
    except CannotJudge as problem:
        return cannot_judge(source, "?", problem)
    return await judge(replayer, source, normalised, history, origin)
