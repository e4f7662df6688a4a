"""STORMPROOF_LOG_FORMAT=json: one JSON object per line, with the workflow and run ids the
SDK's loggers attach, and the text format unchanged when the variable is unset."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from stormproof.reference import logs


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:], root.level = handlers, level


def record(**extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("stormproof.worker", logging.WARNING, __file__, 1, "a %s", ("b",), None)
    for key, value in extra.items():
        setattr(rec, key, value)
    return rec


def test_one_object_per_line_with_the_fields() -> None:
    line = logs.JsonFormatter().format(record())
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "WARNING" and entry["logger"] == "stormproof.worker"
    assert entry["message"] == "a b" and entry["time"].endswith("+00:00")
    assert "workflow_id" not in entry  # not known outside a workflow


def test_activity_and_workflow_lines_carry_their_ids() -> None:
    fmt = logs.JsonFormatter()
    activity = {"workflow_id": "report-1", "workflow_run_id": "run-9", "activity_type": "x"}
    entry = json.loads(fmt.format(record(temporal_activity=activity)))
    assert (entry["workflow_id"], entry["run_id"]) == ("report-1", "run-9")
    workflow = {"workflow_id": "story-2", "run_id": "run-3"}
    entry = json.loads(fmt.format(record(temporal_workflow=workflow)))
    assert (entry["workflow_id"], entry["run_id"]) == ("story-2", "run-3")


def test_a_traceback_stays_inside_the_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        rec = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = logs.JsonFormatter().format(rec)
    assert "\n" not in line and "ValueError: boom" in json.loads(line)["exception"]


@pytest.mark.usefixtures("restore_root")
@pytest.mark.parametrize(("value", "chosen"), [("json", "json"), ("JSON ", "json"), ("", "text")])
def test_configure_chooses_the_format(value: str, chosen: str) -> None:
    assert logs.configure({logs.FORMAT_VARIABLE: value}) == chosen
    handler = logging.getLogger().handlers[0]
    stream = io.StringIO()
    handler.setStream(stream)  # type: ignore[attr-defined]
    logging.getLogger("stormproof.test").warning("hello")
    out = stream.getvalue().strip()
    assert (json.loads(out)["message"] == "hello") if chosen == "json" else out.endswith("hello")
