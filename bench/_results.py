"""Where a benchmark's figures are kept: one JSON file per benchmark under bench/results/.

`record()` writes bench/results/NAME.json with each figure as a table row (what was
measured, the figure in words, the target) and the commit the checkout was at when it was
measured (`git rev-parse --short HEAD`, marked when the tree had uncommitted changes), so
the figure and its commit travel together. docs/PERFORMANCE.md is rendered from these
files (bench/_render.py); nothing else writes them.
"""

from __future__ import annotations

import datetime
import json
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
DIRTY = "+uncommitted"


def current_commit() -> str:
    """HEAD's short hash, with DIRTY appended when tracked files differ from it."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    head = git("rev-parse", "--short=7", "HEAD") or "unknown"
    return head + DIRTY if git("status", "--porcelain", "--untracked-files=no") else head


def row(what: str, figure: str, target: str = "") -> dict[str, Any]:
    """One line of the performance table."""
    return {"what": what, "figure": figure, "target": target}


def record(
    name: str,
    rows: list[dict[str, Any]],
    values: dict[str, Any],
    how: str,
    command: str | None = None,
    commit: str | None = None,
) -> Path:
    """Write bench/results/NAME.json: `rows` (from row()) measured now at the current commit
    (or `commit`, when what ran was a clone of it), `values` the raw numbers behind them,
    `how` the runs in words, `command` how to repeat them (default `python -m bench NAME`)."""
    commit = commit or current_commit()
    payload = {
        "benchmark": name,
        "command": command or f".venv/bin/python -m bench {name}",
        "how": how,
        "date": datetime.date.today().isoformat(),
        "rows": [{**r, "commits": [commit]} for r in rows],
        "values": values,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(f"recorded in {path} at {commit}; `python -m bench render` updates docs/PERFORMANCE.md")
    return path


def load_all(folder: Path = RESULTS) -> list[dict[str, Any]]:
    """Every results file, by benchmark name."""
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]
