"""Replaying histories against workflow code, with failures a reviewer can act on.

A replay failure from the SDK says what the code did differently ("Activity type of
scheduled event 'x' does not match activity type of activity command 'y'"); this module
adds which history it was and the commands the history recorded, so the reader sees the
first step where the code and the history part ways without opening the file.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from stormproof.replay.histories import HistoryFile

DEFAULT_WORKFLOWS = "stormproof.reference.workflows:ALL_WORKFLOWS"
# Core wraps its reason as `Failure { failure: Some(Failure { message: "...", source: ...`.
_CORE_MESSAGE = re.compile(r'message: "((?:[^"\\]|\\.)*)"')
_PATCH_FIX = (
    "keep the old behaviour for running workflows behind workflow.patched(...), or, if no "
    "workflow of this version can still be running, re-record with `stormproof record-histories`"
)
_SANDBOX_FIX = (
    "workflow code must be deterministic: use workflow.now(), workflow.random() and "
    "workflow.uuid4() instead of the wall clock, random and uuid"
)
_EVENT_ID = re.compile(r"HistoryEvent\(id: (\d+)")

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


class WorkflowsSpecError(Exception):
    """`--workflows module:attr` does not name a list of workflow classes."""


class ReplayOutcome(BaseModel):
    """One history's verdict; `message` is what a failing test prints."""

    model_config = ConfigDict(frozen=True)

    source: str
    workflow_type: str
    ok: bool
    message: str = ""


def workflow_name(cls: type) -> str | None:
    """The registered name of a `@workflow.defn` class, or None if it is not one."""
    defn = workflow._Definition.from_class(cls)  # the SDK's own lookup; no public twin
    return defn.name if defn else None


def load_workflows(spec: str = DEFAULT_WORKFLOWS) -> list[type]:
    """The workflow classes `module:attr` names, or an error saying what to pass instead."""
    module_name, sep, attr = spec.partition(":")
    fix = "fix: pass --workflows module:attr naming a list of @workflow.defn classes"
    if not sep or not module_name or not attr:
        raise WorkflowsSpecError(f"--workflows {spec!r} is not module:attr; {fix}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise WorkflowsSpecError(f"--workflows {spec!r}: cannot import: {exc}; {fix}") from None
    value: Any = getattr(module, attr, None)
    if value is None:
        raise WorkflowsSpecError(f"--workflows {spec!r}: {module_name} has no {attr!r}; {fix}")
    classes = list(value) if isinstance(value, list | tuple) else [value]
    bad = [repr(c) for c in classes if not isinstance(c, type) or workflow_name(c) is None]
    if bad or not classes:
        raise WorkflowsSpecError(
            f"--workflows {spec!r}: not workflow classes: {', '.join(bad) or 'empty list'}; {fix}"
        )
    return classes


def recorded_commands(history: WorkflowHistory) -> list[str]:
    """The commands the history recorded, in order, as `event N: activity llm_call`."""
    data = history.to_json_dict()
    lines: list[str] = []
    for event in data.get("events", []):
        kind = str(event.get("eventType", "")).removeprefix("EVENT_TYPE_")
        if kind not in _COMMAND_EVENTS:
            continue
        attrs_key, field, label = _COMMAND_EVENTS[kind]
        value = event.get(attrs_key, {}).get(field, "") if attrs_key else ""
        name = value.get("name", "") if isinstance(value, dict) else value
        lines.append(f"event {event.get('eventId')}: {label} {name}".rstrip())
    return lines


def core_message(failure: BaseException) -> str:
    """The SDK core's own sentence, without the Rust debug wrapping around it."""
    text = str(failure)
    found = _CORE_MESSAGE.search(text)
    return found.group(1).replace('\\"', '"') if found else text


def failure_message(source: str, history: WorkflowHistory, failure: BaseException) -> str:
    recorded = recorded_commands(history)
    reason = core_message(failure)
    where = ""
    if (event := _EVENT_ID.search(reason)) is not None:
        at = [line for line in recorded if line.startswith(f"event {event.group(1)}:")]
        if at:
            where = f"  the history has {at[0]} there; the code issued a different command\n"
    commands = "\n".join(f"    {line}" for line in recorded)
    return (
        f"{source}: replay diverged from the history: {type(failure).__name__}: {reason}\n"
        f"{where}"
        f"  the history recorded these commands, in order (the code must issue the same):\n"
        f"{commands}\n"
        f"  fix: {_SANDBOX_FIX if 'from inside a workflow' in reason else _PATCH_FIX}"
    )


def unknown_type_message(source: str, workflow_type: str, workflows: Sequence[type]) -> str:
    known = ", ".join(sorted(filter(None, (workflow_name(c) for c in workflows))))
    return (
        f"{source}: workflow type {workflow_type!r} is not among the workflows replayed "
        f"against ({known}); fix: pass --workflows module:attr listing its class, or remove "
        "the file"
    )


def make_replayer(workflows: Sequence[type]) -> Replayer:
    return Replayer(workflows=list(workflows), data_converter=pydantic_data_converter)


async def replay_history(
    replayer: Replayer, source: str, workflow_type: str, history: WorkflowHistory
) -> ReplayOutcome:
    """Replay one history; never raises for a replay failure, returns it as the outcome."""
    names = {workflow_name(c) for c in replayer.config()["workflows"]}
    if workflow_type not in names:
        message = unknown_type_message(source, workflow_type, replayer.config()["workflows"])
        return ReplayOutcome(source=source, workflow_type=workflow_type, ok=False, message=message)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    if result.replay_failure is None:
        return ReplayOutcome(source=source, workflow_type=workflow_type, ok=True)
    message = failure_message(source, history, result.replay_failure)
    return ReplayOutcome(source=source, workflow_type=workflow_type, ok=False, message=message)


async def replay_file(replayer: Replayer, file: HistoryFile, source: str) -> ReplayOutcome:
    return await replay_history(replayer, source, file.workflow_type, file.history)
