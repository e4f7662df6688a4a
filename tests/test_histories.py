"""Unit tests for the replay tooling: scrubbing, file errors, the guard's diff, --workflows."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from stormproof.replay.drift import HEADLINE, drift_report
from stormproof.replay.histories import (
    EPOCH,
    history_files,
    load,
    payload_texts,
    scrub,
)
from stormproof.replay.record_cli import main as record_main
from stormproof.replay.replayer import WorkflowsSpecError, load_workflows
from stormproof.replay.scenarios import by_key
from stormproof.replay.verdicts import CannotJudge

JSON_PLAIN = base64.b64encode(b"json/plain").decode()


def _payload(value: object) -> dict[str, object]:
    data = base64.b64encode(json.dumps(value).encode()).decode()
    return {"metadata": {"encoding": JSON_PLAIN}, "data": data}


def _history() -> dict[str, object]:
    return {
        "events": [
            {
                "eventId": "1",
                "eventTime": "2026-01-02T03:04:05.123Z",
                "taskId": "1048613",
                "workflowTaskScheduledEventAttributes": {
                    "taskQueue": {"name": "host-abc123", "kind": "TASK_QUEUE_KIND_STICKY"}
                },
                "workflowTaskCompletedEventAttributes": {
                    "identity": "1234@host",
                    "sdkMetadata": {"coreUsedFlags": [3, 1, 2], "sdkVersion": "1.35.0"},
                },
                "activityTaskCompletedEventAttributes": {
                    "result": {"payloads": [_payload({"pdf_path": "/tmp/rec-x/a.pdf"})]}
                },
                "lastFailure": {"message": "http://127.0.0.1:45475/hooks 503", "stackTrace": "x"},
            }
        ]
    }


def test_scrub_makes_run_specific_values_stable() -> None:
    scrubbed = scrub(_history(), {"/tmp/rec-x": "$WORKDIR"})
    event = scrubbed["events"][0]
    assert event["eventTime"] == EPOCH
    assert event["taskId"] == "0"
    assert event["workflowTaskScheduledEventAttributes"]["taskQueue"]["name"] == "<sticky-queue>"
    meta = event["workflowTaskCompletedEventAttributes"]
    assert meta["identity"] == "<identity>"
    assert meta["sdkMetadata"] == {"coreUsedFlags": [1, 2, 3], "sdkVersion": "<sdk-version>"}
    assert payload_texts(scrubbed) == ['{"pdf_path": "$WORKDIR/a.pdf"}']
    assert event["lastFailure"] == {
        "message": "http://127.0.0.1:<port>/hooks 503",
        "stackTrace": "",
    }
    assert scrub(scrubbed) == scrubbed, "scrubbing must be idempotent"


def test_drift_report_is_empty_for_equal_and_diffs_otherwise() -> None:
    history = scrub(_history())
    assert drift_report({"a.json": history}, {"a.json": history}) == ""
    changed = json.loads(json.dumps(history))
    changed["events"][0]["eventId"] = "2"
    report = drift_report({"a.json": history}, {"a.json": changed})
    assert report.startswith(HEADLINE)
    assert '-      "eventId": "1",' in report and '+      "eventId": "2",' in report, report
    assert "b.json: no committed file yet" in drift_report({}, {"b.json": history})


def test_load_reports_a_truncated_history_by_name(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"events": [{"eventId": "1", "eventType": "EVENT_TYPE_TIMER_FIRED"}]}')
    with pytest.raises(CannotJudge, match=r"cannot judge: not a complete workflow history"):
        load(path)


def test_load_accepts_a_committed_history() -> None:
    file = load(by_key("StoryWorkflow/happy_path").path())
    assert file.workflow_type == "StoryWorkflow"
    assert len(file.history.events) > 5


def test_history_files_rejects_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CannotJudge, match="not a directory"):
        history_files(tmp_path / "missing")


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("stormproof.reference.workflows", "not module:attr"),
        ("no_such_module:X", "cannot import"),
        ("stormproof.reference.workflows:NOPE", "has no 'NOPE'"),
        ("stormproof.reference.models:ReportRequest", "not workflow classes"),
    ],
)
def test_bad_workflows_spec_says_why(spec: str, why: str) -> None:
    with pytest.raises(WorkflowsSpecError, match=why):
        load_workflows(spec)


def test_record_histories_rejects_an_unknown_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert record_main(["--scenario", "ReportWorkflow/nope"]) == 2
    assert "no scenario 'ReportWorkflow/nope'" in capsys.readouterr().err
