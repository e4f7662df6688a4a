"""Fault 11: a fleet of worker replicas (STORMPROOF_FLEET_SIZE, default 3) on one task queue
loses one to SIGKILL, has one frozen, or is restarted one replica at a time, under load.

Seed 001 deploys two worker replicas: these are its everyday faults. Each fault aims at the
replica Temporal says runs a victim's activity (the worker identity of its pending
activity, the SDK's `<pid>@<host>`), whatever the adapter names its activities:

- `fleet-replica-sigkill`: the other replicas keep serving; the victim's attempt resumes
  on one of them within the bound its own declared timeouts give, before any replacement
  starts (`stalled-after-worker-death` otherwise: the no_heartbeat_timeout twin);
- `fleet-replica-pause`: the frozen replica's late completion, after another replica ran
  the attempt again, must not count twice (the non_idempotent_notify twin mints a second
  notification key: `duplicate-effect`);
- `fleet-rolling-restart`: SIGTERM each replica in turn, while a victim's LLM request is
  held on it; it must drain that attempt and exit 0, its replacement must poll before the
  next goes, and the queue never has no poller (the exits_at_once_on_sigterm twin drops
  the attempt: `no-drain`).

Deselected unless `-m fleet` asks for them (`make fleet`): they do not fit the default
chaos suite's 6 minutes. The controls are marked negative_control too, so `-m "fleet and
not negative_control"` runs the rows alone.
"""

from __future__ import annotations

import pytest

from stormproof.adapter import LlmCalls
from stormproof.chaos import ChaosRun, assert_all_completed, needs
from stormproof.chaos.scenarios import (
    expect_drained,
    replica_pause,
    replica_sigkill,
    rolling_restart,
)
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.world import broken_argv

pytestmark = [
    pytest.mark.fleet,
    pytest.mark.local_server,
    pytest.mark.worker_process,
    needs(LlmCalls),
]


async def sigkill_row(
    chaos: ChaosRun, argv: list[str] | None = None, kind: str | None = None
) -> None:
    hit, replica = await replica_sigkill(chaos, argv, kind)
    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)
    chaos.expect_fired(hit.workflow_id, hit.activity)
    assert not replica.process.running(), f"{replica.process.name} outlived its SIGKILL"


async def pause_row(chaos: ChaosRun, argv: list[str] | None = None) -> None:
    hit, replica = await replica_pause(chaos, argv)
    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)
    chaos.expect_fired(hit.workflow_id, hit.activity)
    assert replica.process.running(), f"the thawed {replica.process.name} must live on"


async def rolling_row(chaos: ChaosRun, argv: list[str] | None = None) -> None:
    drained = await rolling_restart(chaos, argv)
    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)
    expect_drained(chaos, drained)


@pytest.mark.chaos(fault="fleet-replica-sigkill")
@pytest.mark.chaos_long(seconds=30)
async def test_fleet_replica_sigkill(chaos: ChaosRun) -> None:
    await sigkill_row(chaos)


@pytest.mark.chaos(fault="fleet-replica-pause")
@pytest.mark.chaos_long(seconds=30)
async def test_fleet_replica_pause(chaos: ChaosRun) -> None:
    await pause_row(chaos)


@pytest.mark.chaos(fault="fleet-rolling-restart")
@pytest.mark.chaos_long(seconds=55)
async def test_fleet_rolling_restart(chaos: ChaosRun) -> None:
    await rolling_row(chaos)


# --- negative controls: the same rows, run on a fleet of broken twins ---------------------


@pytest.mark.negative_control
@pytest.mark.contract  # the reference's broken twins
@pytest.mark.chaos(fault="negative-control:fleet no_heartbeat_timeout (must stall)")
@pytest.mark.chaos_long(seconds=60)
async def test_fleet_sigkill_rejects_no_heartbeat_timeout(chaos: ChaosRun) -> None:
    """The twin's report llm_call sits out its 2-minute start_to_close after its replica
    dies (its stories keep the heartbeat timeout, so the victim is a report)."""
    with rejected_as(BugClass.STALLED_AFTER_WORKER_DEATH):
        await sigkill_row(chaos, broken_argv("no_heartbeat_timeout"), kind="report")


@pytest.mark.negative_control
@pytest.mark.contract
@pytest.mark.chaos(fault="negative-control:fleet non_idempotent_notify (must be invalid)")
@pytest.mark.chaos_long(seconds=30)
async def test_fleet_pause_rejects_non_idempotent_notify(chaos: ChaosRun) -> None:
    """The frozen replica's delivery and the retry's carry two keys: a second notification."""
    with rejected_as(BugClass.DUPLICATE_EFFECT):
        await pause_row(chaos, broken_argv("non_idempotent_notify"))


@pytest.mark.negative_control
@pytest.mark.contract
@pytest.mark.chaos(fault="negative-control:fleet exits_at_once_on_sigterm (must not drain)")
@pytest.mark.chaos_long(seconds=50)
async def test_fleet_rolling_restart_rejects_exits_at_once_on_sigterm(chaos: ChaosRun) -> None:
    """SIGTERM ends the twin at once: the held attempt is dropped and run again elsewhere."""
    with rejected_as(BugClass.NO_DRAIN):
        await rolling_row(chaos, broken_argv("exits_at_once_on_sigterm"))
