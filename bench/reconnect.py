"""How fast the API and the worker recover after Temporal comes back, over repeated crashes.

`python -m bench reconnect` (or `python -m bench.reconnect [ROUNDS] [OUTAGE_SECONDS]`;
$STORMPROOF_BENCH_ROUNDS sets the rounds for the former)
starts a dev server, the API and the reference worker once, then ROUNDS times: SIGKILLs
the server, keeps it down OUTAGE_SECONDS, restarts it on the same port and database, and
from the moment the server accepts clients measures

- api: until a POST /api/stories is answered 202 (submitted every 20 ms), target < 1 s;
- worker: until a PingWorkflow started then completes, target within the SDK's poll
  backoff ceiling (about 10 s).

Prints the median and max of each. Nothing is restarted but Temporal.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench._results import record, row
from stormproof.fixtures.composed import World
from stormproof.fixtures.fake_llm import FakeLlm, new_marker
from stormproof.fixtures.processes import install_teardown_handlers, stop_all
from stormproof.fixtures.sink import NotificationSink
from stormproof.fixtures.worker import ping
from stormproof.reconnect.harness import ApiProcess, ReconnectWorld

ROUNDS = 5
OUTAGE_SECONDS = 5.0
API_TARGET_SECONDS = 1.0
WORKER_TARGET_SECONDS = 10.0


async def api_accepts(api: ApiProcess, deadline: float = 30.0) -> float:
    began = time.monotonic()
    while time.monotonic() - began < deadline:
        response = await api.submit(f"[{new_marker()}] bench")
        if response.status_code == 202:
            return time.monotonic() - began
        await asyncio.sleep(0.02)  # wait-ok: the benchmark's submission interval
    raise RuntimeError(f"the API did not accept work within {deadline:g}s:\n{api.log()}")


async def bench(rounds: int, outage: float) -> tuple[list[float], list[float]]:
    api_times: list[float] = []
    worker_times: list[float] = []
    session = World()
    llm = session.add("fake-llm", FakeLlm())
    sink = session.add("sink", NotificationSink())
    with session, tempfile.TemporaryDirectory() as tmp:
        world = ReconnectWorld(
            Path(tmp), llm, sink, [sys.executable, "-m", "stormproof.reference.worker"]
        )
        try:
            client, worker = await world.running_worker()
            api = await world.running_api()
            for round_ in range(1, rounds + 1):
                world.server.kill()
                await asyncio.sleep(outage)  # wait-ok: outage duration
                await world.restart_temporal()
                back = time.monotonic()
                api_task = asyncio.create_task(api_accepts(api))
                await ping(client, world.task_queue, timeout=60, process=worker.process)
                worker_times.append(time.monotonic() - back)
                api_times.append(await api_task)
                print(
                    f"round {round_}: api {api_times[-1]:.2f}s, worker {worker_times[-1]:.2f}s",
                    flush=True,
                )
        finally:
            await world.close()
    return api_times, worker_times


def main(argv: list[str] | None = None) -> int:
    """`python -m bench` calls this without arguments; the environment can override."""
    args = argv or []
    rounds = int(args[0]) if args else int(os.environ.get("STORMPROOF_BENCH_ROUNDS", ROUNDS))
    outage = float(args[1]) if len(args) > 1 else OUTAGE_SECONDS
    install_teardown_handlers()
    try:
        api_times, worker_times = asyncio.run(bench(rounds, outage))
    finally:
        stop_all()
    print(f"{'after restart':<16}{'median s':>10}{'max s':>10}{'target s':>10}  ", end="")
    print(f"({rounds} restarts, {outage:g} s outages)")
    ok = True
    rows = []
    for name, what, times, target in (
        ("api accepts", "API accepts work", api_times, API_TARGET_SECONDS),
        ("worker progress", "worker makes progress", worker_times, WORKER_TARGET_SECONDS),
    ):
        print(f"{name:<16}{statistics.median(times):>10.2f}{max(times):>10.2f}{target:>10.1f}")
        ok = ok and max(times) <= target
        figure = f"{statistics.median(times):.2f} s median, {max(times):.2f} s max"
        rows.append(
            row(
                f"{what} after Temporal is ready again",
                f"{figure} over {rounds} restarts",
                f"{target:g} s",
            )
        )
    record(
        "reconnect",
        rows,
        {"rounds": rounds, "outage_s": outage, "api_s": api_times, "worker_s": worker_times},
        f"a dev server, the API and the reference worker started once; {rounds} rounds of "
        f"SIGKILL, {outage:g} s down, restart on the same port and database",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
