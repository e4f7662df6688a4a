"""How long the conformance suite takes, end to end, as a user runs it.

Runs `pytest suites/conformance` in a subprocess (serially and with -n 2) a few times and
prints the median and max wall time. The issue's target is 30 s on 2 cores.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 3


def run_once(jobs: int) -> float:
    argv = [sys.executable, "-m", "pytest", "suites/conformance", "-q", "-n", str(jobs)]
    started = time.monotonic()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-2000:], sep="\n")
        raise SystemExit(f"conformance suite failed (exit {done.returncode})")
    return elapsed


def main() -> int:
    print(f"{'mode':<12}{'median s':>10}{'max s':>10}  (runs: {REPEATS})")
    for jobs in (0, 2):
        times = [run_once(jobs) for _ in range(REPEATS)]
        label = "serial" if jobs == 0 else f"-n {jobs}"
        print(f"{label:<12}{statistics.median(times):>10.1f}{max(times):>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
