"""Parametrization, replayers and verdicts for the replay suite.

Committed histories are collected as one test each, so a failure names the file. A team's
`--replay-dir` is parametrized the same way; when the folder is missing or empty the
suite collects a single test that fails saying so, because a replay check that replayed
nothing must never look like a pass. The exported files are replayed in batches of many
files spread over the machine's cores (stormproof/replay/batch.py); each test reports its
own file's verdict.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Generator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from temporalio.worker import Replayer

from stormproof.replay import (
    DEFAULT_WORKFLOWS,
    HISTORIES_DIR,
    CannotJudge,
    ReplayOutcome,
    ReplaySettings,
    ReplaySetupError,
    Unreplayable,
    history_files,
    load_workflows,
    make_replayer,
    relative,
    replay_paths,
)
from stormproof.world import SuiteConfig, strip_ansi


def committed_histories() -> list[Path]:
    return sorted(HISTORIES_DIR.rglob("*.json"))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "committed_history" in metafunc.fixturenames:
        files = committed_histories()
        ids = [relative(p, [HISTORIES_DIR]) for p in files]
        metafunc.parametrize("committed_history", files, ids=ids)
    if "exported_history" in metafunc.fixturenames:
        from stormproof.world import suite_config_of

        folder = suite_config_of(metafunc.config).replay_dir
        if folder is None:
            params: list[Path | Unreplayable | None] = [None]
            ids = ["no-replay-dir"]
        else:
            try:
                params = list(history_files(folder))
                ids = [relative(p, [folder]) for p in params]  # type: ignore[list-item]
            except CannotJudge as exc:
                params, ids = [Unreplayable(exc.message(str(folder)))], ["unreplayable-replay-dir"]
        metafunc.parametrize("exported_history", params, ids=ids)


# The team's own histories (--replay-dir, --replay-query); every other test here replays the
# reference's committed histories and twins.
TEAM_TESTS = "test_team_histories.py"
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The reference's replay tests are the contract's (`contract`: a team's --adapter skips
    them); with --replay-dir or --replay-query only the team's histories are judged."""
    from stormproof.world import suite_config_of

    suite = suite_config_of(config)
    team = suite.replay_dir is not None or bool(suite.replay_query)
    reason = "[replay-dir] --replay-dir/--replay-query: only the team's histories are judged"
    for item in items:
        if not item.path.is_relative_to(HERE) or item.path.name == TEAM_TESTS:
            continue
        item.add_marker(pytest.mark.contract)
        if team:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, None]:
    """Captured output without terminal colour codes: the SDK core colours its log lines,
    and in a report or a CI log those codes are noise around the words."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    report.sections = [(title, strip_ansi(text)) for title, text in report.sections]


def _selected_exports(items: list[pytest.Item]) -> list[Path]:
    """The exported files of the tests this session runs (`-k` may have picked a few)."""
    found: set[Path] = set()
    for item in items:
        callspec = getattr(item, "callspec", None)
        value = callspec.params.get("exported_history") if callspec else None
        if isinstance(value, Path):
            found.add(value)
    return sorted(found)


@pytest.fixture(scope="session")
def replay_settings(suite_config: SuiteConfig) -> ReplaySettings:
    return ReplaySettings.of(suite_config, os.environ)


@pytest.fixture(scope="session")
def reference_replayer() -> Replayer:
    """The committed histories are the reference's, so they replay against its code."""
    return make_replayer(load_workflows(DEFAULT_WORKFLOWS))


@pytest.fixture(scope="session")
def user_replayer(replay_settings: ReplaySettings) -> Replayer:
    """Replays a team's histories against `--workflows` (the reference by default), with
    its converter, codec, plugins and interceptors.

    Tests ask for it only after their skip checks, so a bad option fails the runs that
    use it with one readable line, and never the runs that do not.
    """
    try:
        return make_replayer(load_workflows(replay_settings.workflows), replay_settings)
    except ReplaySetupError as exc:
        problem = str(exc)
    pytest.fail(problem, pytrace=False)


class ExportedVerdicts:
    """Verdicts of the exported histories this session selected, replayed a window of
    files at a time (in one batch over the cores) when a test first asks for one.

    A window keeps each test's share of the work bounded, so a folder of any size never
    runs into the per-test timeout. Batches run in their own thread and event loop: the
    tests' loop is already running when a test asks.
    """

    WINDOW = 1000

    def __init__(self, paths: list[Path], settings: ReplaySettings) -> None:
        self.paths, self.settings = paths, settings
        self.done: dict[Path, ReplayOutcome] = {}

    def of(self, path: Path) -> ReplayOutcome:
        """`path`'s verdict; raises ReplaySetupError when the options name no replayer."""
        if path not in self.done:
            start = self.paths.index(path) if path in self.paths else 0
            window = [p for p in [path, *self.paths[start:]] if p not in self.done]
            window = list(dict.fromkeys(window))[: self.WINDOW]
            with ThreadPoolExecutor(max_workers=1) as thread:
                batch = replay_paths(window, self.settings)
                outcomes = thread.submit(asyncio.run, batch).result()
            self.done.update(zip(window, outcomes, strict=True))
        return self.done[path]


@pytest.fixture(scope="session")
def exported_verdicts(
    request: pytest.FixtureRequest, replay_settings: ReplaySettings
) -> ExportedVerdicts:
    return ExportedVerdicts(_selected_exports(request.session.items), replay_settings)
