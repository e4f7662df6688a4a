"""Progress of a chaos run in pytest's terminal: which fault started, which finished, how many
workflows have been judged so far.

A user watching a five-minute chaos suite should not stare at a line of dots. Under xdist
only the controller writes to the terminal, and it hears of a test when it starts (the
`pytest_runtest_logstart` that xdist forwards) and when its record arrives with the
teardown report, so both are lines written by the controller's terminal reporter: the
`-n 2` output stays one stream, and JUnit (built from reports, not the terminal) is
untouched. Lines are whole lines (`write_line` ends the dots' line first).
"""

from __future__ import annotations

from typing import Any

import pytest

from stormproof.chaos_table import REJECTED, is_control, short_name

RUNNING_KEY = pytest.StashKey[set[str]]()
CHAOS_PATH = "chaos/test_"


def _writer(config: pytest.Config) -> Any:
    return config.pluginmanager.get_plugin("terminalreporter")


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
    writer.write_line(f"chaos > {nodeid.rsplit('::', 1)[-1]} started ({len(running)} running)")


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
    writer.write_line(
        f"chaos < {short_name(record['fault'], 40)}: {judged} workflows judged, {verdict}"
        f"{latency} [{len(records)} chaos tests done, {total} workflows]"
    )
