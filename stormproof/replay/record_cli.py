"""`stormproof record-histories`: re-record the committed replay histories.

Runs every scenario (scenarios.py) on a fresh embedded dev server with the
reference worker as a process, scrubs each history (histories.py) and writes
it to suites/replay/histories/<workflow>/<scenario>.json. Run it when a workflow change is
*meant* to change histories, and commit the result with the change: the replay suite's
guard test fails until you do, so an unintended change can never slip through.

With `--adapter MODULE` a team records its own units the same way (stormproof/replay/
team.py), and `--check` is its guard: record now, compare with the files in `--out`, and
exit 1 with the diff when the code changed a history that replay alone cannot catch.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stormproof.adapter import REFERENCE, AdapterError, load_adapter
from stormproof.fixtures.config import SuiteConfig
from stormproof.replay.drift import drift_report, read_committed
from stormproof.replay.histories import scrub, write
from stormproof.replay.recorder import record
from stormproof.replay.scenarios import HISTORIES_DIR, SCENARIOS, Scenario, by_key
from stormproof.replay.team import record_team, scenarios_of

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
    parser.add_argument(
        "--adapter",
        metavar="MODULE[:ATTR]",
        help="record your own workflows: one history per unit of this adapter "
        "(docs/ADAPTERS.md); --out is then required",
    )
    parser.add_argument(
        "--worker-cmd",
        help="with --adapter: the command that runs your worker (default: the adapter's)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="record, compare with the files in --out, write nothing; exit 1 with the diff "
        "when a history changed (the guard for changes replay cannot see)",
    )
    return parser


def _finish(histories: dict[str, dict[str, Any]], paths: dict[str, Path], check: bool) -> int:
    """Write each history to its path, or with `check` compare and report drift."""
    if check:
        committed = {str(paths[k]): read_committed(paths[k]) for k in histories}
        report = drift_report(committed, {str(paths[k]): h for k, h in histories.items()})
        print(report or f"{len(histories)} histories match the committed files")
        return 1 if report else 0
    for key, history in histories.items():
        write(paths[key], history)
        print(f"wrote {paths[key]} ({len(history['events'])} events)")
    return 0


def _team(args: argparse.Namespace) -> int:
    try:
        adapter = load_adapter(args.adapter)
    except AdapterError as exc:
        print(f"stormproof record-histories: {exc}", file=sys.stderr)
        return 2
    argv = shlex.split(args.worker_cmd) if args.worker_cmd else adapter.worker_cmd
    argv = list(argv or SuiteConfig().worker_argv)
    chosen = scenarios_of(adapter)
    if args.scenario:
        chosen = [s for s in chosen if s.key in args.scenario or s.unit.name in args.scenario]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="stormproof-record-") as scratch:
        histories = asyncio.run(record_team(adapter, argv, Path(scratch), chosen))
    code = _finish(histories, {s.key: s.path(args.out) for s in chosen}, args.check)
    print(f"recorded {len(chosen)} histories in {time.monotonic() - started:.1f}s")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(argv) if argv is not None else None)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # The scripted LLM and webhook faults fail attempts on purpose; their tracebacks are noise.
    logging.getLogger("temporalio.activity").setLevel(logging.ERROR)
    if args.adapter and args.adapter != REFERENCE:
        if args.out == HISTORIES_DIR and not args.check:
            print("stormproof record-histories: --adapter needs --out DIR", file=sys.stderr)
            return 2
        return _team(args)
    try:
        chosen = [by_key(k) for k in args.scenario] if args.scenario else list(SCENARIOS)
    except KeyError as exc:
        print(f"stormproof record-histories: {exc.args[0]}", file=sys.stderr)
        return 2
    started = time.monotonic()
    histories = asyncio.run(record_scrubbed(chosen))
    code = _finish(histories, {s.key: s.path(args.out) for s in chosen}, args.check)
    print(f"recorded {len(chosen)} histories in {time.monotonic() - started:.1f}s")
    return code


if __name__ == "__main__":
    sys.exit(main())
