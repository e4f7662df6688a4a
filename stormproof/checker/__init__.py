"""The exactly-once checker: a pure function from a history and an effect snapshot to a verdict.

Jepsen's discipline: clients record what they *asked* (invoke) and what they *learned*
(ok, fail, or info when the outcome is unknown); observers record what the world holds
afterwards (LLM calls, rows, deliveries, artifacts, runs per workflow id). The checker
never trusts the worker's own account. What each unit owes comes from the adapter
(stormproof/adapter: the reference's contract, or a team's own), carried in the snapshot,
so the same checker judges any workflow.

`check` composes small checkers (checker/checks.py: lost, duplicated, unexpected, wasted
LLM calls, recovery), each returning typed `Anomaly` records that carry their `BugClass`;
the verdict and the per-effect counters of the report are read from those records
(checker/result.py). The history's format is in checker/history.py.
"""

from __future__ import annotations

from stormproof.checker import checks
from stormproof.checker.history import Op, OpType, parse
from stormproof.checker.result import Anomaly, CheckResult, Verdict, WorkflowCheck, tally
from stormproof.diagnosis import BugClass
from stormproof.snapshot import (
    EffectObservation,
    LlmObservation,
    Owed,
    Snapshot,
    UnitExpectation,
)

__all__ = [
    "Anomaly",
    "CheckResult",
    "EffectObservation",
    "LlmObservation",
    "Op",
    "OpType",
    "Owed",
    "Snapshot",
    "UnitExpectation",
    "WorkflowCheck",
    "check",
]


def check(history: list[Op], snapshot: Snapshot) -> CheckResult:
    """Judge one run. Pure: the same history and snapshot always give the same result."""
    parsed = parse(history)
    seen = checks.observe(parsed, snapshot)
    anomalies = [
        *checks.unexpected(parsed, snapshot),
        *checks.lost(seen, snapshot),
        *checks.duplicated(seen, snapshot),
        *checks.wasted_llm_calls(seen),
    ]
    unreadable = ["llm_calls"] if snapshot.llm_calls is None else []
    unreadable += [name for name, found in snapshot.effects.items() if found is None]
    names = {"runs", "llm_calls", *snapshot.effects}
    names.update(o.effect for u in snapshot.units.values() for o in u.owes)
    lost = {BugClass.LOST_WORKFLOW, BugClass.LOST_EFFECT}
    problems: dict[str | None, list[str]] = {}
    for a in anomalies:
        problems.setdefault(a.workflow_id, []).append(a.detail)
    verdict: Verdict = "invalid" if anomalies else ("unknown" if unreadable else "valid")
    return CheckResult(
        verdict=verdict,
        workflows=len(seen),
        accepted=sum(1 for w in seen if w.accepted),
        completed=sum(1 for w in seen if w.outcome == "completed"),
        failed=sum(1 for w in seen if w.accepted and w.outcome == "failed"),
        faults_injected=parsed.faults,
        lost=tally(anomalies, lost, names),
        duplicated=tally(anomalies, {BugClass.DUPLICATE_EFFECT}, names),
        unexpected=tally(anomalies, {BugClass.UNEXPECTED_EFFECT}, names),
        wasted_llm_calls=sum(a.count for a in anomalies if a.bug is BugClass.WASTED_LLM_CALL),
        recovery_seconds=checks.recovery(parsed),
        anomalies=anomalies,
        unreadable=unreadable,
        per_workflow=[_per_workflow(w, problems.get(w.workflow_id, [])) for w in seen],
    )


def _per_workflow(w: checks.Seen, problems: list[str]) -> WorkflowCheck:
    """One workflow's line in the JSON: what was seen of it, and its anomalies' text."""
    effects: dict[str, int] = {}
    if w.accepted:
        effects = {"runs": w.runs, "llm_calls": w.llm_calls}
        for owes, n in w.owed:
            effects[owes.effect] = effects.get(owes.effect, 0) + n
    return WorkflowCheck(
        workflow_id=w.workflow_id,
        workflow=w.workflow,
        accepted=w.accepted,
        outcome=w.outcome,
        effects=effects,
        llm_attempts=w.llm_attempts,
        problems=problems,
    )
