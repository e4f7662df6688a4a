"""`stormproof record-histories`: re-record the committed replay histories.

Runs every scenario (scenarios.py) on a fresh embedded dev server with the
reference worker as a process, scrubs each history (histories.py) and writes
it to suites/replay/histories/<workflow>/<scenario>.json. Run it when a workflow change is
*meant* to change histories, and commit the result with the change: the replay suite's
guard test fails until you do, so an unintended change can never slip through.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stormproof.replay.histories import scrub, write
from stormproof.replay.recorder import record
from stormproof.replay.scenarios import HISTORIES_DIR, SCENARIOS, Scenario, by_key

WORKDIR_PLACEHOLDER = "$WORKDIR"


async def record_scrubbed(
    scenarios: Sequence[Scenario] = SCENARIOS,
    workdir: Path | None = None,
    workflows: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Each scenario's history, recorded now and scrubbed exactly as the committed files."""
    with tempfile.TemporaryDirectory(prefix="stormproof-record-") as scratch:
        folder = workdir or Path(scratch)
        raw = await record(scenarios, folder, workflows)
        # The temp dir shows up in payloads (PDF paths); resolve() catches /tmp symlinks.
        replacements = {str(f): WORKDIR_PLACEHOLDER for f in (folder, folder.resolve())}
        return {key: scrub(h.to_json_dict(), replacements) for key, h in raw.items()}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stormproof record-histories",
        description="Re-record the replay suite's committed histories on an embedded dev server.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=HISTORIES_DIR,
        help=f"folder to write <workflow>/<scenario>.json into (default {HISTORIES_DIR})",
    )
    parser.add_argument(
        "--scenario",
        action="append",
        metavar="WORKFLOW/NAME",
        help="record only this scenario (repeatable), e.g. ReportWorkflow/happy_path",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The scripted LLM and webhook faults fail attempts on purpose; their tracebacks are noise.
    logging.getLogger("temporalio.activity").setLevel(logging.ERROR)
    try:
        chosen = [by_key(k) for k in args.scenario] if args.scenario else list(SCENARIOS)
    except KeyError as exc:
        print(f"stormproof record-histories: {exc.args[0]}", file=sys.stderr)
        return 2
    started = time.monotonic()
    histories = asyncio.run(record_scrubbed(chosen))
    for scenario in chosen:
        path = scenario.path(args.out)
        write(path, histories[scenario.key])
        print(f"wrote {path} ({len(histories[scenario.key]['events'])} events)")
    print(f"recorded {len(chosen)} histories in {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
