"""Replay a team's own histories against its workflow code.

`--replay-dir DIR` replays files exported in any form (`temporal workflow show -o json`, the
Web UI's Download, older exports, gzip'd); `--replay-query "WorkflowType='ReportWorkflow'"`
replays straight from the target deployment's visibility. Both replay against `--workflows
module:attr` (the reference workflows by default) with the converter, codec, plugins and
interceptors the `--replay-*` options name, and connect with the usual TEMPORAL_* options.

Each history ends in one of three verdicts: replayed (passes), diverged (fails: the code
changed), cannot judge (fails: the file or the converter is the problem, with the fix).
Warnings (a history too old for some checks, a repaired file) show without failing. A
folder with nothing to replay, or a query matching nothing, fails rather than passes.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from temporalio.worker import Replayer

from stormproof.replay import (
    ReplayOutcome,
    ReplaySetupError,
    ReplayWarning,
    Unreplayable,
    replay_history,
    require_replayed,
)
from stormproof.world import SuiteConfig, connect

MAX_QUERY_HISTORIES = 500


def _replayer(request: pytest.FixtureRequest) -> Replayer:
    return request.getfixturevalue("user_replayer")


def _warn(outcome: ReplayOutcome) -> None:
    for message in outcome.warnings:
        warnings.warn(ReplayWarning(message), stacklevel=2)


async def test_exported_history_replays(
    exported_history: Path | Unreplayable | None, request: pytest.FixtureRequest
) -> None:
    if exported_history is None:
        pytest.skip("pass --replay-dir DIR (or STORMPROOF_REPLAY_DIR) to replay exported histories")
    if isinstance(exported_history, Unreplayable):
        pytest.fail(exported_history.message, pytrace=False)
    try:
        outcome = request.getfixturevalue("exported_verdicts").of(exported_history)
    except ReplaySetupError as exc:
        problem = str(exc)  # failed outside the except, so no "during handling" noise
    else:
        problem = ""
    if problem:
        pytest.fail(problem, pytrace=False)
    _warn(outcome)
    require_replayed([outcome])


async def test_live_histories_replay(
    suite_config: SuiteConfig, request: pytest.FixtureRequest
) -> None:
    query = suite_config.replay_query
    if not query:
        pytest.skip(
            "pass --replay-query \"WorkflowType='ReportWorkflow'\" to replay live histories"
        )
    user_replayer = _replayer(request)
    client = await connect(suite_config)
    outcomes: list[ReplayOutcome] = []
    async for history in client.list_workflows(query, limit=MAX_QUERY_HISTORIES).map_histories():
        started = history.events[0].workflow_execution_started_event_attributes
        run_id = started.original_execution_run_id or "?"
        source = f"workflow {history.workflow_id} (run {run_id}) from --replay-query {query!r}"
        outcome = await replay_history(user_replayer, source, history, "live")
        _warn(outcome)
        outcomes.append(outcome)
    target = suite_config.address or suite_config.profile
    assert outcomes, (
        f"--replay-query {query!r} matched no workflows on {target} namespace "
        f"{suite_config.namespace}, so nothing was replayed; fix: check the query in the Web "
        "UI or with `temporal workflow list --query ...`"
    )
    require_replayed(outcomes)
