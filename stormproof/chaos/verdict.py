"""The end of a chaos run: observe every effect, judge it, and fail with the bug class first.

The observer reads the world (Temporal's runs and attempts, the fake LLM's call log, rows,
deliveries, files, service calls) and never the worker's own account; stormproof.checker
then decides. A failed verdict quotes the logs that explain it, as every failed wait does.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from stormproof.adapter import expectations
from stormproof.chaos import observe
from stormproof.chaos.metrics_watch import check_log_privacy
from stormproof.checker import CheckResult, Snapshot, check
from stormproof.diagnosis import BugClass, expect
from stormproof.fixtures.wait import log_tail

if TYPE_CHECKING:
    from stormproof.chaos.run import ChaosRun


async def observe_and_check(run: ChaosRun) -> CheckResult:
    """Read every effect of the run from the world, then judge it with the pure checker;
    the snapshot and the verdict are kept beside the history for a post-mortem."""
    client, tag = run.world.client, run.tag
    await asyncio.gather(*run.scrapes)  # the before-fault snapshots, taken by now
    await run.metrics.after_drain(run.metric_urls())
    started = {p.workflow_id: p for p in run.workload.planned}
    accepted = {p.workflow_id for p in run.workload.accepted}
    runs: dict[str, list[str]] = {}
    gate = asyncio.Semaphore(16)  # a hundred workflows or more: read them side by side

    async def observe_one(wid: str) -> None:
        async with gate:
            run.run_ids[wid] = run_ids = await observe.run_ids_of(
                client, wid, expect=wid in accepted
            )
            runs[wid] = await observe.executions_of(client, wid, run_ids)
            if run_ids:
                run.activities[wid] = await observe.steps_and_attempts(
                    client, wid, run_ids, run.history
                )

    await asyncio.gather(*(observe_one(wid) for wid in started))
    runs = {wid: runs[wid] for wid in started}  # the workload's order, as before
    snapshot = Snapshot(
        tag=tag,
        runs=runs,
        attempts={
            wid: {name: a.attempts for name, a in found.items()}
            for wid, found in run.activities.items()
        },
        llm_calls=observe.llm_calls(run.world.fake_llm, tag, {p.marker for p in started.values()}),
        units=expectations(run.world.adapter),
        effects=observe.observe_effects(
            run.world.adapter,
            tag=tag,
            markers={p.marker: wid for wid, p in started.items()},
            artifact_dir=run.artifact_dir,
            database_url=run.database_url,
            sink=run.world.sink,
            service_requests={n: r.requests for n, r in run.world.services.items()},
        ),
    )
    run.snapshot = snapshot
    (run.tmp / "snapshot.json").write_text(snapshot.model_dump_json(indent=1))
    run.result = check(run.history.ops, snapshot)
    (run.tmp / "check.json").write_text(run.result.model_dump_json(indent=1))
    return run.result


def assert_exactly_once(run: ChaosRun, result: CheckResult | None) -> CheckResult:
    """Each bug class in the order a reader should fix them: lost before duplicated."""
    assert result is not None, "finish() was never called"
    detail = f"{result.summary()}\nhistory: {run.history.path}"
    if result.verdict != "valid":  # the logs that explain it, as every failed wait shows
        detail += "".join(
            f"\n--- {name} (last lines) ---\n{log_tail(src, 25)}"
            for name, src in run.logs().items()
            if name != "history"
        )
    lost_runs = result.lost.get("runs", 0) + result.failed
    expect(lost_runs == 0, BugClass.LOST_WORKFLOW, f"lost workflows: {detail}")
    expect(result.lost_total == 0, BugClass.LOST_EFFECT, f"lost effects: {detail}")
    expect(result.duplicated_total == 0, BugClass.DUPLICATE_EFFECT, f"duplicated effects: {detail}")
    expect(
        sum(result.unexpected.values()) == 0,
        BugClass.UNEXPECTED_EFFECT,
        f"effects no workflow asked for: {detail}",
    )
    expect(result.wasted_llm_calls == 0, BugClass.WASTED_LLM_CALL, f"wasted LLM calls: {detail}")
    # What is left is "unknown": the observer could not read an effect, which is the
    # suite's own failure, not a class of bug in the worker.
    assert result.verdict == "valid", f"verdict {result.verdict}: {detail}"
    calls = [c for p in run.workload.planned for c in run.world.fake_llm.calls_for(p.marker)]
    check_log_privacy(run.workers, calls)  # prompt-in-logs, quoting the lines
    return result
