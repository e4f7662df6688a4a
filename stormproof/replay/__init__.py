"""Replay: catch non-deterministic workflow changes before they ship.

- replayer.py: replays a history against workflow code and reaches a verdict;
- verdicts.py: the three verdicts (replayed, diverged, cannot judge) and their messages;
- formats.py: every export form of a history, normalised once into the CLI's JSON;
- ui_payloads.py: payloads the Web UI download decoded, re-encoded where that is sound;
- payload_check.py: whether the converter (and codec) can read a history's payloads;
- settings.py: the workflows, converter, codec, plugins and interceptors replayed with;
- batch.py: a folder of histories replayed fast, one process per core;
- histories.py: history files (loading with named errors, scrubbing run-specific fields);
- scenarios.py: the scenarios whose histories are committed under suites/replay/histories/;
- drift.py: the guard that a history recorded now equals the committed one;
- recorder.py: the throwaway world a scenario is recorded in;
- record_cli.py: `stormproof record-histories`, the command that re-records them.
"""

from stormproof.replay.batch import replay_paths
from stormproof.replay.drift import HEADLINE, drift_report, history_diff, read_committed
from stormproof.replay.histories import (
    Unreplayable,
    history_files,
    load,
    payload_texts,
    relative,
    scrub,
    write,
)
from stormproof.replay.record_cli import record_scrubbed
from stormproof.replay.replayer import load_workflows, make_replayer, replay_file, replay_history
from stormproof.replay.scenarios import HISTORIES_DIR, SCENARIOS, Scenario, by_key
from stormproof.replay.settings import DEFAULT_WORKFLOWS, ReplaySettings, ReplaySetupError
from stormproof.replay.verdicts import CannotJudge, ReplayOutcome, ReplayWarning, require_replayed

__all__ = [
    "DEFAULT_WORKFLOWS",
    "HEADLINE",
    "HISTORIES_DIR",
    "SCENARIOS",
    "CannotJudge",
    "ReplayOutcome",
    "ReplaySettings",
    "ReplaySetupError",
    "ReplayWarning",
    "Scenario",
    "Unreplayable",
    "by_key",
    "drift_report",
    "history_diff",
    "history_files",
    "load",
    "load_workflows",
    "make_replayer",
    "payload_texts",
    "read_committed",
    "record_scrubbed",
    "relative",
    "replay_file",
    "replay_history",
    "replay_paths",
    "require_replayed",
    "scrub",
    "write",
]
