"""Progress of a chaos run in pytest's terminal: which fault started, which finished, how many
workflows have been judged so far.

A user watching a five-minute chaos suite should not stare at a line of dots. Under xdist
only the controller writes to the terminal, and it hears of a test when it starts (the
`pytest_runtest_logstart` that xdist forwards) and when its record arrives with the
teardown report, so both are lines written by the controller's terminal reporter: the
`-n 2` output stays one stream, and JUnit (built from reports, not the terminal) is
untouched. Lines are whole lines (`write_line` ends the dots' line first).

In between, the live counts of stormproof/report/ticker.py: the controller makes a folder
at configure and hands it to each xdist worker in `workerinput` (pytest_configure_node,
xdist's documented channel); a worker's chaos fixture gets its test's ProgressFile from
progress_file(), and the controller's ticker thread, started with the first chaos test
(a suite without one gets no thread and no line), prints the tests still running.
`-q -q` asks for the summary alone: no ticks then.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from stormproof.report.table import REJECTED, is_control, short_name
from stormproof.report.ticker import (
    ProgressFile,
    TerminalOut,
    Ticker,
    file_for,
    has_new_dots,
    interval_from_env,
)

RUNNING_KEY = pytest.StashKey[set[str]]()
FOLDER_KEY = pytest.StashKey[Path]()
OUT_KEY = pytest.StashKey[TerminalOut]()
TICKER_KEY = pytest.StashKey[Ticker]()
WORKER_INPUT = "stormproof_progress_dir"
CHAOS_PATH = "chaos/test_"


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """The controller's folder of progress files, and its terminal's stdout duplicated now,
    while pytest's capture is suspended (a tick comes while a test's output is captured)."""
    if hasattr(config, "workerinput"):
        return
    config.stash[FOLDER_KEY] = Path(tempfile.mkdtemp(prefix="stormproof-progress-"))
    reporter = _writer(config)
    if reporter is not None and interval_from_env() > 0 and config.get_verbosity() > -2:
        config.stash[OUT_KEY] = TerminalOut.open(reporter, sys.stdout)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: each worker learns the controller's folder through its workerinput."""
    folder = node.config.stash.get(FOLDER_KEY, None)
    if folder is not None:
        node.workerinput[WORKER_INPUT] = str(folder)


def pytest_unconfigure(config: pytest.Config) -> None:
    if (ticker := config.stash.get(TICKER_KEY, None)) is not None:
        ticker.stop()
    if (out := config.stash.get(OUT_KEY, None)) is not None:
        out.close()
    if (folder := config.stash.get(FOLDER_KEY, None)) is not None:
        shutil.rmtree(folder, ignore_errors=True)


def progress_file(config: pytest.Config, nodeid: str) -> ProgressFile | None:
    """Where the chaos test `nodeid` writes its live counts (None: nobody reads them)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        folder = workerinput.get(WORKER_INPUT)
    else:
        folder = config.stash.get(FOLDER_KEY, None)
    return None if folder is None else ProgressFile(file_for(Path(folder), nodeid))


def _start_ticker(config: pytest.Config) -> None:
    out = config.stash.get(OUT_KEY, None)
    if out is None or TICKER_KEY in config.stash:
        return
    running = _running(config)
    ticker = Ticker(config.stash[FOLDER_KEY], interval_from_env(), running.copy, out.write_lines)
    config.stash[TICKER_KEY] = ticker
    ticker.start()


def _writer(config: pytest.Config) -> Any:
    return config.pluginmanager.get_plugin("terminalreporter")


def _write_line(config: pytest.Config, writer: Any, text: str) -> None:
    """write_line ends a line of dots only if it began with a path, and under xdist none
    does: end it here (unless the ticker's lines already did: the width it last saw)."""
    out = config.stash.get(OUT_KEY, None)
    if has_new_dots(writer, out.width_seen if out else 0) and not writer.currentfspath:
        writer._tw.line()
    writer.write_line(text)


def _running(config: pytest.Config) -> set[str]:
    if RUNNING_KEY not in config.stash:
        config.stash[RUNNING_KEY] = set()
    return config.stash[RUNNING_KEY]


def started(config: pytest.Config, nodeid: str) -> None:
    writer = _writer(config)
    if writer is None or CHAOS_PATH not in nodeid:
        return
    running = _running(config)
    running.add(nodeid)
    _start_ticker(config)
    name = nodeid.rsplit("::", 1)[-1]
    _write_line(config, writer, f"chaos > {name} started ({len(running)} running)")


def finished(config: pytest.Config, record: dict[str, Any], records: list[dict[str, Any]]) -> None:
    writer = _writer(config)
    if writer is None:
        return
    _running(config).discard(record.get("test", ""))
    result = record.get("result") or {}
    judged = result.get("workflows", 0)
    total = sum((r.get("result") or {}).get("workflows", 0) for r in records)
    if is_control(record):
        verdict = REJECTED if record.get("outcome") == "passed" else "NOT REJECTED"
    else:
        verdict = result.get("verdict", "no verdict")
    p99 = ((record.get("stats") or {}).get("latency") or {}).get("p99")
    latency = f", p99 {p99:.1f}s" if p99 is not None else ""
    _write_line(
        config,
        writer,
        f"chaos < {short_name(record['fault'], 40)}: {judged} workflows judged, {verdict}"
        f"{latency} [{len(records)} chaos tests done, {total} workflows]",
    )
