"""omes-style: the reference worker's throughput against a bare SDK worker of the same shape.

Both run on the same dev server in the same run, driven the same way: the chaos suite's
generator at a rate neither can hold (RATE) with CONCURRENCY workflows open at most, so
each is measured at its own ceiling; WORKFLOWS per worker, the reference's mix. The bare
worker (bench/_bare_worker.py) has the same workflows, activities, timeouts and payload
sizes, with activities that return at once; the reference meets the fake LLM (answering at
once), PostgreSQL, the sink, the PDF and its payload codec. Throughput = workflows closed
per second from the first start to the last close. Target: reference/bare >= 80%.

    python -m bench chaos_ratio
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from bench._chaos_world import bench_world
from bench._results import record, row
from stormproof.chaos.generator import LoadSpec
from stormproof.chaos.run import ChaosRun
from stormproof.chaos.world import ChaosWorld
from stormproof.fixtures.processes import install_teardown_handlers

RATE, CONCURRENCY, WORKFLOWS, ROUNDS = 50.0, 40, 300, 4
BARE = [sys.executable, "-m", "bench._bare_worker"]
TARGET = 0.8


async def throughput(world: ChaosWorld, base: Path, argv: list[str], name: str) -> float:
    tag = f"{name}{int(time.time() * 1000) % 10**8}"
    run = ChaosRun(world, base / tag, tag, name, f"bench:ratio:{tag}")
    run.open_links()
    try:
        await run.start_worker(argv)
        spec = LoadSpec(rate=RATE, workflows=WORKFLOWS, warmup=0.0, concurrency=CONCURRENCY)
        began = time.monotonic()
        async with run.load(spec) as load:
            pass
        took = time.monotonic() - began
        assert load.closed == WORKFLOWS, f"{name}: {load.closed} of {WORKFLOWS} closed"
        return WORKFLOWS / took
    finally:
        await run.close()


async def measure() -> list[tuple[float, float]]:
    async with bench_world() as (world, base):
        rounds = []
        for i in range(ROUNDS):  # alternate, so neither always runs on a warmer server
            reference = await throughput(world, base, world.worker_argv, "ref")
            bare = await throughput(world, base, BARE, "bare")
            print(
                f"  round {i + 1}: reference {reference:.2f}/s, bare {bare:.2f}/s"
                f" ({reference / bare:.0%})"
            )
            rounds.append((reference, bare))
        return rounds


def main(argv: list[str] | None = None) -> int:
    install_teardown_handlers()
    rounds = asyncio.run(measure())
    reference = sum(r for r, _ in rounds) / len(rounds)
    bare = sum(b for _, b in rounds) / len(rounds)
    ratio = reference / bare
    print(f"reference worker: {reference:.2f} workflows/s; bare SDK worker: {bare:.2f}/s")
    print(f"ratio: {ratio:.0%} (target {TARGET:.0%}; {WORKFLOWS} workflows x {ROUNDS} rounds)")
    each = ", ".join(f"{r / b:.0%}" for r, b in rounds)
    record(
        "chaos_ratio",
        [
            row(
                "reference worker vs a bare SDK worker of the same shape (omes-style)",
                f"{ratio:.0%}: {reference:.1f} workflows/s against {bare:.1f}/s over {ROUNDS} "
                f"alternating rounds (per round {each}); {WORKFLOWS} workflows each, "
                f"{CONCURRENCY} open at most",
                f"{TARGET:.0%}",
            )
        ],
        {"ratio": ratio, "reference_per_s": reference, "bare_per_s": bare, "rounds": rounds},
        f"the reference worker and a bare SDK worker of the same shape on one dev server, "
        f"{ROUNDS} alternating rounds of {WORKFLOWS} workflows each, {CONCURRENCY} open at most",
    )
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
