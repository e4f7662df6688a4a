"""Replay speed: the committed histories (budget 5 s) and 1,000 exported ones (100/s or more).

1. What the replay suite does per committed history (load the file, replay it against the
   reference workflows with the pydantic converter), in a fresh process, REPEATS times; a
   fresh Replayer per round includes the sandbox's first import of the workflow modules,
   which is what a CI run pays.
2. What `--replay-dir` does with a team's folder: EXPORTED files, written here from the
   committed histories in the forms teams export (CLI JSON, gzip'd, reversed, PascalCase
   enums), replayed as the suite replays them (stormproof/replay/batch.py: one spawned
   process per core, process start-up included), ROUNDS times. Throughput is files/second.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._results import record, row
from stormproof.replay.batch import process_count, replay_paths
from stormproof.replay.histories import load
from stormproof.replay.replayer import load_workflows, make_replayer, replay_file
from stormproof.replay.scenarios import HISTORIES_DIR
from stormproof.replay.settings import ReplaySettings

REPEATS = 5
BUDGET_SECONDS = 5.0
EXPORTED = 1000
ROUNDS = 3
MIN_PER_SECOND = 100.0


async def replay_all() -> tuple[float, int]:
    """Seconds to replay every committed history once; raises if any fails."""
    started = time.perf_counter()
    replayer = make_replayer(load_workflows())
    files = sorted(HISTORIES_DIR.rglob("*.json"))
    for path in files:
        outcome = await replay_file(replayer, load(path), str(path), "committed")
        if not outcome.ok:
            raise SystemExit(outcome.message)
    return time.perf_counter() - started, len(files)


def _pascal(history: dict[str, Any]) -> dict[str, Any]:
    """The history with event types as older exports wrote them (`ActivityTaskScheduled`)."""
    text = json.dumps(history)
    return json.loads(
        re.sub(
            r'"EVENT_TYPE_([A-Z_]+)"',
            lambda m: '"' + "".join(w.capitalize() for w in m.group(1).split("_")) + '"',
            text,
        )
    )


def write_exports(folder: Path, count: int) -> list[Path]:
    """`count` exported histories in the forms teams have, cycling the committed ones."""
    sources = [json.loads(p.read_text()) for p in sorted(HISTORIES_DIR.rglob("*.json"))]
    paths: list[Path] = []
    for i in range(count):
        history, form = sources[i % len(sources)], i % 10
        if form in (6, 7):
            path = folder / f"{i:04d}.json.gz"
            path.write_bytes(gzip.compress(json.dumps(history, indent=2).encode()))
        else:
            if form == 8:
                history = {"events": history["events"][::-1]}
            elif form == 9:
                history = _pascal(history)
            path = folder / f"{i:04d}.json"
            path.write_text(json.dumps(history, indent=2))
        paths.append(path)
    return paths


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children: what replaying cost, whatever
    else the machine was doing (wall time also counts waiting for the cores)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


async def replay_exported(paths: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds to replay `paths` as --replay-dir does; exits if any fails."""
    started, cpu = time.perf_counter(), _cpu_seconds()
    outcomes = await replay_paths(paths, ReplaySettings())
    elapsed, used = time.perf_counter() - started, _cpu_seconds() - cpu
    failed = [o.message for o in outcomes if not o.ok]
    if failed or len(outcomes) != len(paths):
        raise SystemExit(f"{len(failed)} exported histories did not replay:\n{failed[:3]}")
    return elapsed, used


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
    code = 0
    if worst > BUDGET_SECONDS:
        print(f"over budget: {worst:.2f}s > {BUDGET_SECONDS}s", file=sys.stderr)
        code = 1

    with tempfile.TemporaryDirectory(prefix="stormproof-bench-replay-") as scratch:
        paths = write_exports(Path(scratch), EXPORTED)
        runs = [asyncio.run(replay_exported(paths)) for _ in range(ROUNDS)]
    rates = [EXPORTED / wall for wall, _ in runs]
    low, middle = min(rates), statistics.median(rates)
    cpu_ms = statistics.median(1000 * cpu / EXPORTED for _, cpu in runs)
    print(
        f"\nreplayed {EXPORTED} exported histories, {ROUNDS} rounds, "
        f"{process_count(EXPORTED)} processes, load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'median /s':>10}{'min /s':>10}{'target /s':>10}{'cpu ms each':>13}")
    print(f"{middle:>10.1f}{low:>10.1f}{MIN_PER_SECOND:>10.1f}{cpu_ms:>13.1f}")
    if middle < MIN_PER_SECOND:
        print(f"too slow: {middle:.1f}/s < {MIN_PER_SECOND}/s", file=sys.stderr)
        code = 1
    load = os.getloadavg()[0]
    record(
        "replay",
        [
            row(
                f"replay every committed history ({count})",
                f"{median:.2f} s median, {worst:.2f} s max",
                f"{BUDGET_SECONDS:g} s",
            ),
            row(
                f"replay {EXPORTED:,} exported histories (CLI JSON, gzip'd, reversed, PascalCase)",
                f"{middle:.0f}/s median, {low:.0f}/s min ({cpu_ms:.0f} ms of CPU each, "
                f"{process_count(EXPORTED)} processes, load average {load:.1f})",
                f"{MIN_PER_SECOND:g}/s",
            ),
        ],
        {
            "committed": {"histories": count, "median_s": median, "max_s": worst},
            "exported": {"files": EXPORTED, "median_per_s": middle, "min_per_s": low},
        },
        f"committed: every committed history replayed in a fresh process, {REPEATS} rounds; "
        f"exported: {EXPORTED:,} files in the forms teams export, replayed as `--replay-dir` "
        f"does (one process per core), {ROUNDS} rounds",
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
