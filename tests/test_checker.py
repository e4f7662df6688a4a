"""The checker on hand-written histories: each test names the broken worker it would catch.

What each unit owes comes from the reference's adapter, as in a chaos run; the last tests
judge a team-shaped adapter (service calls, no idempotency key) through the same checker.
"""

from __future__ import annotations

from pathlib import Path

from stormproof.adapter import expectations, load_adapter
from stormproof.checker import (
    EffectObservation,
    LlmObservation,
    Owed,
    Snapshot,
    UnitExpectation,
    check,
)
from stormproof.diagnosis import BugClass
from stormproof.operations import OperationLog

TAG = "chaos-t1"
UNITS = expectations(load_adapter())


def _obs(owners: list[str] | None, key: str | None = None) -> list[EffectObservation] | None:
    return None if owners is None else [EffectObservation(owner=o, key=key) for o in owners]


def _delivery(owner: str, key: str | None) -> EffectObservation:
    return EffectObservation(owner=owner, key=key)


def _report(h: OperationLog, wid: str, marker: str, *, result: str | None = "ok") -> None:
    h.start("invoke", wid, workflow="ReportWorkflow", marker=marker, report_id=wid)
    h.start("ok", wid)
    h.result("invoke", wid)
    if result is not None:
        h.result(result, wid, status="completed")  # type: ignore[arg-type]


def _story(h: OperationLog, wid: str, marker: str) -> None:
    h.start("invoke", wid, workflow="StoryWorkflow", marker=marker)
    h.start("ok", wid)
    h.result("invoke", wid)
    h.result("ok", wid)


def _world(**overrides: object) -> Snapshot:
    effects = {
        "rows": _obs([f"{TAG}-r1"]),
        "deliveries": [_delivery(f"{TAG}-r1", "k1")],
        "artifacts": _obs([f"{TAG}-r1", f"{TAG}-s1"]),
    }
    for name in ("rows", "deliveries", "artifacts"):
        if name in overrides:
            effects[name] = overrides.pop(name)  # type: ignore[assignment]
    base: dict[str, object] = {
        "tag": TAG,
        "units": UNITS,
        "effects": effects,
        "runs": {f"{TAG}-r1": ["run-a"], f"{TAG}-s1": ["run-b"]},
        "attempts": {
            f"{TAG}-r1": {"llm_call": 1, "create_pdf": 1},
            f"{TAG}-s1": {"llm_call": 1},
        },
        "llm_calls": [LlmObservation(marker="m-r1", status=200), LlmObservation(marker="m-s1")],
    }
    base.update(overrides)
    return Snapshot(**base)  # type: ignore[arg-type]


def _history(tmp_path: Path) -> OperationLog:
    h = OperationLog(tmp_path / "history.jsonl")
    _report(h, f"{TAG}-r1", "m-r1")
    _story(h, f"{TAG}-s1", "m-s1")
    return h


def test_clean_run_is_valid(tmp_path: Path) -> None:
    result = check(_history(tmp_path).ops, _world())
    assert result.verdict == "valid", result.summary()
    assert result.completed == 2 and result.lost_total == 0 and result.duplicated_total == 0
    report = next(c for c in result.per_workflow if c.workflow_id == f"{TAG}-r1")
    assert report.effects == {
        "runs": 1,
        "llm_calls": 1,
        "artifacts": 1,
        "rows": 1,
        "deliveries": 1,
    }


def test_redelivery_with_same_key_is_not_a_duplicate(tmp_path: Path) -> None:
    """The contract counts a redelivery with the same Idempotency-Key, it does not fail it."""
    deliveries = [_delivery(f"{TAG}-r1", "k1")] * 3
    assert check(_history(tmp_path).ops, _world(deliveries=deliveries)).verdict == "valid"


def test_non_idempotent_notify_is_duplicated(tmp_path: Path) -> None:
    """Catches a worker that mints a new Idempotency-Key per attempt."""
    deliveries = [
        _delivery(f"{TAG}-r1", "k1"),
        _delivery(f"{TAG}-r1", "k2"),
    ]
    result = check(_history(tmp_path).ops, _world(deliveries=deliveries))
    assert result.verdict == "invalid"
    assert result.duplicated["deliveries"] == 1


def test_non_idempotent_insert_is_duplicated(tmp_path: Path) -> None:
    """Catches a worker that INSERTs a metadata row on every attempt."""
    result = check(_history(tmp_path).ops, _world(rows=_obs([f"{TAG}-r1", f"{TAG}-r1"])))
    assert result.duplicated["rows"] == 1 and result.verdict == "invalid"


def test_second_run_for_one_id_is_duplicated(tmp_path: Path) -> None:
    """Catches a client retry of an unknown-outcome start that allowed a duplicate id."""
    runs = {f"{TAG}-r1": ["run-a", "run-c"], f"{TAG}-s1": ["run-b"]}
    assert check(_history(tmp_path).ops, _world(runs=runs)).duplicated["runs"] == 1


def test_accepted_but_never_completed_is_lost(tmp_path: Path) -> None:
    """Catches a worker that drops a workflow after a crash (it stays open forever)."""
    h = OperationLog(tmp_path / "h.jsonl")
    _report(h, f"{TAG}-r1", "m-r1", result="info")
    result = check(h.ops, _world(runs={f"{TAG}-r1": ["run-a"]}))
    assert result.lost["runs"] == 1 and result.verdict == "invalid"


def test_completed_without_row_or_delivery_loses_effects(tmp_path: Path) -> None:
    """Catches a worker that reports success before its side effects are durable."""
    result = check(_history(tmp_path).ops, _world(rows=[], deliveries=[]))
    assert result.lost["rows"] == 1 and result.lost["deliveries"] == 1


def test_unknown_start_counts_only_when_the_server_has_a_run(tmp_path: Path) -> None:
    h = _history(tmp_path)
    h.start("invoke", f"{TAG}-r2", workflow="ReportWorkflow", marker="m-r2")
    h.start("info", f"{TAG}-r2", error="deadline exceeded")
    assert check(h.ops, _world()).verdict == "valid"  # never reached the server: not lost
    runs = {f"{TAG}-r1": ["a"], f"{TAG}-s1": ["b"], f"{TAG}-r2": ["c"]}
    result = check(h.ops, _world(runs=runs))
    assert result.lost["runs"] == 1  # it did reach the server and nobody saw it finish


def test_llm_calls_beyond_attempts_are_wasted(tmp_path: Path) -> None:
    """Catches SDK-level retries: three HTTP calls inside one Temporal attempt."""
    calls = [LlmObservation(marker="m-r1", status=500)] * 2 + [
        LlmObservation(marker="m-r1", status=200),
        LlmObservation(marker="m-s1", status=200),
    ]
    result = check(_history(tmp_path).ops, _world(llm_calls=calls))
    assert result.wasted_llm_calls == 2 and result.verdict == "invalid"
    attempts = {f"{TAG}-r1": {"llm_call": 3}, f"{TAG}-s1": {"llm_call": 1}}
    assert check(_history(tmp_path).ops, _world(llm_calls=calls, attempts=attempts)).verdict == (
        "valid"
    )


def test_effects_nobody_asked_for_are_unexpected(tmp_path: Path) -> None:
    """Catches a worker that acts on a workflow id it invented (or a stale replay)."""
    result = check(
        _history(tmp_path).ops,
        _world(
            rows=_obs([f"{TAG}-r1", f"{TAG}-zz"]),
            llm_calls=[
                LlmObservation(marker="m-r1"),
                LlmObservation(marker="m-s1"),
                LlmObservation(marker="m-x", prompt_tagged=True),
            ],
        ),
    )
    assert result.unexpected["rows"] == 1 and result.unexpected["llm_calls"] == 1


def test_unreadable_effect_makes_the_verdict_unknown(tmp_path: Path) -> None:
    assert check(_history(tmp_path).ops, _world(rows=None)).verdict == "unknown"


def test_recovery_is_heal_to_next_step(tmp_path: Path) -> None:
    h = _history(tmp_path)
    h.fault("ok", "link", at=100.0)
    h.heal("ok", at=110.0)
    for t in (105.0, 113.5, 120.0):
        h.step(f"{TAG}-r1", "activity", at=t)
    result = check(h.ops, _world())
    assert result.recovery_seconds == [3.5] and result.faults_injected == 1


def _team_world(calls: list[EffectObservation]) -> Snapshot:
    """What a team's routing unit owes (examples/routing): two LLM calls and one agent call."""
    units = {
        "routing": UnitExpectation(
            workflow_type="RoutingWorkflow",
            llm_at_least=2,
            llm_activities=["classify", "call_agent"],
            owes=[Owed(effect="agent_calls")],
        )
    }
    return Snapshot(
        tag=TAG,
        units=units,
        runs={f"{TAG}-r1": ["run-a"]},
        attempts={f"{TAG}-r1": {"classify": 1, "call_agent": 2}},
        llm_calls=[LlmObservation(marker="m-r1", status=200)] * 2,
        effects={"agent_calls": calls},
    )


def _routing(tmp_path: Path) -> OperationLog:
    h = OperationLog(tmp_path / "team.jsonl")
    h.start("invoke", f"{TAG}-r1", workflow="RoutingWorkflow", unit="routing", marker="m-r1")
    h.start("ok", f"{TAG}-r1")
    h.result("ok", f"{TAG}-r1", value={"result": "[routed to HR] ..."})
    return h


def test_team_agent_call_retried_with_its_key_is_one_effect(tmp_path: Path) -> None:
    calls = [EffectObservation(owner=f"{TAG}-r1", key="k")] * 2
    assert check(_routing(tmp_path).ops, _team_world(calls)).verdict == "valid"


def test_team_agent_called_twice_without_a_key_is_duplicated(tmp_path: Path) -> None:
    """Catches examples/routing/broken/no_idempotency.py: a retry calls the agent again."""
    calls = [EffectObservation(owner=f"{TAG}-r1")] * 2
    result = check(_routing(tmp_path).ops, _team_world(calls))
    assert result.duplicated["agent_calls"] == 1 and result.verdict == "invalid"


def test_team_agent_never_called_is_lost(tmp_path: Path) -> None:
    result = check(_routing(tmp_path).ops, _team_world([]))
    assert result.lost["agent_calls"] == 1 and "lost-effect" in result.diagnoses


def test_wrong_result_fails_the_workflow(tmp_path: Path) -> None:
    h = OperationLog(tmp_path / "wrong.jsonl")
    h.start("invoke", f"{TAG}-r1", workflow="RoutingWorkflow", unit="routing", marker="m-r1")
    h.start("ok", f"{TAG}-r1")
    h.result("fail", f"{TAG}-r1", status="COMPLETED", problem="routed to FAQ")
    calls = [EffectObservation(owner=f"{TAG}-r1", key="k")]
    result = check(h.ops, _team_world(calls))
    assert result.failed == 1 and result.diagnoses == [BugClass.LOST_WORKFLOW]
    (anomaly,) = result.anomalies
    assert (anomaly.workflow_id, anomaly.effect) == (f"{TAG}-r1", None)
    assert anomaly.detail.endswith("wrong result: routed to FAQ")


def test_every_anomaly_carries_its_class_and_the_counters_add_up(tmp_path: Path) -> None:
    """The verdict's classes and the report's counters are read from the typed anomalies."""
    h = _history(tmp_path)
    h.start("invoke", f"{TAG}-r2", workflow="ReportWorkflow", marker="m-r2")
    h.start("ok", f"{TAG}-r2")
    calls = [LlmObservation(marker="m-r1", status=500)] * 2 + [
        LlmObservation(marker="m-r1", status=200),
        LlmObservation(marker="m-s1", status=200),
        LlmObservation(marker="m-x", prompt_tagged=True),
    ]
    runs = {f"{TAG}-r1": ["a", "b"], f"{TAG}-s1": ["c"], f"{TAG}-r2": ["d"]}
    result = check(h.ops, _world(rows=[], llm_calls=calls, runs=runs))
    found = {(a.bug, a.workflow_id, a.effect, a.count) for a in result.anomalies}
    assert found == {
        (BugClass.UNEXPECTED_EFFECT, None, "llm_calls", 1),
        (BugClass.LOST_WORKFLOW, f"{TAG}-r2", "runs", 1),
        (BugClass.LOST_EFFECT, f"{TAG}-r1", "rows", 1),
        (BugClass.DUPLICATE_EFFECT, f"{TAG}-r1", "runs", 1),
        (BugClass.WASTED_LLM_CALL, f"{TAG}-r1", "llm_calls", 2),
    }
    assert result.diagnoses == [
        BugClass.LOST_WORKFLOW,
        BugClass.LOST_EFFECT,
        BugClass.DUPLICATE_EFFECT,
        BugClass.UNEXPECTED_EFFECT,
        BugClass.WASTED_LLM_CALL,
    ]
    assert (result.lost["runs"], result.lost["rows"], result.duplicated["runs"]) == (1, 1, 1)
    assert result.unexpected["llm_calls"] == 1 and result.wasted_llm_calls == 2
    report = next(c for c in result.per_workflow if c.workflow_id == f"{TAG}-r1")
    assert len(report.problems) == 3 and all(p.startswith(f"{TAG}-r1 (") for p in report.problems)


def test_an_unreadable_effect_is_not_an_anomaly(tmp_path: Path) -> None:
    result = check(_history(tmp_path).ops, _world(rows=None, llm_calls=None))
    assert result.anomalies == [] and sorted(result.unreadable) == ["llm_calls", "rows"]
    assert "rows: the observer could not read this effect" in result.summary()
