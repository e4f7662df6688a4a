"""Recovery time of the reference worker after a Temporal restart and after a link outage.

Uses the chaos suite's own machinery (world, run, nemeses, checker) outside pytest: for
each scenario and repetition a small workload is kept in flight, the fault is injected and
healed, and the checker's recovery time (heal -> next completed step, from Temporal's
event times) plus the drain time (heal -> last workflow closed) are collected. Every
repetition must also be exactly-once, or the benchmark fails: a fast wrong answer is not
a result. Prints median and max per scenario and records them (docs/PERFORMANCE.md).

    python -m bench recovery            # or: python -m bench.recovery [REPEATS]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench._chaos_world import bench_world
from bench._results import record, row
from stormproof.chaos.nemesis import LinkDown, Nemesis, TemporalCrash
from stormproof.chaos.run import ChaosRun
from stormproof.chaos.world import ChaosWorld
from stormproof.fixtures.fake_llm import Delay
from stormproof.fixtures.processes import install_teardown_handlers

REPEATS = 3
Scenario = tuple[str, float, Callable[[ChaosRun], Nemesis]]
SCENARIOS: list[Scenario] = [
    ("temporal SIGKILL + restart", 2.0, lambda run: TemporalCrash(run.world.temporal)),
    (
        "worker->temporal link down 15 s",
        15.0,
        lambda run: LinkDown(run.toxiproxy, run.link("temporal"), "link-down"),
    ),
]


async def one(
    world: ChaosWorld, base: Path, name: str, hold: float, make: Callable[[ChaosRun], Nemesis]
) -> tuple[float, float]:
    """One repetition: (heal -> next completed step, heal -> last workflow closed)."""
    tag = f"bench{int(time.time() * 1000) % 10**8}"
    run = ChaosRun(world, base / tag, tag, name, f"bench:{name}:{tag}")
    run.open_links()
    try:
        await run.start_worker()
        items = [run.workload.plan(k) for k in ("story", "report") * 3]
        for item in items:
            world.fake_llm.script(item.marker, [Delay(seconds=run.rng.uniform(1.0, 2.5))])
        await asyncio.gather(*(run.workload.start(item) for item in items))
        await run.wait_llm_in_flight(items[0].marker)
        async with run.faulted(make(run)):
            # Started as tasks: with Temporal down they retry until the heal, not before it.
            late = [run.workload.plan(k) for k in ("story", "report")]
            starting = [asyncio.create_task(run.workload.start(item)) for item in late]
            await run.hold(hold)
        assert all(await asyncio.gather(*starting))
        result = await run.finish(timeout=180)
        run.assert_exactly_once(result)
        heal = run.history.last("heal")
        closes = [
            op.time for op in run.history.ops if op.f == "step" and op.value["kind"] == "workflow"
        ]
        assert heal is not None and closes
        return result.recovery_seconds[0], max(closes) - heal.time
    finally:
        await run.close()


async def measure(repeats: int) -> list[tuple[str, list[float], list[float]]]:
    async with bench_world() as (world, base):
        rows = []
        for name, hold, make in SCENARIOS:
            samples = []
            for i in range(repeats):
                started = time.monotonic()
                samples.append(await one(world, base, name, hold, make))
                took = time.monotonic() - started
                print(f"  {name} #{i + 1}: {samples[-1]} ({took:.0f} s)", flush=True)
            rows.append((name, [s[0] for s in samples], [s[1] for s in samples]))
        return rows


def main(argv: list[str] | None = None) -> int:
    args = argv or []  # `python -m bench recovery` calls main() with none: the default
    repeats = int(args[0]) if args else REPEATS
    install_teardown_handlers()  # SIGTERM must not leave servers behind
    rows = asyncio.run(measure(repeats))
    head = f"{'scenario':<34}{'recovery p50 s':>16}{'max s':>8}{'drain p50 s':>14}{'max s':>8}"
    print(f"{head}   (runs: {repeats}; 8 workflows each)")
    for name, recovery, drain in rows:
        print(
            f"{name:<34}{statistics.median(recovery):>16.2f}{max(recovery):>8.2f}"
            f"{statistics.median(drain):>14.2f}{max(drain):>8.2f}"
        )
    record(
        "recovery",
        [
            row(
                f"recovery after {name}",
                f"{statistics.median(recovery):.2f} s median, {max(recovery):.2f} s max to the "
                f"next completed step (drain {statistics.median(drain):.2f} s median)",
            )
            for name, recovery, drain in rows
        ],
        {name: {"recovery_s": recovery, "drain_s": drain} for name, recovery, drain in rows},
        f"8 workflows in flight through the chaos suite's own world, the fault injected and "
        f"healed, {repeats} repetitions per scenario, each checked exactly-once",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
