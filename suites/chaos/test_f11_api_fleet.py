"""Fault 11, the API tier: two replicas of the reference's HTTP API behind one entry point
(nginx), beside the worker fleet on the same world, lose one replica to SIGKILL or have one
frozen while clients keep submitting through the entry point.

Every submission carries an Idempotency-Key and is retried with it after a refusal, as the
API's contract asks. Every submission the entry point accepted (a 2xx with a workflow id)
must complete exactly once (the chaos checker, 100+ workflows a row); none may be accepted
and lost; every refusal during the fault must be clear (a 5xx or no answer, never a 2xx);
and every accepted workflow must read as completed through each replica
(stormproof/chaos/api_replicas.py).

These rows start the reference's own API: a team's adapter declares no HTTP API, so under
--adapter they are skipped with the reason (marked `contract`), never run against the
reference in the team's place. Deselected unless `-m fleet` asks for them (`make fleet`).
"""

from __future__ import annotations

import pytest

from stormproof.chaos import ChaosRun
from stormproof.chaos.api_replicas import api_replica_pause, api_replica_sigkill
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.reconnect import CONNECT_ONCE_ARGV
from stormproof.world import broken_argv

pytestmark = [
    pytest.mark.fleet,
    pytest.mark.contract,  # the reference's own API: an adapter declares none
    pytest.mark.local_server,
    pytest.mark.worker_process,
]


@pytest.mark.chaos(fault="fleet-api-replica-sigkill")
@pytest.mark.chaos_long(seconds=45)
async def test_fleet_api_replica_sigkill(chaos: ChaosRun) -> None:
    await api_replica_sigkill(chaos)


@pytest.mark.chaos(fault="fleet-api-replica-pause")
@pytest.mark.chaos_long(seconds=45)
async def test_fleet_api_replica_pause(chaos: ChaosRun) -> None:
    await api_replica_pause(chaos)


@pytest.mark.negative_control
@pytest.mark.chaos(fault="negative-control:fleet api connect_once (a start that ignores the key)")
@pytest.mark.chaos_long(seconds=45)
async def test_fleet_api_pause_rejects_connect_once(chaos: ChaosRun) -> None:
    """Thawed, the twin's replica works through the requests it held, whose keys the
    clients meanwhile had accepted through the other replica. The reference refuses a
    second start of a key's workflow (REJECT_DUPLICATE: 200, the same workflow); the twin
    starts with the SDK's default reuse policy and swallows any start error, so each held
    request whose workflow had already completed starts it a second time: two runs of one
    accepted submission, to a client long gone."""
    with rejected_as(BugClass.DUPLICATE_EFFECT):
        await api_replica_pause(chaos, CONNECT_ONCE_ARGV)


@pytest.mark.negative_control
@pytest.mark.chaos(fault="negative-control:fleet api accepts_before_start (a 202 before the start)")
@pytest.mark.chaos_long(seconds=150)
async def test_fleet_api_sigkill_rejects_accepts_before_start(chaos: ChaosRun) -> None:
    """The twin answers 202 once a submission is queued in its memory and starts the queued
    workflows one by one in the background (on the slowed link, about one a second), so the
    replica SIGKILLed holds submissions it accepted and never started; their clients, holding
    a 202, never submit them again. The checker finds them accepted and never run (it waits
    out its deadline for them first: this control takes about two minutes more than its row)."""
    with rejected_as(BugClass.LOST_WORKFLOW):
        await api_replica_sigkill(chaos, broken_argv("accepts_before_start"))
