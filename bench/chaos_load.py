"""The chaos workload's sustained rate on the embedded dev server, no fault.

The continuous generator (stormproof/chaos/generator.py) drives the reference worker at each
target rate in RATES for WORKFLOWS workflows, as one chaos test does, through the chaos
suite's own world (dev server, Toxiproxy, PostgreSQL, fake LLM answering at once, sink).
Sustained rate = workflows / (first start to last completion, Temporal's time); a rate
the machine cannot hold shows as a sustained rate below the target and a growing p99.
Every run must also be exactly-once. One test at a time here; `-n 2` runs two at once.

    python -m bench chaos_load          # or: python -m bench.chaos_load [RATE ...]
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from bench._chaos_world import bench_world
from bench._results import record
from bench._results import row as row_of
from stormproof.chaos.generator import LoadSpec
from stormproof.chaos.run import ChaosRun
from stormproof.chaos.world import ChaosWorld
from stormproof.fixtures.processes import install_teardown_handlers
from stormproof.report import stats as chaos_stats

RATES = (4.0, 8.0, 16.0)
WORKFLOWS = 200


async def one(world: ChaosWorld, base: Path, rate: float) -> dict[str, float]:
    tag = f"load{int(time.time() * 1000) % 10**8}"
    run = ChaosRun(world, base / tag, tag, f"load-{rate:g}", f"bench:load:{tag}")
    run.open_links()
    try:
        await run.start_worker()
        spec = LoadSpec(rate=rate, workflows=WORKFLOWS, warmup=0.0, concurrency=400)
        async with run.load(spec):
            pass
        result = await run.finish(timeout=300)
        run.assert_exactly_once(result)
        stats = chaos_stats.compute(run.history.ops)
        closes = [p[0] for p in stats.latency_points]
        starts = [i for i, n in enumerate(stats.starts_per_s) if n]
        span = max(closes) - (starts[0] if starts else 0.0)
        return {
            "target": rate,
            "sustained": result.completed / span,
            "p50": stats.latency.p50 or 0.0,
            "p99": stats.latency.p99 or 0.0,
            "completed": result.completed,
        }
    finally:
        await run.close()


async def measure(rates: tuple[float, ...]) -> list[dict[str, float]]:
    async with bench_world() as (world, base):
        rows = []
        for rate in rates:
            rows.append(await one(world, base, rate))
            print(f"  target {rate:g}/s: {rows[-1]}", flush=True)
        return rows


def main(argv: list[str] | None = None) -> int:
    rates = tuple(float(a) for a in argv) if argv else RATES
    install_teardown_handlers()
    rows = asyncio.run(measure(rates))
    print(f"{'target /s':>10}{'sustained /s':>14}{'p50 s':>8}{'p99 s':>8}   ({WORKFLOWS} each)")
    for row in rows:
        print(
            f"{row['target']:>10.1f}{row['sustained']:>14.2f}{row['p50']:>8.2f}{row['p99']:>8.2f}"
        )
    figure = ", ".join(
        f"{r['sustained']:.1f}/s at a {r['target']:g}/s target (p99 {r['p99']:.1f} s)" for r in rows
    )
    what = f"chaos workload, sustained rate (one test, no fault, {WORKFLOWS} workflows per rate)"
    record(
        "chaos_load",
        [row_of(what, figure)],
        {"workflows": WORKFLOWS, "rates": rows},
        f"the chaos generator drives the reference worker through the chaos suite's own world, "
        f"one test at a time, no fault, {WORKFLOWS} workflows per target rate",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
