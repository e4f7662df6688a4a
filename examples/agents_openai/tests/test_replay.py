"""The support app's replay guard: its committed histories (examples/agents_openai/histories/,
recorded through the adapter by `stormproof record-histories`) replay against the current
workflow code, and a change that would break runs in flight (the lookup_in_workflow twin)
is rejected as `non-determinism`.

The replayer is given what the worker runs with: the Agents SDK's plugin (its runner turns
each model call back into the recorded activity) and the plain data converter the plugin
makes its own. Re-record after an intended change with
`stormproof record-histories --adapter examples.agents_openai.stormproof_adapter --out
examples/agents_openai/histories`, then review and commit the diff. (Its `--check` cannot
guard this app: each model response carries the provider's fresh ids and timestamps, so a
new recording always differs; replay is the guard.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from examples.agents_openai.stormproof_adapter import DEPLOYMENT
from examples.agents_openai.tests.helpers import WORKFLOWS
from stormproof.chaos.rolling_deploy import replay_guard
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.replay import (
    ReplayOutcome,
    ReplaySettings,
    load,
    load_workflows,
    make_replayer,
    relative,
    replay_file,
    require_replayed,
)

HISTORIES = Path(__file__).resolve().parent.parent / "histories"
ROOT = HISTORIES.parents[2]
TWIN_NAME = "lookup_in_workflow"  # workflow code: loaded as the replayer loads workflows
TWIN = f"examples.agents_openai.broken.{TWIN_NAME}:WORKFLOWS"
# What the worker runs with, as a team passes it to the replay suite:
# --replay-plugins temporalio.contrib.openai_agents:OpenAIAgentsPlugin
# --replay-data-converter temporalio.converter:DataConverter
PLUGIN = "temporalio.contrib.openai_agents:OpenAIAgentsPlugin"
CONVERTER = "temporalio.converter:DataConverter"
UNITS = ("triage", "triage_preconfirmed")


async def _replay(workflows: str, path: Path) -> ReplayOutcome:
    settings = ReplaySettings(workflows=workflows, data_converter=CONVERTER, plugins=(PLUGIN,))
    replayer = make_replayer(load_workflows(workflows), settings)
    return await replay_file(replayer, load(path), relative(path, [ROOT]), "committed")


def _committed() -> list[Path]:
    return sorted(HISTORIES.rglob("*.json"))


def test_every_unit_has_a_committed_history() -> None:
    names = {str(p.relative_to(HISTORIES)) for p in _committed()}
    assert names == {f"SupportTriage/{unit}.json" for unit in UNITS}, names


@pytest.mark.parametrize("path", _committed(), ids=lambda p: str(p.relative_to(HISTORIES)))
async def test_committed_history_replays(path: Path) -> None:
    outcome = await _replay(WORKFLOWS, path)
    expect(outcome.ok, BugClass.NON_DETERMINISM, outcome.message)


@pytest.mark.negative_control
@pytest.mark.parametrize("unit", UNITS)
async def test_negative_control_lookup_in_workflow_is_non_deterministic(unit: str) -> None:
    """The lookup read in the workflow: the recorded `lookup_order` activity is missing."""
    outcome = await _replay(TWIN, HISTORIES / "SupportTriage" / f"{unit}.json")
    with rejected_as(BugClass.NON_DETERMINISM):
        expect(outcome.ok, BugClass.NON_DETERMINISM, outcome.message)
    assert "lookup_order" in outcome.message, outcome.message


# Release 2, as the rolling deploy's guard judges it before shipping it (the adapter's
# Deployment: its histories, plugins and converter are the ones above).
RELEASE_TWIN = "unpatched_release_2"


async def test_release_2_replays_the_committed_histories() -> None:
    """The order read is behind workflow.patched: v1's histories replay on release 2."""
    outcomes = await replay_guard(DEPLOYMENT, DEPLOYMENT.next)
    assert len(outcomes) == len(_committed()), outcomes
    require_replayed(outcomes)


@pytest.mark.negative_control
async def test_negative_control_unpatched_release_2_is_non_deterministic() -> None:
    """The same change unpatched: a v1 history's first model call meets `lookup_order`."""
    twin = DEPLOYMENT.unpatched
    assert twin is not None and RELEASE_TWIN in twin.workflows, twin
    outcomes = await replay_guard(DEPLOYMENT, twin)
    with rejected_as(BugClass.NON_DETERMINISM) as caught:
        require_replayed(outcomes)
    assert "lookup_order" in str(caught.value), caught.value
