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

from bench._results import record, row

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
    found: dict[str, tuple[float, float]] = {}
    for jobs in (0, 2):
        times = [run_once(jobs) for _ in range(REPEATS)]
        label = "serial" if jobs == 0 else f"-n {jobs}"
        found[label] = (statistics.median(times), max(times))
        print(f"{label:<12}{found[label][0]:>10.1f}{found[label][1]:>10.1f}")
    (n2, n2_max), (serial, serial_max) = found["-n 2"], found["serial"]
    figure = (
        f"{n2:.1f} s median (max {n2_max:.1f}) with `-n 2`; "
        f"{serial:.1f} s (max {serial_max:.1f}) serial"
    )
    record(
        "conformance",
        [row("conformance suite", figure, "30 s")],
        {
            "n2_median_s": n2,
            "n2_max_s": n2_max,
            "serial_median_s": serial,
            "serial_max_s": serial_max,
        },
        f"`pytest suites/conformance` as a subprocess, {REPEATS} runs serially and {REPEATS} with "
        "`-n 2`; median and max wall time",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
