"""The exactly-once checker: a pure function from a history and an effect snapshot to a verdict.

Jepsen's discipline: clients record what they *asked* (invoke) and what they *learned*
(ok, fail, or info when the outcome is unknown); observers record what the world holds
afterwards (LLM calls, rows, deliveries, artifacts, runs per workflow id). The checker
never trusts the worker's own account. What each unit owes comes from the adapter
(stormproof/adapter: the reference's contract, or a team's own), carried in the snapshot,
so the same checker judges any workflow. Per workflow id and per effect it counts:

- lost: accepted but never completed, or completed without an effect it owes;
- duplicated: an effect seen more than once (a second run, row, notification key, file);
- unexpected: an effect carrying this run's tag that no workflow asked for;
- wasted LLM calls: calls beyond the attempts Temporal recorded (every attempt may make
  one call; a worker that retries inside an attempt spends calls Temporal never sees);
- recovery: seconds from each heal to the next completed step after it.

A workflow whose start had an unknown outcome counts as accepted exactly when the server
holds a run for its id: the world decides, not the client's guess.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from stormproof.diagnosis import BugClass
from stormproof.snapshot import (
    EffectObservation,
    LlmObservation,
    Owed,
    Snapshot,
    UnitExpectation,
)

__all__ = [
    "CheckResult",
    "EffectObservation",
    "LlmObservation",
    "Op",
    "Owed",
    "Snapshot",
    "UnitExpectation",
    "WorkflowCheck",
    "check",
]
OpType = Literal["invoke", "ok", "fail", "info"]
Verdict = Literal["valid", "invalid", "unknown"]


class Op(BaseModel):
    """One line of the history: f is start|result|fault|heal|step."""

    model_config = ConfigDict(extra="forbid")

    index: int
    time: float = Field(description="wall clock, seconds since the epoch")
    process: str
    type: OpType
    f: str
    workflow_id: str | None = None
    value: dict[str, Any] = Field(default_factory=dict)


class WorkflowCheck(BaseModel):
    workflow_id: str
    workflow: str
    accepted: bool
    outcome: Literal["completed", "failed", "open"]
    effects: dict[str, int] = Field(default_factory=dict, description="seen, per effect kind")
    llm_attempts: int = 0
    problems: list[str] = Field(default_factory=list)


class CheckResult(BaseModel):
    verdict: Verdict
    workflows: int
    accepted: int
    completed: int
    failed: int
    faults_injected: int
    lost: dict[str, int]
    duplicated: dict[str, int]
    unexpected: dict[str, int]
    wasted_llm_calls: int
    recovery_seconds: list[float]
    anomalies: list[str]
    per_workflow: list[WorkflowCheck] = Field(default_factory=list)

    @property
    def lost_total(self) -> int:
        return sum(self.lost.values())

    @property
    def duplicated_total(self) -> int:
        return sum(self.duplicated.values())

    @property
    def diagnoses(self) -> list[str]:
        """The bug classes this verdict found (stormproof/diagnosis.py), worst first."""
        found = [
            (BugClass.LOST_WORKFLOW, self.lost.get("runs", 0) + self.failed),
            (BugClass.LOST_EFFECT, self.lost_total - self.lost.get("runs", 0)),
            (BugClass.DUPLICATE_EFFECT, self.duplicated_total),
            (BugClass.UNEXPECTED_EFFECT, sum(self.unexpected.values())),
            (BugClass.WASTED_LLM_CALL, self.wasted_llm_calls),
        ]
        return [bug.value for bug, count in found if count]

    @property
    def recovery_p50(self) -> float | None:
        return statistics.median(self.recovery_seconds) if self.recovery_seconds else None

    def summary(self) -> str:
        return (
            f"verdict={self.verdict} workflows={self.workflows} completed={self.completed} "
            f"failed={self.failed} lost={self.lost} duplicated={self.duplicated} "
            f"unexpected={self.unexpected} wasted_llm_calls={self.wasted_llm_calls} "
            f"recovery={self.recovery_seconds}\n  " + "\n  ".join(self.anomalies[:40])
        )


def _instances(found: list[EffectObservation]) -> int:
    """Distinct effects: one per idempotency key, one per observation without a key."""
    keyed = {o.key for o in found if o.key is not None}
    return len(keyed) + sum(1 for o in found if o.key is None)


def check(history: list[Op], snapshot: Snapshot) -> CheckResult:
    """Judge one run. Pure: the same history and snapshot always give the same result."""
    started: dict[str, dict[str, Any]] = {}
    start_ok: set[str] = set()
    results: dict[str, Op] = {}
    heals: list[float] = []
    steps: list[float] = []
    faults = 0
    for op in history:
        wid = op.workflow_id
        if op.f == "start" and wid is not None:
            if op.type == "invoke":
                started.setdefault(wid, op.value)
            elif op.type == "ok":
                start_ok.add(wid)
        elif op.f == "result" and wid is not None and op.type != "invoke":
            if wid not in results or results[wid].type != "ok":
                results[wid] = op
        elif op.f == "fault" and op.type == "ok":
            faults += 1
        elif op.f == "heal" and op.type == "ok":
            heals.append(op.time)
        elif op.f == "step" and op.type == "ok":
            steps.append(op.time)

    names = {"runs", "llm_calls", *snapshot.effects}
    names.update(o.effect for u in snapshot.units.values() for o in u.owes)
    lost: Counter[str] = Counter(dict.fromkeys(names, 0))
    duplicated: Counter[str] = Counter(dict.fromkeys(names, 0))
    unexpected: Counter[str] = Counter(dict.fromkeys(names, 0))
    anomalies: list[str] = []
    unknown = snapshot.llm_calls is None
    if unknown:
        anomalies.append("llm_calls: the observer could not read this effect")
    for name, found in snapshot.effects.items():
        if found is None:
            unknown = True
            anomalies.append(f"{name}: the observer could not read this effect")

    markers = {v.get("marker"): wid for wid, v in started.items() if v.get("marker")}
    calls_by_wid: Counter[str] = Counter()
    for call in snapshot.llm_calls or []:
        if call.marker in markers:
            calls_by_wid[markers[call.marker]] += 1
        elif call.prompt_tagged:
            unexpected["llm_calls"] += 1
            anomalies.append(f"llm call for marker {call.marker} that no workflow asked for")
    owned: dict[tuple[str, str], list[EffectObservation]] = defaultdict(list)
    for name, found in snapshot.effects.items():
        for obs in found or []:
            if obs.owner in started:
                owned[(name, obs.owner)].append(obs)
            else:
                unexpected[name] += 1
                anomalies.append(f"{name}: {obs.what or obs.owner} that no workflow asked for")
    for wid in snapshot.runs:
        if wid.startswith(snapshot.tag) and wid not in started:
            unexpected["runs"] += len(snapshot.runs[wid])
            anomalies.append(f"run of {wid} that the workload never started")

    by_type = {u.workflow_type: u for u in snapshot.units.values()}
    checks: list[WorkflowCheck] = []
    wasted = 0
    for wid, meta in started.items():
        kind = str(meta.get("workflow", "?"))
        unit = snapshot.units.get(str(meta.get("unit"))) or by_type.get(kind)
        runs = snapshot.runs.get(wid, [])
        accepted = wid in start_ok or bool(runs)
        result = results.get(wid)
        outcome = "open" if result is None or result.type == "info" else result.type
        outcome = {"ok": "completed", "fail": "failed"}.get(outcome, outcome)
        check_ = WorkflowCheck(workflow_id=wid, workflow=kind, accepted=accepted, outcome=outcome)
        checks.append(check_)
        if not accepted:
            continue
        if len(runs) > 1:
            duplicated["runs"] += len(runs) - 1
            check_.problems.append(f"{len(runs)} runs for one workflow id")
        if outcome == "open":
            lost["runs"] += 1
            check_.problems.append("accepted but never completed")
        if result is not None and result.type == "fail" and result.value.get("problem"):
            check_.problems.append(f"wrong result: {result.value['problem']}")
        calls = calls_by_wid[wid]
        attempts = snapshot.attempts.get(wid, {})
        llm_activities = set(unit.llm_activities) if unit else set()
        allowed = sum(n for name, n in attempts.items() if name in llm_activities) or sum(
            attempts.values()
        )
        check_.llm_attempts = allowed
        check_.effects = {"runs": len(runs), "llm_calls": calls}
        if calls > allowed and attempts:
            wasted += calls - allowed
            check_.problems.append(f"{calls} LLM calls for {allowed} recorded attempts")
        if outcome != "completed" or unit is None:
            continue
        value = result.value.get("value", result.value) if result else {}
        if calls < unit.llm_at_least and snapshot.llm_calls is not None:
            lost["llm_calls"] += 1
            check_.problems.append(f"completed with {calls} LLM calls, {unit.llm_at_least} owed")
        for owed in unit.owes:
            if any(value.get(k, v) != v for k, v in owed.only_if_result.items()):
                continue
            seen = _instances(owned.get((owed.effect, wid), []))
            check_.effects[owed.effect] = check_.effects.get(owed.effect, 0) + seen
            if snapshot.effects.get(owed.effect) is not None:
                _count(seen, owed.per_unit, owed.effect, lost, duplicated, check_)

    for c in checks:
        anomalies.extend(f"{c.workflow_id} ({c.workflow}): {p}" for p in c.problems)
    failed = sum(1 for c in checks if c.accepted and c.outcome == "failed")
    recovery = _recovery(heals, steps)
    bad = sum(lost.values()) + sum(duplicated.values()) + sum(unexpected.values()) + failed
    verdict: Verdict = "invalid" if bad or wasted else ("unknown" if unknown else "valid")
    return CheckResult(
        verdict=verdict,
        workflows=len(started),
        accepted=sum(1 for c in checks if c.accepted),
        completed=sum(1 for c in checks if c.outcome == "completed"),
        failed=failed,
        faults_injected=faults,
        lost=dict(lost),
        duplicated=dict(duplicated),
        unexpected=dict(unexpected),
        wasted_llm_calls=wasted,
        recovery_seconds=recovery,
        anomalies=anomalies,
        per_workflow=checks,
    )


def _count(
    seen: int,
    owed: int,
    kind: str,
    lost: Counter[str],
    duplicated: Counter[str],
    check_: WorkflowCheck,
) -> None:
    if seen < owed:
        lost[kind] += owed - seen
        check_.problems.append(f"completed with {seen} {kind} where {owed} are owed")
    elif seen > owed:
        duplicated[kind] += seen - owed
        check_.problems.append(f"{seen} {kind} where exactly {owed} owed")


def _recovery(heals: list[float], steps: list[float]) -> list[float]:
    """Seconds from each heal to the first step completed at or after it."""
    ordered = sorted(steps)
    out: list[float] = []
    for heal in heals:
        after = next((s for s in ordered if s >= heal), None)
        if after is not None:
            out.append(round(after - heal, 3))
    return out
