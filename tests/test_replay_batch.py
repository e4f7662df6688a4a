"""A folder replayed over several processes gives the same verdicts, in the same order, as
one process would, with the user's settings carried to every child."""

from __future__ import annotations

from pathlib import Path

import pytest

from stormproof.replay.batch import process_count, replay_paths
from stormproof.replay.scenarios import by_key
from stormproof.replay.settings import ReplaySettings, ReplaySetupError

HISTORIES = Path(__file__).parent / "replay_histories"
TEST_KEY = "c3Rvcm1wcm9vZi1yZXBsYXktdGVzdC1rZXktMzItYnk="  # build.py sealed encrypted.json with it


async def test_processes_keep_order_and_settings() -> None:
    paths = [
        by_key("ReportWorkflow/happy_path").path(),
        HISTORIES / "special" / "encrypted.json",
        HISTORIES / "special" / "reverse_truncated.json",
        HISTORIES / "formats" / "cli_current.json.gz",
        by_key("PingWorkflow/happy_path").path(),
        HISTORIES / "special" / "webui_data_only.json",
    ]
    settings = ReplaySettings(payload_key=TEST_KEY)
    outcomes = await replay_paths(paths, settings, processes=2, chunk=2)
    assert [o.source for o in outcomes] == [str(p) for p in paths]
    replayed, cannot = "replayed", "cannot judge"
    assert [o.verdict for o in outcomes] == [replayed, replayed, cannot, replayed, replayed, cannot]
    assert outcomes == await replay_paths(paths, settings, processes=1)


async def test_a_bad_option_fails_before_any_process_starts() -> None:
    with pytest.raises(ReplaySetupError, match="--replay-codec 'nope:codec': cannot import"):
        await replay_paths([Path("x.json")] * 3, ReplaySettings(codec="nope:codec"), processes=2)


def test_small_folders_stay_in_this_process() -> None:
    assert process_count(10) == 1
    assert process_count(1000) >= 1
