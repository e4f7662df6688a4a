"""Replay: catch non-deterministic workflow changes before they ship.

- replayer.py: replays a history against workflow code, with failures a reviewer can act on;
- histories.py: history files (scrubbing run-specific fields, loading with named errors);
- scenarios.py: the scenarios whose histories are committed under suites/replay/histories/;
- drift.py: the guard that a history recorded now equals the committed one;
- recorder.py: the throwaway world a scenario is recorded in;
- record_cli.py: `stormproof record-histories`, the command that re-records them.
"""
