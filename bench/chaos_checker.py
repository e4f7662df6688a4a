"""The chaos checker on 10^5 synthetic operations (target: 5 s or less), and the stats.

A soak or a long chaos run leaves ~8 operations per workflow (start invoke and ok, result
invoke and ok, a `step` per completed activity and one for the workflow), so 12,500
workflows (half stories, half reports) make 10^5 operations. They are built here with a
snapshot in which every workflow owes and has its effects (a seeded 1% duplicated, so
the checker walks its
anomaly path too), then `check()` and `chaos_stats.compute()` are timed, best of ROUNDS.
Loading the history's JSON lines is timed separately, as the report pays it too.
"""

from __future__ import annotations

import json
import random
import time

from bench._results import record, row
from stormproof.checker import Op, check
from stormproof.report import stats as chaos_stats
from stormproof.snapshot import (
    EffectObservation,
    LlmObservation,
    Owed,
    Snapshot,
    UnitExpectation,
)

WORKFLOWS = 12_500  # x 8 operations on average: 10^5
ROUNDS = 3
BUDGET_SECONDS = 5.0
UNITS = {
    "story": UnitExpectation(
        workflow_type="StoryWorkflow", llm_activities=["llm_call"], owes=[Owed(effect="files")]
    ),
    "report": UnitExpectation(
        workflow_type="ReportWorkflow",
        llm_activities=["llm_call"],
        owes=[Owed(effect=e) for e in ("rows", "deliveries", "files")],
    ),
}


def synthetic(workflows: int, seed: int = 16) -> tuple[list[Op], Snapshot]:
    rng = random.Random(seed)
    ops: list[Op] = []
    effects: dict[str, list[EffectObservation]] = {"rows": [], "deliveries": [], "files": []}
    runs: dict[str, list[str]] = {}
    attempts: dict[str, dict[str, int]] = {}
    calls: list[LlmObservation] = []

    def add(t: float, type_: str, f: str, wid: str | None, **value: object) -> None:
        ops.append(
            Op(
                index=len(ops),
                time=t,
                process="client",
                type=type_,
                f=f,
                workflow_id=wid,
                value=value,
            )
        )

    add(1000.0, "ok", "fault", None, fault="link-down")
    add(1030.0, "ok", "heal", None, fault="link-down")
    for n in range(workflows):
        unit = "report" if n % 2 else "story"
        wid, marker, t = f"chx-{unit[0]}{n}", f"sp-{n:012x}", 1000.0 + n * 0.006
        add(
            t,
            "invoke",
            "start",
            wid,
            workflow=UNITS[unit].workflow_type,
            unit=unit,
            marker=marker,
            attempt=1,
        )
        add(t + 0.01, "ok", "start", wid)
        add(t + 0.01, "invoke", "result", wid)
        steps = 4 if unit == "report" else 2
        for s in range(steps):
            add(t + 0.1 * (s + 1), "ok", "step", wid, kind="activity")
        add(t + 0.5, "ok", "step", wid, kind="workflow")
        add(t + 0.6, "ok", "result", wid, value={"status": "completed"})
        runs[wid] = [f"run-{n}"]
        attempts[wid] = {"llm_call": 1}
        calls.append(LlmObservation(marker=marker, status=200, prompt_tagged=True))
        copies = 2 if rng.random() < 0.01 else 1
        for effect in UNITS[unit].owes:
            for c in range(copies):
                key = f"{wid}-{c}" if effect.effect == "deliveries" else None
                effects[effect.effect].append(EffectObservation(owner=wid, key=key))
    snapshot = Snapshot(
        tag="chx", units=UNITS, runs=runs, attempts=attempts, llm_calls=calls, effects=effects
    )
    return ops, snapshot


def best_of(fn: object, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - began)
    return best


def main() -> int:
    ops, snapshot = synthetic(WORKFLOWS)
    lines = [op.model_dump_json() for op in ops]
    load = best_of(lambda: [Op.model_validate(json.loads(line)) for line in lines], ROUNDS)
    checked = best_of(lambda: check(ops, snapshot), ROUNDS)
    stats = best_of(lambda: chaos_stats.compute(ops), ROUNDS)
    result = check(ops, snapshot)
    print(
        f"{len(ops):,} operations, {WORKFLOWS:,} workflows, verdict {result.verdict} "
        f"({result.duplicated_total} planted duplicates found)"
    )
    print(f"check():                {checked:6.2f} s (budget {BUDGET_SECONDS:g} s)")
    print(f"chaos_stats.compute():  {stats:6.2f} s")
    print(f"load the JSON lines:    {load:6.2f} s")
    record(
        "chaos_checker",
        [
            row(
                f"chaos checker and stats on 10^5 operations ({WORKFLOWS:,} workflows)",
                f"`check()` {checked:.2f} s, stats {stats:.2f} s (loading the JSON lines: "
                f"{load:.1f} s)",
                f"{BUDGET_SECONDS:g} s",
            )
        ],
        {"operations": len(ops), "workflows": WORKFLOWS, "check_s": checked, "stats_s": stats},
        f"{WORKFLOWS:,} synthetic workflows ({len(ops):,} operations, a seeded 1% duplicated); "
        f"`check()` and the stats timed, best of {ROUNDS}, loading the JSON lines timed apart",
    )
    return 0 if checked + stats <= BUDGET_SECONDS else 1
