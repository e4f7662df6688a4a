"""The chaos suite at full scale, timed as `make chaos` runs it (target: 6 minutes on 2 cores).

Runs `pytest --pyargs stormproof.suites.chaos -n 2` with a chaos report RUNS times in a row
(about 6 minutes each) and records the range and median of the wall times with what each
run judged: its fault rows, the fewest workflows in a row, the negative controls, and the
lost and duplicated effects over all rows. A run that fails stops the benchmark: a fast
wrong answer is not a result. Named only (`ON_REQUEST`), never part of `python -m bench`:

    python -m bench chaos_suite            # one run; python -m bench.chaos_suite 10 for ten
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._results import ROOT, record, row

ON_REQUEST = True
RUNS = 1
TARGET_SECONDS = 360


def run_once(report: Path) -> tuple[float, dict[str, Any]]:
    argv = [sys.executable, "-m", "pytest", "--pyargs", "stormproof.suites.chaos", "-n", "2"]
    argv += ["-q", f"--chaos-report={report}"]
    began = time.monotonic()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    took = time.monotonic() - began
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-2000:], sep="\n")
        raise SystemExit(f"the chaos suite failed (exit {done.returncode})")
    faults = json.loads(report.read_text())["faults"]
    rows = [f for f in faults if not f["negative_control"]]
    return took, {
        "fault_rows": len(rows),
        "fewest_workflows": min(f["workflows"] for f in rows),
        "negative_controls": len(faults) - len(rows),
        "lost": sum(f["lost"] for f in rows),
        "duplicated": sum(f["duplicated"] for f in rows),
        "summary": done.stdout.strip().splitlines()[-1],
    }


def main(argv: list[str] | None = None) -> int:
    runs = int(argv[0]) if argv else RUNS
    times, judged = [], []
    with tempfile.TemporaryDirectory(prefix="stormproof-bench-chaos-") as scratch:
        for i in range(runs):
            took, facts = run_once(Path(scratch) / f"chaos-{i}.json")
            times.append(took)
            judged.append(facts)
            print(f"  run {i + 1}: {took:.0f} s, {facts}", flush=True)
    low, high, median = min(times), max(times), statistics.median(times)
    last = judged[-1]
    figure = (
        f"{low:.0f} to {high:.0f} s with `-n 2` over {runs} consecutive runs, "
        f"median {median:.0f} s; "
        f"each run {last['fault_rows']} fault rows of at least {last['fewest_workflows']} "
        f"workflows and {last['negative_controls']} negative controls, "
        f"{sum(j['lost'] for j in judged)} lost, {sum(j['duplicated'] for j in judged)} duplicated"
    )
    print(figure)
    record(
        "chaos_suite",
        [row("chaos suite at full scale", figure, f"{TARGET_SECONDS // 60} min")],
        {"seconds": times, "runs": judged},
        f"`pytest --pyargs stormproof.suites.chaos -n 2` with a chaos report, {runs} consecutive "
        "runs on 2 cores",
        command=f".venv/bin/python -m bench.chaos_suite {runs}",
    )
    return 0 if high <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
