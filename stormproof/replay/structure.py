"""What the SDK's core needs of a history's events before it can replay them.

The SDK's `WorkflowHistory.from_json` parses nearly anything shaped like JSON objects; the
core then validates the history when the replay worker picks it up (sdk-core's
`replay/history_info.rs` and its workflow machines). Some of its refusals are errors
("History is out of order", "Event type is unspecified! This history is invalid"); others
are panics inside the replay worker (no events, a first event without its started
attributes, a workflow type or a task queue), after which the replay never answers and
a whole `--replay-dir` hangs. So each is checked here first, on the normalised JSON,
and refused as CannotJudge naming the event and the fix.
"""

from __future__ import annotations

import itertools
from typing import Any

from stormproof.replay.verdicts import CannotJudge

STARTED = "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"
UNSPECIFIED = "EVENT_TYPE_UNSPECIFIED"
EXPORT_FIX = (
    "re-export it with `temporal workflow show --workflow-id ID -o json > FILE` "
    "(or the Web UI's Download, without decoding payloads)"
)


def event_type(event: dict[str, Any], event_id: int) -> None:
    """CannotJudge when `event` (normalised) has no event type: the core refuses it."""
    if event.get("eventType", UNSPECIFIED) == UNSPECIFIED:
        raise CannotJudge(
            f"event {event_id} has no event type (it is absent, null or unspecified), and "
            "the SDK refuses such a history as invalid",
            EXPORT_FIX,
        )


def in_order(events: list[dict[str, Any]], notes: list[str]) -> list[dict[str, Any]]:
    """Events in ascending id order, reversing a descending export; gaps are errors."""
    ids = [int(e["eventId"]) for e in events]
    count = len(ids)
    if ids == list(range(1, count + 1)):
        return events
    if count > 1 and all(a - 1 == b for a, b in itertools.pairwise(ids)):
        if ids[-1] != 1:
            raise CannotJudge(
                f"events are in reverse order and the history is incomplete: it runs from "
                f"event {ids[0]} down to event {ids[-1]}, not down to event 1",
                f"export the whole history in forward order: {EXPORT_FIX}",
            )
        notes.append("events were in reverse order (a descending export): replayed forwards")
        return events[::-1]
    if ids[0] != 1:
        cause = f"the history is incomplete: it starts at event {ids[0]}, not event 1"
    else:
        at = next(i for i in range(1, count) if ids[i] != ids[i - 1] + 1)
        cause = f"events are out of order or missing: event {ids[at]} follows {ids[at - 1]}"
    raise CannotJudge(cause, f"export the whole history unfiltered: {EXPORT_FIX}")


def started_attributes(first: dict[str, Any]) -> dict[str, Any]:
    """The first event's started attributes, when they hold what the core reads from them."""
    started = first.get("workflowExecutionStartedEventAttributes") or {}
    if first.get("eventType") != STARTED:
        raise CannotJudge(
            f"not a complete workflow history: its first event is {first.get('eventType')!r}, "
            "not WorkflowExecutionStarted",
            f"{EXPORT_FIX}, or remove it from the directory",
        )
    if not (started.get("workflowType") or {}).get("name"):
        raise CannotJudge(
            "not a complete workflow history: event 1 (WorkflowExecutionStarted) names no "
            "workflow type (its workflowExecutionStartedEventAttributes.workflowType.name)",
            f"{EXPORT_FIX}, or remove it from the directory",
        )
    if "taskQueue" not in started:
        raise CannotJudge(
            "event 1 (WorkflowExecutionStarted) has no taskQueue, which the SDK's replay "
            "worker reads from it: without one the replay stops with a panic and never ends",
            EXPORT_FIX,
        )
    return started
