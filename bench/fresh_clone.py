"""`make test` on a fresh clone, installs included (target: 15 minutes on 2 cores).

Clones the checkout's HEAD into a temporary folder (so the commit recorded is exactly what
ran; uncommitted changes are not in the clone) and times `make test` there: the venv and
every install, lint, every test, then the chaos suite at full scale. Records the wall time
and each pytest run's summary line. Named only (`ON_REQUEST`), never part of
`python -m bench`:

    python -m bench fresh_clone
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._results import ROOT, record, row

ON_REQUEST = True
TARGET_SECONDS = 900
SUMMARY = re.compile(r"^=+ (.+ in [\d.]+s.*?) =+$", re.MULTILINE)


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {int(seconds % 60)} s"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="stormproof-bench-clone-") as scratch:
        clone = Path(scratch) / "p"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=300)
        head = ["git", "rev-parse", "--short=7", "HEAD"]  # the clone's: what is measured
        tested = subprocess.run(head, cwd=clone, capture_output=True, text=True, check=True)
        began = time.monotonic()
        done = subprocess.run(
            ["make", "test"], cwd=clone, capture_output=True, text=True, check=False
        )
        took = time.monotonic() - began
    summaries = SUMMARY.findall(done.stdout)
    print("\n".join(summaries))
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-2000:], sep="\n")
        raise SystemExit(f"make test failed on a fresh clone (exit {done.returncode})")
    record(
        "fresh_clone",
        [
            row(
                "`make test` on a fresh clone (installs included, the chaos suite at full "
                "scale too)",
                f"{minutes(took)}: " + "; then ".join(summaries),
                f"{TARGET_SECONDS // 60} min",
            )
        ],
        {"wall_s": took, "pytest_summaries": summaries},
        "`git clone` of HEAD into a temporary folder, then `time make test` there: installs, "
        "lint, every test, then the chaos suite at full scale",
        commit=tested.stdout.strip(),
    )
    return 0 if took <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
