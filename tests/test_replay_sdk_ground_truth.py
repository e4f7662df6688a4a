"""Stormproof's export-format check agrees with the SDK on which files are histories.

The ground truth is the SDK: `WorkflowHistory.from_json` parses the file's text, then the checks
the SDK's core makes of a parsed history when it replays it (sdk-core
`replay/history_info.rs` and its workflow machines) are applied to what the SDK parsed.
from_json alone accepts nearly any JSON object (unknown fields and unknown enum names are
dropped), so a parse is only the SDK's "yes" when the core would take the result too.
The check under test is `histories.load`/`prepare`, which every replay goes through.

Agreement is asserted both ways for every history committed in the repository, for
variants of one committed history (explicit nulls, absent fields, the other key casing)
and for malformed files. The only disagreements are listed in REPAIRED (forms the SDK
cannot read, which formats.py rewrites soundly: test_replay_formats proves they load to
the original's events) and LOSSY (files the SDK parses only by dropping their data).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from stormproof.replay.histories import load, prepare
from stormproof.replay.replayer import load_workflows, make_replayer
from stormproof.replay.scenarios import by_key
from stormproof.replay.verdicts import CannotJudge

REPO = Path(__file__).parents[1]
ROOTS = [
    REPO / "tests" / "replay_histories",
    REPO / "suites" / "replay" / "histories",
    REPO / "examples" / "routing" / "histories",
]
COMMITTED = sorted(p for root in ROOTS for p in root.rglob("*") if p.suffix in {".json", ".gz"})
ORIGINAL = by_key("ReportWorkflow/happy_path").path()
_FORMATS = "tests/replay_histories/formats/"
REPAIRED = {
    f"{_FORMATS}bare_list.json": "from_json wants an object with 'events'",
    f"{_FORMATS}cli_current.json.gz": "the SDK reads JSON text, not gzip",
    f"{_FORMATS}webui_decoded/events.json": "payload data is a decoded JSON value",
    f"{_FORMATS}upper_no_prefix.json": "the SDK maps these enum names to unspecified",
    f"{_FORMATS}reverse.json": "the core wants ascending event ids",
}
# The SDK parses this one by dropping the bare values where payloads should be: its input
# payload comes out empty, so replay fails "Failed decoding arguments" in code that is fine.
LOSSY = {"tests/replay_histories/special/webui_data_only.json"}
STARTED_ATTRIBUTES = "workflow_execution_started_event_attributes"
FieldPath = tuple[str | int, ...]  # keys and list indexes under event 1


def sdk_refusal(data: Any) -> str | None:
    """Why the SDK cannot replay `data` (parsed JSON or text), or None when it can read it."""
    try:
        events = list(WorkflowHistory.from_json("ground-truth", data).events)
    except Exception as exc:  # ValueError, protobuf's ParseError: whatever the SDK raises
        return f"from_json: {type(exc).__name__}: {exc}"
    if not events:
        return "core: History is empty!"  # a panic in the replay worker
    first = events[0]
    if first.WhichOneof("attributes") != STARTED_ATTRIBUTES:
        return "core: First event in history was not workflow execution started!"  # panic
    started = first.workflow_execution_started_event_attributes
    if not started.HasField("workflow_type") or not started.HasField("task_queue"):
        return "core: no workflow type or task queue in the started event"  # panic
    if not started.workflow_type.name:
        return "the workflow type has no name, so no registered workflow can replay it"
    if first.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        return "core: event 1 is not WorkflowExecutionStarted, replay fails"
    if any(e.event_type == EventType.EVENT_TYPE_UNSPECIFIED for e in events):
        return "core: Event type is unspecified! This history is invalid"
    if [e.event_id for e in events] != list(range(1, len(events) + 1)):
        return "core: History is out of order"
    return None


def our_refusal(data: Any) -> str | None:
    try:
        prepare(data, "ground-truth")
    except CannotJudge as problem:
        return problem.cause
    return None


def assert_agree(what: str, sdk: str | None, ours: str | None) -> None:
    if sdk is None:
        assert ours is None, f"{what}: the SDK reads it, Stormproof refuses it: {ours}"
    else:
        assert ours is not None, f"{what}: the SDK refuses it ({sdk}), Stormproof accepts it"


def _rel(path: Path) -> str:
    return str(path.relative_to(REPO))


@pytest.mark.parametrize("path", COMMITTED, ids=_rel)
def test_a_committed_export_is_judged_as_the_sdk_judges_it(path: Path) -> None:
    try:
        sdk = sdk_refusal(path.read_text())
    except UnicodeDecodeError:
        sdk = "not JSON text"
    try:
        load(path)
        ours = None
    except CannotJudge as problem:
        ours = problem.cause
    if _rel(path) in REPAIRED:
        assert sdk is not None and ours is None, f"{REPAIRED[_rel(path)]}: {sdk}; {ours}"
    elif _rel(path) in LOSSY:
        parsed = WorkflowHistory.from_json("x", path.read_text()).events[0]
        payload = parsed.workflow_execution_started_event_attributes.input.payloads[0]
        assert sdk is None and not payload.metadata and not payload.data
        assert ours is not None and "bare value where a payload should be" in ours
    else:
        assert_agree(_rel(path), sdk, ours)


def test_every_listed_disagreement_is_a_committed_file() -> None:
    assert {*REPAIRED, *LOSSY} <= {_rel(p) for p in COMMITTED}


def _original() -> dict[str, Any]:
    return json.loads(ORIGINAL.read_text())


def _edit(path: FieldPath, value: Any = ...) -> dict[str, Any]:
    """The original with the field at `path` under event 1 set to `value` (... removes it)."""
    data = _original()
    parent = data["events"][0]
    for step in path[:-1]:
        parent = parent[step]
    if value is ...:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return data


def _malformed() -> dict[str, Any]:
    """Files no tool writes: each must be refused by the SDK and by Stormproof."""
    found: dict[str, Any] = {}
    data = _original()
    found["events is an object, not a list"] = {"events": dict(enumerate(data["events"]))}
    payloads = ("workflowExecutionStartedEventAttributes", "input", "payloads")
    found["payloads is an object, not a list"] = _edit(payloads, {"0": {}})
    found["a null element in a list"] = _edit(payloads, [None])
    found["eventType is an object"] = _edit(("eventType",), {"name": "WorkflowExecutionStarted"})
    found["event 1 has another event's type"] = _edit(
        ("eventType",), "EVENT_TYPE_WORKFLOW_TASK_SCHEDULED"
    )
    unknown = _original()
    unknown["events"][2]["eventType"] = "EVENT_TYPE_WORKFLOW_EXECUTION_TELEPORTED"
    found["event 3's type is no EventType"] = unknown
    unspecified = _original()
    unspecified["events"][2]["eventType"] = "EVENT_TYPE_UNSPECIFIED"
    found["event 3's type is unspecified"] = unspecified
    found["eventId is not a number"] = _edit(("eventId",), "one")
    found["workflowType is a list"] = _edit(
        ("workflowExecutionStartedEventAttributes", "workflowType"), ["ReportWorkflow"]
    )
    found["an event is a string"] = {"events": ["EVENT_TYPE_WORKFLOW_EXECUTION_STARTED"]}
    found["no events"] = {"events": []}
    gap = _original()
    del gap["events"][4]
    found["event 5 is missing"] = gap
    return found


MALFORMED = _malformed()


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_file_is_refused_by_both(name: str) -> None:
    data = MALFORMED[name]
    sdk, ours = sdk_refusal(copy.deepcopy(data)), our_refusal(copy.deepcopy(data))
    assert sdk is not None, f"{name}: the SDK reads it, so it is no negative control"
    assert_agree(name, sdk, ours)


@pytest.fixture(scope="module")
def replayer() -> Replayer:
    """The SDK's Replayer with the reference's workflows, as `--replay-dir` builds it."""
    return make_replayer(load_workflows())


@pytest.mark.parametrize(
    ("name", "core_says"),
    [
        ("event 3's type is no EventType", "Event type is unspecified! This history is invalid"),
        ("event 5 is missing", "History is out of order"),
        ("event 1 has another event's type", "Nondeterminism error"),
        ("workflowType is a list", "Workflow class  is not registered"),
    ],
)
async def test_the_core_refuses_what_the_parse_let_through(
    name: str, core_says: str, replayer: Replayer
) -> None:
    """from_json takes these; the SDK refuses them when it replays, as sdk_refusal says.
    (The other core rules in sdk_refusal are panics in the replay worker, after which the
    replay never returns, so they are not replayed here: sdk-core replay/history_info.rs.)"""
    history = WorkflowHistory.from_json(name, copy.deepcopy(MALFORMED[name]))
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert core_says in str(result.replay_failure)
