"""Run rows of the default chaos table as a team runs them, and read what they decided.

A negative control for a team's own twin is the default run itself: `pytest --pyargs
stormproof.suites.chaos.<module> -k <row>` with the team's adapter and the twin's command
as `--worker-cmd`. `run_rows` runs exactly that in a pytest process of its own (its own
world, its own ports), at a size a regression test can afford, and returns the exit code
and the JSON report's per-test records, so the caller can require a failure and its class.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

__all__ = ["RowsRun", "run_rows"]
SUITE = "stormproof.suites.chaos"
UNCLASSIFIED = "unclassified"


class RowsRun(BaseModel):
    """What a run of default rows decided: pytest's exit code, each test's record from the
    JSON report, and the tail of its output for a failure message."""

    returncode: int
    tests: list[dict[str, Any]]
    output: str

    def failed_as(self) -> set[str]:
        """What each failed test was diagnosed as: a BugClass value (compare with
        `BugClass.X`), or `unclassified` (a timeout, a harness error): never a crash here."""
        return {
            str(t.get("diagnosis") or UNCLASSIFIED) for t in self.tests if t["outcome"] == "failed"
        }


def run_rows(
    module: str,
    rows: str,
    *,
    adapter: str,
    worker_cmd: list[str] | None,
    folder: Path,
    workflows: int = 20,
    cwd: Path | None = None,
    timeout: float = 360,
    marks: str | None = None,
) -> RowsRun:
    """Run `SUITE.<module> -k <rows>` under `adapter` (and `worker_cmd`, e.g. a twin's),
    judging `workflows` per row, in `folder`; `cwd` is where the adapter imports from;
    `marks`: a `-m` expression, for rows kept out of the default run (e.g. "updates")."""
    report = folder / "chaos.json"
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q"]
    argv += ["--pyargs", f"{SUITE}.{module}", "-k", rows, "--adapter", adapter]
    argv += [f"--chaos-report={report}", f"--basetemp={folder / 'base'}"]
    if marks:
        argv += ["-m", marks]
    if worker_cmd:
        argv += ["--worker-cmd", shlex.join(worker_cmd)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}
    env["STORMPROOF_CHAOS_WORKFLOWS"] = str(workflows)
    if cwd is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(cwd), env.get("PYTHONPATH")]))
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    tests = json.loads(report.read_text())["tests"] if report.is_file() else []
    output = done.stdout[-4000:] + done.stderr[-2000:]
    return RowsRun(returncode=done.returncode, tests=tests, output=output)
