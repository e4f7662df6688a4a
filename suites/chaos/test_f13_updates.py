"""Fault 13: Updates under chaos. Sessions whose units declare Updates (Unit.updates: the
reference's chat, its first turn by Update-with-Start, five turns over three runs) run
under load while a fault strikes; every Update the client sent must be answered once, as
sent, and every effect of its handler must happen once, across continue-as-new too: a
unit that says `continues_as_new` must show every session crossing a run
(`expect_continued`).

- `updates-temporal-sigkill`: Temporal is SIGKILLed while turns are in flight. The client
  records each turn it cannot hear back about as unknown, reads it by its update id in each
  run before sending it again (a blind re-send after a continue-as-new is a second turn),
  and the verdict resolves what is still unknown at the end. Proof: some turn's outcome
  was unknown and answered all the same. Control: chat_forgets_turns, which continues as
  new without its count (turns renumbered: `message-lost`).
- `updates-client-link-cut`: every turn after the first goes through the judge's own
  proxy, whose answers are black-holed while four victims' second turns (the last of a
  chat's first run) wait on held LLM answers, until each turn is complete in Temporal: the
  turn was answered and the run continues as new while the client hears nothing. Proof:
  some sending's outcome was unknown to the client and answered all the same, by a later
  read. Control: the blind re-send (the same client sending an unknown turn again without
  reading it first): the re-sent turn lands in the next run, where its update id is new,
  and is answered as another turn (`message-lost`).
- `updates-worker-sigkill-in-handler`: a victim's turn handler awaits its LLM call; the
  reply lands, the worker is cut off from Temporal and SIGKILLed before the completion
  arrives, and a new worker runs the retry inside the same Update. Proof: Temporal retried
  that call (`expect_fired`). The turn must be answered once, with no more LLM calls than
  Temporal attempts, and on the reference the LLM asked once (its ledger). Control:
  memory_dedup, whose ledger dies with the process: the turn's question is asked again
  (`duplicate-effect`).

Deselected unless `-m updates` asks for them (`make updates`): the default chaos suite is
at its 6-minute budget. Under a team's adapter they run when a unit declares Updates.
"""

from __future__ import annotations

import pytest

from stormproof.adapter import CONTRACT
from stormproof.chaos import ChaosRun, assert_all_completed, needs
from stormproof.chaos.scenarios import (
    expect_continued,
    expect_in_flight,
    expect_updates,
    handler_death,
    judge_updates,
    link_cut_sessions,
    temporal_kill_sessions,
)
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.world import broken_argv

pytestmark = [
    needs(),  # units to start: the rows skip themselves when no unit declares Updates
    pytest.mark.updates,
    pytest.mark.local_server,
    pytest.mark.worker_process,
]


async def temporal_kill_row(chaos: ChaosRun, argv: list[str] | None = None) -> None:
    await temporal_kill_sessions(chaos, argv)
    result = await chaos.finish(timeout=150)
    verdict = await judge_updates(chaos)
    expect_updates(verdict)
    expect_continued(verdict)
    expect_in_flight(verdict, chaos.fault)
    await assert_all_completed(chaos, result)


async def link_cut_row(chaos: ChaosRun, *, blind: bool = False) -> None:
    await link_cut_sessions(chaos, blind=blind)
    result = await chaos.finish(timeout=150)
    verdict = await judge_updates(chaos)
    expect_updates(verdict)
    expect_continued(verdict)
    expect_in_flight(verdict, chaos.fault, unknown=True)
    await assert_all_completed(chaos, result)


async def handler_death_row(chaos: ChaosRun, argv: list[str] | None = None) -> None:
    death = await handler_death(chaos, argv)
    result = await chaos.finish(timeout=180)
    # The reference's ledger: its answered call is never asked again. A team's worker owes
    # what the checker counts for every adapter: no more LLM calls than Temporal attempts.
    ledger = [death.victim] if chaos.world.adapter.name == CONTRACT.name else []
    verdict = await judge_updates(chaos, once=ledger)
    expect_updates(verdict)
    expect_continued(verdict)
    await assert_all_completed(chaos, result)
    chaos.expect_fired(death.victim.workflow_id, death.activity)


@pytest.mark.chaos(fault="updates-temporal-sigkill")
@pytest.mark.chaos_long(seconds=60)
async def test_updates_through_temporal_sigkill(chaos: ChaosRun) -> None:
    await temporal_kill_row(chaos)


@pytest.mark.chaos(fault="updates-client-link-cut")
@pytest.mark.chaos_long(seconds=75)
@pytest.mark.toxiproxy
async def test_updates_through_a_cut_client_link(chaos: ChaosRun) -> None:
    await link_cut_row(chaos)


@pytest.mark.chaos(fault="updates-worker-sigkill-in-handler")
@pytest.mark.chaos_long(seconds=75)
async def test_worker_sigkill_inside_an_update_handler(chaos: ChaosRun) -> None:
    await handler_death_row(chaos)


# --- negative controls: the same rows, run on the reference's broken twins ----------------


@pytest.mark.negative_control
@pytest.mark.contract  # the reference's broken twins
@pytest.mark.chaos(fault="negative-control:updates chat_forgets_turns (must lose turns)")
@pytest.mark.chaos_long(seconds=60)
async def test_temporal_sigkill_rejects_chat_forgets_turns(chaos: ChaosRun) -> None:
    """The twin continues as new without its count: turns 3 and 5 come back as 1."""
    with rejected_as(BugClass.MESSAGE_LOST):
        await temporal_kill_row(chaos, broken_argv("chat_forgets_turns"))


@pytest.mark.negative_control
@pytest.mark.contract  # the reference's chat continues as new after its second turn
@pytest.mark.chaos(fault="negative-control:updates blind re-send (must renumber turns)")
@pytest.mark.chaos_long(seconds=75)
@pytest.mark.toxiproxy
async def test_link_cut_rejects_a_blind_resend(chaos: ChaosRun) -> None:
    """A client that sends an unknown turn again without reading it: the turn its first
    run answered is answered again, as the next run's turn."""
    with rejected_as(BugClass.MESSAGE_LOST):
        await link_cut_row(chaos, blind=True)


@pytest.mark.negative_control
@pytest.mark.contract
@pytest.mark.chaos(fault="negative-control:updates memory_dedup (must ask twice)")
@pytest.mark.chaos_long(seconds=75)
async def test_handler_death_rejects_memory_dedup(chaos: ChaosRun) -> None:
    """The twin's ledger lives in its process: the new worker asks the LLM the turn again."""
    with rejected_as(BugClass.DUPLICATE_EFFECT):
        await handler_death_row(chaos, broken_argv("memory_dedup"))
