"""The one recorder of a chaos run's operations history (stormproof/operations.py).

One method per kind of operation, each fixing its process and name; the lines on disk keep
the shape a CI artifact re-checked offline (`load`) expects.
"""

from __future__ import annotations

from pathlib import Path

from stormproof.operations import OperationLog, load


def test_history_round_trips_through_its_file(tmp_path: Path) -> None:
    h = OperationLog(tmp_path / "history.jsonl")
    h.start("invoke", "w1", workflow="ReportWorkflow", marker="m-r1", report_id="w1")
    h.start("ok", "w1")
    h.result("ok", "w1", status="completed")
    h.close()
    assert load(h.path) == h.ops


def test_the_recorder_writes_each_kind_of_operation_as_before(tmp_path: Path) -> None:
    """One recorder, one method per kind; the lines on disk keep their shape."""
    h = OperationLog(tmp_path / "kinds.jsonl")
    h.start("invoke", "w1", workflow="StoryWorkflow", unit="story", marker="m", attempt=1)
    h.start("ok", "w1", already_started=True)
    h.result("ok", "w1", value={"status": "completed"})
    h.result("fail", "w1", status="COMPLETED", problem="wrong")
    h.fault("invoke", "link-down", proxy="p")
    h.heal("ok", "link-down")
    h.step("w1", "activity", at=5.0)
    h.phase("drain", started=3, closed=2)
    h.close()
    lines = [(o.process, o.type, o.f, o.workflow_id, o.value) for o in load(h.path)]
    assert lines == [
        ("client", "invoke", "start", "w1", {"workflow": "StoryWorkflow", "unit": "story",
                                             "marker": "m", "attempt": 1}),
        ("client", "ok", "start", "w1", {"already_started": True}),
        ("client", "ok", "result", "w1", {"status": "completed"}),
        ("client", "fail", "result", "w1", {"status": "COMPLETED", "problem": "wrong"}),
        ("nemesis", "invoke", "fault", None, {"fault": "link-down", "proxy": "p"}),
        ("nemesis", "ok", "heal", None, {"fault": "link-down"}),
        ("observer", "ok", "step", "w1", {"kind": "activity"}),
        ("generator", "ok", "phase", None, {"phase": "drain", "started": 3, "closed": 2}),
    ]  # fmt: skip
