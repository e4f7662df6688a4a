"""The exactly-once checker: a pure function from a history and an effect snapshot to a verdict.

Jepsen's discipline: clients record what they *asked* (invoke) and what they *learned*
(ok, fail, or info when the outcome is unknown); observers record what the world holds
afterwards (LLM calls, rows, deliveries, artifacts, runs per workflow id). The checker
never trusts the worker's own account. Per workflow id and per effect kind it counts:

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

OpType = Literal["invoke", "ok", "fail", "info"]
Verdict = Literal["valid", "invalid", "unknown"]
EFFECT_KINDS = ("runs", "llm_calls", "rows", "deliveries", "artifacts")
LLM_ACTIVITIES = frozenset({"llm_call"})


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


class LlmObservation(BaseModel):
    marker: str | None
    status: int | None = None
    prompt_tagged: bool = Field(False, description="the prompt carries this run's tag")


class DeliveryObservation(BaseModel):
    """One accepted notification the sink saw (fixtures/sink.py's Delivery is the raw one)."""

    report_id: str
    key: str | None


class Snapshot(BaseModel):
    """What the world holds after the run; None for a kind the observer could not read."""

    tag: str = Field(description="prefix of every workflow id and prompt of this run")
    runs: dict[str, list[str]] = Field(default_factory=dict)
    attempts: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="workflow id -> activity type -> attempts (stormproof/effects/attempts.py)",
    )
    llm_calls: list[LlmObservation] | None = None
    rows: list[str] | None = Field(None, description="report_id of every metadata row")
    deliveries: list[DeliveryObservation] | None = None
    artifacts: list[str] | None = Field(None, description="'stories/<id>.md' and the like")


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


def _stem(path: str) -> tuple[str, str]:
    folder, _, name = path.rpartition("/")
    return folder, name.rsplit(".", 1)[0]


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
                started.setdefault(wid, dict(op.value))
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

    lost: Counter[str] = Counter({kind: 0 for kind in EFFECT_KINDS})
    duplicated: Counter[str] = Counter({kind: 0 for kind in EFFECT_KINDS})
    unexpected: Counter[str] = Counter({kind: 0 for kind in EFFECT_KINDS})
    anomalies: list[str] = []
    unknown = False
    for kind in ("llm_calls", "rows", "deliveries", "artifacts"):
        if getattr(snapshot, kind) is None:
            unknown = True
            anomalies.append(f"{kind}: the observer could not read this effect")

    markers = {v.get("marker"): wid for wid, v in started.items() if v.get("marker")}
    calls_by_wid: Counter[str] = Counter()
    for call in snapshot.llm_calls or []:
        if call.marker in markers:
            calls_by_wid[markers[call.marker]] += 1
        elif call.prompt_tagged:
            unexpected["llm_calls"] += 1
            anomalies.append(f"llm call for marker {call.marker} that no workflow asked for")
    report_ids = {v.get("report_id") or wid: wid for wid, v in started.items()}
    rows = Counter(snapshot.rows or [])
    keys: dict[str, set[str | None]] = defaultdict(set)
    for delivery in snapshot.deliveries or []:
        keys[delivery.report_id].add(delivery.key)
    files: Counter[tuple[str, str]] = Counter(_stem(p) for p in snapshot.artifacts or [])
    for rid in rows:
        if rid not in report_ids:
            unexpected["rows"] += rows[rid]
            anomalies.append(f"row for report {rid} that no workflow asked for")
    for rid in keys:
        if rid not in report_ids:
            unexpected["deliveries"] += len(keys[rid])
            anomalies.append(f"notification for report {rid} that no workflow asked for")
    for folder, stem in files:
        owner = stem if folder == "stories" else report_ids.get(stem)
        if owner not in started:
            unexpected["artifacts"] += 1
            anomalies.append(f"artifact {folder}/{stem} that no workflow asked for")
    for wid in snapshot.runs:
        if wid.startswith(snapshot.tag) and wid not in started:
            unexpected["runs"] += len(snapshot.runs[wid])
            anomalies.append(f"run of {wid} that the workload never started")

    checks: list[WorkflowCheck] = []
    wasted = 0
    for wid, meta in started.items():
        kind = str(meta.get("workflow", "?"))
        runs = snapshot.runs.get(wid, [])
        accepted = wid in start_ok or bool(runs)
        result = results.get(wid)
        outcome = "open" if result is None or result.type == "info" else result.type
        outcome = "completed" if outcome == "ok" else outcome
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
        calls = calls_by_wid[wid]
        attempts = snapshot.attempts.get(wid, {})
        allowed = sum(n for name, n in attempts.items() if name in LLM_ACTIVITIES) or sum(
            attempts.values()
        )
        check_.llm_attempts = allowed
        check_.effects = {"runs": len(runs), "llm_calls": calls}
        if calls > allowed and attempts:
            wasted += calls - allowed
            check_.problems.append(f"{calls} LLM calls for {allowed} recorded attempts")
        if outcome != "completed":
            continue
        value = result.value if result else {}
        if calls == 0 and snapshot.llm_calls is not None:
            lost["llm_calls"] += 1
            check_.problems.append("completed without any LLM call")
        owed: dict[str, int] = {}
        if kind == "StoryWorkflow":
            owed["artifacts"] = files[("stories", wid)]
        elif kind == "ReportWorkflow" and value.get("status", "completed") == "completed":
            rid = str(meta.get("report_id") or wid)
            owed["artifacts"] = files[("reports", rid)]
            owed["rows"] = rows[rid]
            owed["deliveries"] = len(keys.get(rid, ()))
        check_.effects.update(owed)
        for effect, seen in owed.items():
            if getattr(snapshot, effect) is not None:
                _count(seen, effect, lost, duplicated, check_)

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
    seen: int, kind: str, lost: Counter[str], duplicated: Counter[str], check_: WorkflowCheck
) -> None:
    if seen == 0:
        lost[kind] += 1
        check_.problems.append(f"completed without its {kind[:-1]}")
    elif seen > 1:
        duplicated[kind] += seen - 1
        check_.problems.append(f"{seen} {kind} where exactly one is owed")


def _recovery(heals: list[float], steps: list[float]) -> list[float]:
    """Seconds from each heal to the first step completed at or after it."""
    ordered = sorted(steps)
    out: list[float] = []
    for heal in heals:
        after = next((s for s in ordered if s >= heal), None)
        if after is not None:
            out.append(round(after - heal, 3))
    return out
