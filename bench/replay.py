"""How long replaying every committed history takes (the issue's budget: 5 s or less).

Measures what the replay suite does per history (load the file, replay it against the
reference workflows with the pydantic converter) in a fresh process, REPEATS times, and
prints the median and max. A fresh Replayer per round includes the sandbox's first import
of the workflow modules, which is what a CI run pays.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from stormproof.replay.histories import load
from stormproof.replay.replayer import load_workflows, make_replayer, replay_file
from stormproof.replay.scenarios import HISTORIES_DIR

REPEATS = 5
BUDGET_SECONDS = 5.0


async def replay_all() -> tuple[float, int]:
    """Seconds to replay every committed history once; raises if any fails."""
    started = time.perf_counter()
    replayer = make_replayer(load_workflows())
    files = sorted(HISTORIES_DIR.rglob("*.json"))
    for path in files:
        outcome = await replay_file(replayer, load(path), str(path))
        if not outcome.ok:
            raise SystemExit(outcome.message)
    return time.perf_counter() - started, len(files)


def main() -> int:
    times: list[float] = []
    count = 0
    for _ in range(REPEATS):
        elapsed, count = asyncio.run(replay_all())
        times.append(elapsed)
    median, worst = statistics.median(times), max(times)
    print(f"replayed {count} committed histories, {REPEATS} rounds")
    print(f"{'median s':>10}{'max s':>10}{'budget s':>10}")
    print(f"{median:>10.2f}{worst:>10.2f}{BUDGET_SECONDS:>10.1f}")
    if worst > BUDGET_SECONDS:
        print(f"over budget: {worst:.2f}s > {BUDGET_SECONDS}s", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
