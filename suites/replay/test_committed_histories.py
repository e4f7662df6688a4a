"""Every committed history replays against the current workflow code.

A change that would break workflows already running (an activity moved, removed or
added, a different branch taken) fails here, before it ships, with the history's file and
what the code did differently. If the change is intended for new runs only, put it behind
`workflow.patched(...)`; if no run of the old version can still exist, re-record.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from temporalio.worker import Replayer

from stormproof.replay import (
    HISTORIES_DIR,
    SCENARIOS,
    Scenario,
    load,
    payload_texts,
    relative,
    replay_file,
    require_replayed,
    scrub,
)

ROOT = HISTORIES_DIR.parent.parent.parent
# A temp dir, a real port, or a wall-clock timestamp other than the placeholder epoch.
_RUN_SPECIFIC = re.compile(r"/tmp/\S*|127\.0\.0\.1:\d+|20\d\d-\d\d-\d\dT[\d:.]+Z")


async def test_committed_history_replays(
    committed_history: Path, reference_replayer: Replayer
) -> None:
    source = relative(committed_history, [ROOT])
    outcome = await replay_file(reference_replayer, load(committed_history), source, "committed")
    require_replayed([outcome])


def test_every_scenario_has_a_committed_history() -> None:
    """A scenario without a file would replay nothing for that path of the code."""
    missing = [s.key for s in SCENARIOS if not s.path().is_file()]
    assert not missing, (
        f"no committed history for {missing}; run `stormproof record-histories` and commit "
        f"{relative(HISTORIES_DIR, [ROOT])}"
    )


def test_no_stray_committed_histories() -> None:
    """A file no scenario records would never be refreshed by the guard: it would rot."""
    expected = {s.path() for s in SCENARIOS}
    stray = sorted(str(p) for p in HISTORIES_DIR.rglob("*.json") if p not in expected)
    assert not stray, f"histories no scenario records (delete them or add a scenario): {stray}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.key for s in SCENARIOS])
def test_committed_history_is_scrubbed(scenario: Scenario) -> None:
    """Run-specific values must not leak into committed files, or every re-record churns."""
    path = scenario.path()
    history = json.loads(path.read_text())
    assert scrub(history) == history, f"{path} is not scrubbed: re-record it"
    texts = [path.read_text(), *payload_texts(history)]
    leaks = sorted({m for text in texts for m in _RUN_SPECIFIC.findall(text)})
    assert not leaks, f"{path} holds run-specific values: {leaks}"
