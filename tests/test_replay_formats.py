"""Every export form a team may hold loads to the same history and replays.

Each file under tests/replay_histories/formats/ is ReportWorkflow/happy_path as another tool
exported it (tests/replay_histories/build.py makes them). Each must parse to exactly the
events of the committed original and replay; the edge cases below must end in "cannot
judge" with a cause that names the event or the problem, never in a wrong verdict.
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from temporalio.api.history.v1 import History
from temporalio.client import WorkflowHistory

from stormproof.replay import proto
from stormproof.replay.batch import judge_files
from stormproof.replay.formats import normalise
from stormproof.replay.histories import load
from stormproof.replay.scenarios import by_key
from stormproof.replay.settings import ReplaySettings
from stormproof.replay.ui_payloads import REENCODED
from stormproof.replay.verdicts import CannotJudge, ReplayOutcome

FORMATS = Path(__file__).parent / "replay_histories" / "formats"
FILES = {
    "current CLI JSON": "cli_current.json",
    "gzip": "cli_current.json.gz",
    "PascalCase enums (tctl)": "pascal_case.json",
    "UPPER_CASE enums without prefix": "upper_no_prefix.json",
    "integer enums": "int_enums.json",
    "snake_case fields": "snake_case.json",
    "Web UI download, raw": "webui_raw/events.json",
    "Web UI download, decoded payloads": "webui_decoded/events.json",
    "bare list of events": "bare_list.json",
    "reverse order": "reverse.json",
}
NOTES = {"reverse order": "reverse order", "Web UI download, decoded payloads": REENCODED}
ORIGINAL = by_key("ReportWorkflow/happy_path").path()


def _cli() -> dict[str, Any]:
    return json.loads(ORIGINAL.read_text())


def test_every_fixture_is_tested() -> None:
    """A fixture file no test names would prove nothing."""
    on_disk = {str(p.relative_to(FORMATS)) for p in FORMATS.rglob("*") if p.is_file()}
    assert on_disk == set(FILES.values())


@pytest.mark.parametrize("form", FILES, ids=list(FILES))
def test_form_loads_to_the_committed_events(form: str) -> None:
    file = load(FORMATS / FILES[form])
    assert file.workflow_type == "ReportWorkflow"
    assert list(file.history.events) == list(load(ORIGINAL).history.events)
    expected = [NOTES[form]] if form in NOTES else []
    assert all(any(e in note for note in file.normalised.notes) for e in expected)
    assert len(file.normalised.notes) == len(expected), file.normalised.notes


@pytest.fixture(scope="module")
async def verdicts() -> dict[str, ReplayOutcome]:
    paths = [FORMATS / name for name in FILES.values()]
    outcomes = await judge_files(paths, ReplaySettings())
    return dict(zip(FILES, outcomes, strict=True))


@pytest.mark.parametrize("form", FILES, ids=list(FILES))
def test_form_replays(form: str, verdicts: dict[str, ReplayOutcome]) -> None:
    outcome = verdicts[form]
    assert outcome.verdict == "replayed", outcome.message
    assert outcome.message.endswith("replayed: the code issues the commands this history recorded")


def test_the_sdk_alone_misreads_unprefixed_enums() -> None:
    """Why formats.py exists: the SDK turns `WORKFLOW_EXECUTION_STARTED` into 'unspecified',
    and replay would then blame the code."""
    upper = json.loads((FORMATS / FILES["UPPER_CASE enums without prefix"]).read_text())
    events = WorkflowHistory.from_json("x", upper).events
    assert events[0].event_type == 0  # EVENT_TYPE_UNSPECIFIED
    assert normalise(upper).data["events"][0]["eventType"].endswith("WORKFLOW_EXECUTION_STARTED")


def test_the_api_response_shape_loads() -> None:
    """`{"history": {"events": [...]}}`, as GetWorkflowExecutionHistory answers."""
    assert normalise({"history": _cli()}).workflow_type == "ReportWorkflow"


def _problem(data: Any) -> str:
    with pytest.raises(CannotJudge) as caught:
        normalise(data)
    return str(caught.value)


def test_an_unknown_enum_value_names_the_event() -> None:
    history = _cli()
    history["events"][2]["eventType"] = "WorkflowTaskTeleported"
    assert "event 3: eventType is 'WorkflowTaskTeleported', not a EventType" in _problem(history)


def test_missing_or_shuffled_events_are_named() -> None:
    history = _cli()
    del history["events"][4]
    assert "events are out of order or missing: event 6 follows 4" in _problem(history)
    history = _cli()
    history["events"] = history["events"][2:]
    assert "the history is incomplete: it starts at event 3" in _problem(history)


def test_a_reversed_and_truncated_export_says_reverse_order() -> None:
    history = _cli()
    history["events"] = history["events"][::-1][:-2]
    problem = _problem(history)
    assert "events are in reverse order and the history is incomplete" in problem
    assert "in forward order" in problem


def test_shapes_that_are_not_histories() -> None:
    assert "found an empty list" in _problem([])
    assert "with keys ['name']" in _problem({"name": "not-a-history"})
    assert "has none of a HistoryEvent's fields" in _problem([{"colour": "blue"}])


def test_a_decoded_binary_payload_says_why_it_cannot_be_rebuilt() -> None:
    history = _cli()
    payload = history["events"][0]["workflowExecutionStartedEventAttributes"]["input"]
    payload["payloads"] = [{"metadata": {"encoding": "binary/plain"}, "data": "raw text"}]
    problem = _problem(history)
    assert "decoded by the UI download: event 1 has a payload decoded from 'binary/plain'" in (
        problem
    )


def test_a_decoded_memo_value_is_reencoded_as_json() -> None:
    history = _cli()
    started = history["events"][0]["workflowExecutionStartedEventAttributes"]
    started["memo"] = {"fields": {"owner": "team-a"}}
    normalised = normalise(history)
    memo = normalised.data["events"][0]["workflowExecutionStartedEventAttributes"]["memo"]
    assert base64.b64decode(memo["fields"]["owner"]["data"]) == b'"team-a"'
    assert normalised.notes == [REENCODED]


def test_a_broken_gzip_is_named(tmp_path: Path) -> None:
    path = tmp_path / "h.json.gz"
    path.write_bytes(gzip.compress(ORIGINAL.read_bytes())[:200])
    with pytest.raises(CannotJudge, match="gzip'd but cannot be unpacked"):
        load(path)


@pytest.mark.parametrize("form", FILES, ids=list(FILES))
def test_the_fast_parser_agrees_with_protobufs_own(form: str) -> None:
    """proto.py builds events without json_format; it must build exactly the same ones."""
    normalised = load(FORMATS / FILES[form]).normalised
    timed = json.loads(json.dumps(normalised.data))
    times = [
        "2026-01-02T03:04:05.123456789Z",
        "1969-12-31T23:59:59.5Z",
        "2026-01-02T04:04:05+01:00",
    ]
    for i, event in enumerate(timed["events"]):
        event["eventTime"] = times[i % len(times)]
    for data in (normalised.data, timed):
        expected = json_format.ParseDict(data, History(), ignore_unknown_fields=True).events
        assert proto.events(data) == list(expected)
