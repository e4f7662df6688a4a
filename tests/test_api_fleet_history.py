"""An API submission's attempts in the chaos history, each at its own time (no servers).

The API rows (stormproof/chaos/api_fleet.py) learn a workflow's id only from the answer
that accepts it, so its attempts are written afterwards. Written at that moment, the
start's invoke came after the workflow had completed whenever a start landed and its
answer was cut (the SIGKILL row's retries read 200 for a workflow already done): the
chaos table showed a negative start-to-completion latency (p50 -0.3 s at ab9e27b). The
report's latency counts from the first invoke, when the client asked
(stormproof/report/stats.py), so each attempt is recorded at the time it was sent.
"""

from __future__ import annotations

import time
from pathlib import Path

from stormproof.adapter import Unit, UnitContext
from stormproof.chaos.api_fleet import Answer, Submission, record
from stormproof.chaos.workload import Planned
from stormproof.checker.history import parse
from stormproof.operations import OperationLog
from stormproof.report.stats import compute

WID = "t-story-key-0123"


def _submission(tmp_path: Path, answers: list[Answer]) -> Submission:
    unit = Unit(name="story", workflow_type="Story", build_input=lambda ctx: [{}], effects=[])
    context = UnitContext(
        workflow_id="t-s1", marker="m1", text="m1", task_queue="q", artifact_dir=tmp_path
    )
    item = Planned("t-s1", "story", "m1", "m1", unit, context)
    return Submission(item, key=item.workflow_id, answers=answers)


def _cut_then_duplicate(t: float) -> list[Answer]:
    """The first attempt reached the replica the SIGKILL took (its start landed, its answer
    was cut); the retry, 1.5 s later, read 200 for the workflow already completed."""
    return [
        Answer(0.0, None, None, None, None, "RemoteProtocolError", sent=t, answered=t + 1.0),
        Answer(1.5, 200, "127.0.0.1:2", WID, True, sent=t + 1.5, answered=t + 2.5),
    ]


def test_latency_counts_from_the_first_attempt_not_the_accepting_answer(
    tmp_path: Path,
) -> None:
    t = time.time() - 30  # the submission happened well before it is recorded
    sent = _submission(tmp_path, _cut_then_duplicate(t))
    sent.item.workflow_id = WID  # as submit() does once an answer accepts it
    history = OperationLog(tmp_path / "history.jsonl")
    record(history, sent)
    history.step(WID, "workflow", at=t + 2.0)  # completed before the accepting answer came
    stats = compute(history.ops)
    assert stats.latency.count == 1
    assert stats.latency.p50 == 2.0, "latency from the first attempt to Temporal's completion"
    assert stats.outcomes["start"] == {"ok": 1, "fail": 0, "info": 1}


def test_every_attempt_is_recorded_and_the_accepted_one_is_judged(tmp_path: Path) -> None:
    t = time.time()
    sent = _submission(tmp_path, _cut_then_duplicate(t))
    sent.item.workflow_id = WID
    history = OperationLog(tmp_path / "history.jsonl")
    record(history, sent)
    starts = [(op.type, op.value.get("attempt"), op.time) for op in history.ops]
    assert starts == [
        ("invoke", 1, t),
        ("info", None, t + 1.0),
        ("invoke", 2, t + 1.5),
        ("ok", None, t + 2.5),
    ]
    parsed = parse(history.ops)
    assert parsed.start_ok == {WID}, "the checker owes the accepted workflow its completion"
    assert parsed.started[WID]["unit"] == "story"


def test_a_submission_never_accepted_is_not_owed(tmp_path: Path) -> None:
    t = time.time()
    refused = Answer(0.0, 503, "127.0.0.1:1", None, None, "unavailable", sent=t, answered=t)
    wrong = Answer(0.3, 404, "127.0.0.1:2", None, None, "not found", sent=t + 1, answered=t + 1)
    history = OperationLog(tmp_path / "history.jsonl")
    record(history, _submission(tmp_path, [refused, wrong]))
    assert [op.type for op in history.ops] == ["invoke", "info", "invoke", "fail"]
    assert parse(history.ops).start_ok == set()
