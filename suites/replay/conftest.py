"""Parametrization and shared replayers for the replay suite.

Committed histories are collected as one test each, so a failure names the file. A team's
`--replay-dir` is parametrized the same way; when the folder is missing or empty the
suite collects a single test that fails saying so, because a replay check that replayed
nothing must never look like a pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.worker import Replayer

from stormproof.fixtures.config import SuiteConfig
from stormproof.replay.histories import HistoryFileError, Unreplayable, history_files, relative
from stormproof.replay.replayer import (
    DEFAULT_WORKFLOWS,
    WorkflowsSpecError,
    load_workflows,
    make_replayer,
)
from stormproof.replay.scenarios import HISTORIES_DIR


def committed_histories() -> list[Path]:
    return sorted(HISTORIES_DIR.rglob("*.json"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "committed_history" in metafunc.fixturenames:
        files = committed_histories()
        ids = [relative(p, [HISTORIES_DIR]) for p in files]
        metafunc.parametrize("committed_history", files, ids=ids)
    if "exported_history" in metafunc.fixturenames:
        from stormproof.fixtures.plugin import suite_config_of

        folder = suite_config_of(metafunc.config).replay_dir
        if folder is None:
            params: list[Path | Unreplayable | None] = [None]
            ids = ["no-replay-dir"]
        else:
            try:
                params = list(history_files(folder))
                ids = [relative(p, [folder]) for p in params]  # type: ignore[list-item]
            except HistoryFileError as exc:
                params, ids = [Unreplayable(str(exc))], ["unreplayable-replay-dir"]
        metafunc.parametrize("exported_history", params, ids=ids)


@pytest.fixture(scope="session")
def reference_replayer() -> Replayer:
    """The committed histories are the reference's, so they replay against its code."""
    return make_replayer(load_workflows(DEFAULT_WORKFLOWS))


@pytest.fixture(scope="session")
def user_replayer(suite_config: SuiteConfig) -> Replayer:
    """Replays a team's histories against `--workflows` (the reference by default).

    Tests ask for it only after their skip checks, so a bad --workflows fails the runs
    that use it with one readable line, and never the runs that do not.
    """
    try:
        workflows = load_workflows(suite_config.workflows)
    except WorkflowsSpecError as exc:
        problem = str(exc)
    else:
        return make_replayer(workflows)
    pytest.fail(problem, pytrace=False)
