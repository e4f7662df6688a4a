"""A unit's declared Updates (Unit.updates): checked when loaded, sent in order with ids of
their own, and judged from the client's history: each check here can fail.

No server: the declaration and its load-time errors, the reference's chat unit, and the
update verdict on histories written by hand (a turn replied, refused, misnumbered, never
answered), which must name `message-lost` first.
"""

from __future__ import annotations

import asyncio
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from stormproof.adapter import CONTRACT, AdapterError, load_adapter, update_id
from stormproof.adapter.updates import sendings
from stormproof.chaos.update_verdict import (
    UpdateVerdict,
    expect_continued,
    expect_in_flight,
    expect_updates,
    judge_updates,
)
from stormproof.diagnosis import BugClass, Finding
from stormproof.operations import OperationLog

UNIT = """
from stormproof.adapter import Adapter, LlmCalls, Unit, UpdateCall, WorkerEnv

ADAPTER = Adapter(
    name="team",
    units=[Unit(name="chat", workflow_type="Chat", build_input=lambda ctx: [],
                effects=[LlmCalls()], updates={updates})],
    env=WorkerEnv(task_queue="Q"),
)
"""


def _load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, updates: str) -> object:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(UNIT.replace("{updates}", updates)))
    monkeypatch.syspath_prepend(str(tmp_path))
    return load_adapter(name)


def test_only_the_first_update_may_go_with_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    updates = '[UpdateCall(name="turn"), UpdateCall(name="close", with_start=True)]'
    with pytest.raises(AdapterError) as caught:
        _load(tmp_path, monkeypatch, "team_late_start", updates)
    said = str(caught.value)
    assert "adapter team_late_start" in said and "with_start is set on ['close']" in said
    assert "fix: only updates[0] may go with the start" in said


def test_an_update_sent_no_times_names_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(AdapterError) as caught:
        _load(tmp_path, monkeypatch, "team_no_times", '[UpdateCall(name="turn", times=0)]')
    assert "times" in str(caught.value) and "greater than or equal to 1" in str(caught.value)


def test_a_declared_session_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    updates = '[UpdateCall(name="turn", times=3, with_start=True), UpdateCall(name="close")]'
    adapter = _load(tmp_path, monkeypatch, "team_session", updates)
    [unit] = adapter.units  # type: ignore[attr-defined]
    assert [(c.name, n) for c, n in sendings(unit.updates)] == [
        ("turn", 1),
        ("turn", 2),
        ("turn", 3),
        ("close", 1),
    ]


def test_the_reference_chat_crosses_continue_as_new() -> None:
    chat = CONTRACT.unit("chat")
    turn, close = chat.updates
    assert turn.with_start and turn.times == 5 and close.name == "close"
    assert update_id("wf-1", "turn", 2) == "wf-1/turn/2"  # the same on every re-send
    ctx = SimpleNamespace(text="[sp-1] hello")
    assert turn.check_reply(ctx, 3, {"turn": 3, "notified": False, "answer": "x"}) is None
    assert "turn 3 answered as" in turn.check_reply(ctx, 3, {"turn": 1, "notified": False})
    assert close.check_reply(ctx, 1, {"turns": 5, "runs": 3}) is None
    assert chat.build_input(ctx) == [{"max_turns_per_run": 2}]  # 5 turns: 3 runs


def _judged(tmp_path: Path, log: OperationLog) -> UpdateVerdict:
    chaos = SimpleNamespace(
        history=log, workload=SimpleNamespace(planned=[]), result=None, tmp=tmp_path
    )
    return asyncio.run(judge_updates(chaos))  # type: ignore[arg-type]


def _send(log: OperationLog, n: int, outcome: str, **fields: object) -> None:
    uid = update_id("wf", "turn", n)
    log.update("invoke", "wf", update="turn", n=n, update_id=uid, attempt=1)
    log.update(outcome, "wf", update_id=uid, **fields)  # type: ignore[arg-type]


def test_every_answered_update_is_valid(tmp_path: Path) -> None:
    log = OperationLog(tmp_path / "h.jsonl")
    _send(log, 1, "ok", reply={"turn": 1})
    _send(log, 2, "info", error="UNAVAILABLE")
    log.update("ok", "wf", update_id=update_id("wf", "turn", 2), reply={"turn": 2})
    verdict = _judged(tmp_path, log)
    expect_updates(verdict)
    assert verdict.counts()["unknown_then_answered"] == 1
    expect_in_flight(verdict, "cut", unknown=True)


@pytest.mark.parametrize(
    ("outcome", "fields", "said"),
    [
        ("info", {"error": "client timeout"}, "never answered"),
        ("fail", {"error": "the session is closed"}, "refused"),
        ("ok", {"reply": {"turn": 1}, "problem": "turn 3 answered as 1"}, "answered, but"),
    ],
)
def test_an_unanswered_refused_or_misnumbered_update_is_message_lost(
    tmp_path: Path, outcome: str, fields: dict[str, object], said: str
) -> None:
    log = OperationLog(tmp_path / "h.jsonl")
    _send(log, 3, outcome, **fields)
    with pytest.raises(Finding) as caught:
        expect_updates(_judged(tmp_path, log))
    assert caught.value.bug is BugClass.MESSAGE_LOST and said in str(caught.value)


def test_no_update_met_by_the_fault_is_fault_missed(tmp_path: Path) -> None:
    log = OperationLog(tmp_path / "h.jsonl")
    _send(log, 1, "ok", reply={"turn": 1})
    with pytest.raises(Finding) as caught:
        expect_in_flight(_judged(tmp_path, log), "temporal-sigkill")
    assert caught.value.bug is BugClass.FAULT_MISSED


@pytest.mark.parametrize(
    ("suggested", "bug", "said"),
    [
        (True, BugClass.LOST_WORKFLOW, "although Temporal suggested continuing"),
        (False, BugClass.FAULT_MISSED, "never suggested to continue by Temporal"),
    ],
)
def test_a_session_that_stayed_in_one_run_is_refused(
    suggested: bool, bug: BugClass, said: str
) -> None:
    verdict = UpdateVerdict(
        sendings=[], runs={"wf-1": 1, "wf-2": 3}, single_run={"wf-1": suggested}
    )
    with pytest.raises(Finding) as caught:
        expect_continued(verdict)
    assert caught.value.bug is bug and said in str(caught.value) and "wf-1" in str(caught.value)


def test_sessions_that_crossed_a_run_pass() -> None:
    """The control of the check above: every session spans runs."""
    verdict = UpdateVerdict(sendings=[], runs={"wf-1": 2, "wf-2": 3})
    expect_continued(verdict)
    assert verdict.counts()["sessions_continued"] == 2


def test_continues_as_new_needs_updates() -> None:
    chat = CONTRACT.unit("chat")
    assert chat.continues_as_new
    story = CONTRACT.unit("story").model_copy(update={"continues_as_new": True})
    with pytest.raises(ValueError, match="say continues_as_new but declare no updates"):
        type(CONTRACT).model_validate(
            {**dict(CONTRACT), "units": [story], "mix": {}, "deployment": None}
        )
