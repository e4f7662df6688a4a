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
