"""The small checkers: each reads the parsed history and the snapshot and returns anomalies.

`observe` first puts the two side by side, one `Seen` per workflow the history started
(accepted or not, how it ended, its LLM calls and the effects it owns); each checker then
asks one question of that view:

- `lost`: accepted but never completed, ended failed or with a wrong result, or completed
  without an effect it owes (its LLM calls included);
- `duplicated`: an effect seen more than once (a second run, row, notification key, file);
- `unexpected`: an effect carrying this run's tag that no workflow asked for;
- `wasted_llm_calls`: calls beyond the attempts Temporal recorded (every attempt may make
  one call; a worker that retries inside an attempt spends calls Temporal never sees);
- `recovery`: seconds from each heal to the next completed step (figures, not anomalies).

A workflow whose start had an unknown outcome counts as accepted exactly when the server
holds a run for its id: the world decides, not the client's guess.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Literal

from stormproof.checker.history import Op, Parsed
from stormproof.checker.result import Anomaly
from stormproof.diagnosis import BugClass
from stormproof.snapshot import EffectObservation, Owed, Snapshot, UnitExpectation

Outcome = Literal["completed", "failed", "open"]
_OUTCOME: dict[str, Outcome] = {"ok": "completed", "fail": "failed"}  # info: still open


@dataclass(slots=True)
class Seen:
    """One workflow the history started, as the world shows it."""

    workflow_id: str
    workflow: str
    unit: UnitExpectation | None
    accepted: bool
    outcome: Outcome
    result: Op | None
    runs: int
    llm_calls: int
    llm_attempts: int = 0
    attempts_known: bool = False
    owed: list[tuple[Owed, int]] = field(default_factory=list)  # what it owes, and saw

    def anomaly(self, bug: BugClass, text: str, effect: str | None, count: int = 1) -> Anomaly:
        detail = f"{self.workflow_id} ({self.workflow}): {text}"
        return Anomaly(
            bug=bug, workflow_id=self.workflow_id, effect=effect, count=count, detail=detail
        )


def _instances(found: list[EffectObservation]) -> int:
    """Distinct effects: one per idempotency key, one per observation without a key."""
    keyed = {o.key for o in found if o.key is not None}
    return len(keyed) + sum(1 for o in found if o.key is None)


def observe(parsed: Parsed, snapshot: Snapshot) -> list[Seen]:
    """The history's workflows beside the world's runs, attempts, LLM calls and effects."""
    markers = {v.get("marker"): wid for wid, v in parsed.started.items() if v.get("marker")}
    calls: Counter[str] = Counter(
        markers[c.marker] for c in snapshot.llm_calls or [] if c.marker in markers
    )
    owned: dict[tuple[str, str], list[EffectObservation]] = defaultdict(list)
    for name, found in snapshot.effects.items():
        for obs in found or []:
            if obs.owner in parsed.started:
                owned[(name, obs.owner)].append(obs)
    by_type = {u.workflow_type: u for u in snapshot.units.values()}
    seen: list[Seen] = []
    for wid, meta in parsed.started.items():
        kind = str(meta.get("workflow", "?"))
        runs = snapshot.runs.get(wid, [])
        result = parsed.results.get(wid)
        one = Seen(
            workflow_id=wid,
            workflow=kind,
            unit=snapshot.units.get(str(meta.get("unit"))) or by_type.get(kind),
            accepted=wid in parsed.start_ok or bool(runs),
            outcome=_OUTCOME.get(result.type, "open") if result else "open",
            result=result,
            runs=len(runs),
            llm_calls=calls[wid],
        )
        seen.append(one)
        if not one.accepted:
            continue
        attempts = snapshot.attempts.get(wid, {})
        llm_activities = set(one.unit.llm_activities) if one.unit else set()
        one.llm_attempts = sum(n for a, n in attempts.items() if a in llm_activities) or sum(
            attempts.values()
        )
        one.attempts_known = bool(attempts)
        if one.outcome != "completed" or one.unit is None:
            continue
        value = result.value.get("value", result.value) if result else {}
        for owes in one.unit.owes:
            if all(value.get(k, v) == v for k, v in owes.only_if_result.items()):
                one.owed.append((owes, _instances(owned.get((owes.effect, wid), []))))
    return seen


def lost(seen: list[Seen], snapshot: Snapshot) -> list[Anomaly]:
    """Accepted work that never completed, failed, or completed short of what it owes."""
    found: list[Anomaly] = []
    for w in (w for w in seen if w.accepted):
        if w.outcome == "open":
            found.append(w.anomaly(BugClass.LOST_WORKFLOW, "accepted but never completed", "runs"))
        elif w.outcome == "failed":
            value = w.result.value if w.result else {}
            text = (
                f"wrong result: {value['problem']}"
                if value.get("problem")
                else f"ended {value.get('status', 'failed')}"
            )
            found.append(w.anomaly(BugClass.LOST_WORKFLOW, text, None))
        if w.outcome != "completed" or w.unit is None:
            continue
        if w.llm_calls < w.unit.llm_at_least and snapshot.llm_calls is not None:
            text = f"completed with {w.llm_calls} LLM calls, {w.unit.llm_at_least} owed"
            found.append(w.anomaly(BugClass.LOST_EFFECT, text, "llm_calls"))
        for owes, n in w.owed:
            if n < owes.per_unit and snapshot.effects.get(owes.effect) is not None:
                text = f"completed with {n} {owes.effect} where {owes.per_unit} are owed"
                found.append(w.anomaly(BugClass.LOST_EFFECT, text, owes.effect, owes.per_unit - n))
    return found


def duplicated(seen: list[Seen], snapshot: Snapshot) -> list[Anomaly]:
    """A second run for one workflow id, or more of an effect than the unit owes."""
    found: list[Anomaly] = []
    for w in (w for w in seen if w.accepted):
        if w.runs > 1:
            text = f"{w.runs} runs for one workflow id"
            found.append(w.anomaly(BugClass.DUPLICATE_EFFECT, text, "runs", w.runs - 1))
        for owes, n in w.owed:
            if n > owes.per_unit and snapshot.effects.get(owes.effect) is not None:
                text = f"{n} {owes.effect} where exactly {owes.per_unit} owed"
                found.append(
                    w.anomaly(BugClass.DUPLICATE_EFFECT, text, owes.effect, n - owes.per_unit)
                )
    return found


def unexpected(parsed: Parsed, snapshot: Snapshot) -> list[Anomaly]:
    """LLM calls, effects and runs that carry this run's tag but no started workflow's."""
    markers = {v.get("marker") for v in parsed.started.values() if v.get("marker")}
    found: list[Anomaly] = []

    def add(effect: str, detail: str, count: int = 1) -> None:
        found.append(
            Anomaly(bug=BugClass.UNEXPECTED_EFFECT, effect=effect, count=count, detail=detail)
        )

    for call in snapshot.llm_calls or []:
        if call.marker not in markers and call.prompt_tagged:
            add("llm_calls", f"llm call for marker {call.marker} that no workflow asked for")
    for name, effects in snapshot.effects.items():
        for obs in effects or []:
            if obs.owner not in parsed.started:
                add(name, f"{name}: {obs.what or obs.owner} that no workflow asked for")
    for wid, runs in snapshot.runs.items():
        if wid.startswith(snapshot.tag) and wid not in parsed.started:
            add("runs", f"run of {wid} that the workload never started", len(runs))
    return found


def wasted_llm_calls(seen: list[Seen]) -> list[Anomaly]:
    """LLM calls beyond the attempts Temporal recorded for the workflow's LLM steps."""
    found: list[Anomaly] = []
    for w in (w for w in seen if w.accepted and w.attempts_known):
        if w.llm_calls > w.llm_attempts:
            text = f"{w.llm_calls} LLM calls for {w.llm_attempts} recorded attempts"
            extra = w.llm_calls - w.llm_attempts
            found.append(w.anomaly(BugClass.WASTED_LLM_CALL, text, "llm_calls", extra))
    return found


def recovery(parsed: Parsed) -> list[float]:
    """Seconds from each heal to the first step completed at or after it."""
    ordered = sorted(parsed.steps)
    out: list[float] = []
    for heal in parsed.heals:
        after = next((s for s in ordered if s >= heal), None)
        if after is not None:
            out.append(round(after - heal, 3))
    return out
