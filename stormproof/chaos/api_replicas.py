"""The API-replica rows: one API replica SIGKILLed, or frozen, while clients keep submitting.

The public module of the API tier (docs/API.md): it exports stormproof/chaos/api_fleet.py's
names too.

Both run on a worker fleet (`chaos.start_fleet()`) and an `ApiFleet` (two API replicas
behind one entry point, stormproof/chaos/api_fleet.py) on the same world, under clients
submitting through the entry point at RATE a second until MINIMUM units are submitted:

- `api_replica_sigkill`: the replica that answered the last accepted submission is
  SIGKILLed with starts in flight on it; the entry point must keep accepting through the
  other one, and the killed replica, started again, must serve again. Its starts in flight
  are the requests it cut, or, from an API that answers 202 before Temporal has the
  workflow, the 202s it answered faster than the slowed link lets a start be acknowledged
  (`ApiFleet.unconfirmed`): the starts it held die with it (the accepts_before_start twin:
  `lost-workflow`, the checker's accepted workflows that never ran);
- `api_replica_pause`: that replica is frozen for PAUSE_SECONDS (past the entry point's
  read timeout, so its requests are refused and retried on the other), then thawed: it
  then works through the requests it held, each for a key already accepted elsewhere.

After the chaos checker (every accepted workflow completed, every effect exactly once),
`expect_api_answers` judges what the clients saw: every answer a 2xx with a workflow id
or a clear refusal (a 5xx, no answer), never a 2xx without one or a 4xx (`api-contract`);
every submission accepted in the end (`unresponsive`); and every accepted workflow read as
completed through each replica's status route (`lost-workflow`: a replica that parked a
start it failed says PENDING forever). The thawed replica's held requests are where an API
that ignores the key's one-workflow promise starts a second run of a workflow already
completed (the connect_once twin: `duplicate-effect`, the checker's runs).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

import httpx

from stormproof.chaos.api_fleet import (
    API_ARGV,
    Answer,
    ApiFleet,
    ApiReplicaCrash,
    ApiReplicaPause,
    Submission,
)
from stormproof.chaos.completion import assert_all_completed
from stormproof.diagnosis import BugClass, expect
from stormproof.fixtures.wait import wait_for
from stormproof.reconnect import ApiProcess

if TYPE_CHECKING:
    from stormproof.chaos.run import ChaosRun

RATE = 8.0  # submissions a second through the entry point
MINIMUM = 100  # submissions (workflows judged) per row
KINDS = ("story", "report")
IN_FLIGHT = 4  # submissions in flight when the SIGKILL lands (round robin: some on the victim)
WARM = 10  # submissions accepted before the fault, and through the survivor during it
PAUSE_SECONDS = 8.0  # past the entry point's read timeout (5 s): held requests are refused
log = logging.getLogger(__name__)

__all__ = [
    "MINIMUM",
    "Answer",
    "ApiFleet",
    "ApiReplicaCrash",
    "ApiReplicaPause",
    "Clients",
    "Submission",
    "api_replica_pause",
    "api_replica_sigkill",
    "expect_api_answers",
]


class Clients:
    """Clients submitting through `fleet`'s entry point at RATE a second, from entry until
    MINIMUM submissions are out and the row said stop; exit waits for every submission."""

    def __init__(self, fleet: ApiFleet):
        self.fleet = fleet
        self.tasks: list[asyncio.Task[object]] = []
        self._stop = False
        self._loop: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Clients:
        self._loop = asyncio.create_task(self._submitting())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop = True
        assert self._loop is not None
        if exc is not None:
            self._loop.cancel()
            for task in self.tasks:
                task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._loop
            await asyncio.gather(*self.tasks)

    async def _submitting(self) -> None:
        while not (self._stop and len(self.tasks) >= MINIMUM):
            kind = KINDS[len(self.tasks) % len(KINDS)]
            self.tasks.append(asyncio.create_task(self.fleet.submit(kind)))
            await asyncio.sleep(1 / RATE)  # wait-ok: the clients' pace (an open-loop load)

    def accepted(self, since: float, replica: ApiProcess | None = None) -> list[Answer]:
        """Accepting answers sent after `since` (by `replica` only, when given)."""
        return [
            a
            for s in self.fleet.submissions
            for a in s.answers
            if a.accepted
            and a.at >= since
            and (replica is None or self.fleet.replica_at(a.upstream) is replica)
        ]

    async def wait_accepted(
        self, since: float, n: int, replica: ApiProcess | None = None, timeout: float = 60
    ) -> Answer:
        """Wait until `n` answers after `since` accepted (by `replica`); the latest."""
        who = replica.process.name if replica else "the entry point"

        def enough() -> list[Answer] | None:
            got = self.accepted(since, replica)
            return sorted(got, key=lambda a: a.at) if len(got) >= n else None

        found = await wait_for(
            enough,
            what=f"{n} submissions accepted by {who}",
            timeout=timeout,
            interval=0.05,
            logs=self.fleet.logs(),
        )
        return found[-1]


async def _serving(fleet: ApiFleet, clients: Clients) -> ApiProcess:
    """The replica that answered the latest of WARM accepted submissions: the victim."""
    last = await clients.wait_accepted(0.0, WARM)
    victim = fleet.replica_at(last.upstream)
    assert victim is not None, f"no replica answers to the entry point's {last.upstream!r}"
    return victim


async def api_replica_sigkill(chaos: ChaosRun, argv: Sequence[str] = API_ARGV) -> ApiFleet:
    """SIGKILL the replica serving the clients; the survivor accepts, the restart serves."""
    await chaos.start_fleet()
    async with ApiFleet(chaos, argv, slow=True) as fleet:  # starts in flight when it dies
        async with Clients(fleet) as clients:
            victim = await _serving(fleet, clients)
            await wait_for(  # requests in flight, or starts the victim answered but may hold
                lambda: fleet.in_flight + len(fleet.unconfirmed(victim)) >= IN_FLIGHT,
                what=f"{IN_FLIGHT} starts in flight: requests through the entry point, or "
                f"202s {victim.process.name} answered before Temporal could have the workflow",
                timeout=30,
                logs=fleet.logs(),
            )
            async with chaos.faulted(fleet.crash(victim)):
                killed = time.monotonic()
                await clients.wait_accepted(killed, WARM)  # through the survivor
            await clients.wait_accepted(time.monotonic(), 1, replica=victim)  # back in service
        cut = [
            a
            for s in fleet.submissions
            for a in s.answers
            if a.refused and a.at < killed and fleet.replica_at(a.upstream) is victim
        ]
        expect(
            cut or fleet.unconfirmed(victim, before=killed),
            BugClass.FAULT_MISSED,
            f"the SIGKILL of {victim.process.name} met no start in flight on it: it cut no "
            "request, and the replica had answered none before Temporal could have it",
        )
        await judge(chaos, fleet)
    return fleet


async def api_replica_pause(chaos: ChaosRun, argv: Sequence[str] = API_ARGV) -> ApiFleet:
    """Freeze the replica serving the clients past the entry point's read timeout, thaw it."""
    await chaos.start_fleet()
    async with ApiFleet(chaos, argv) as fleet:
        async with Clients(fleet) as clients:
            victim = await _serving(fleet, clients)
            async with chaos.faulted(ApiReplicaPause(victim.process)):
                frozen = time.monotonic()
                await clients.wait_accepted(frozen, WARM)  # through the other replica
                await chaos.hold(PAUSE_SECONDS - (time.monotonic() - frozen))
            thawed = time.monotonic()
            await clients.wait_accepted(thawed, 1, replica=victim)  # serving again
        refused = [
            a for s in fleet.submissions for a in s.answers if a.refused and frozen <= a.at < thawed
        ]
        expect(
            refused,
            BugClass.FAULT_MISSED,
            f"no submission was refused while {victim.process.name} was frozen: the "
            "pause met no request in flight",
        )
        await judge(chaos, fleet)
    return fleet


async def judge(chaos: ChaosRun, fleet: ApiFleet) -> None:
    """The chaos checker on every accepted workflow, then what the clients saw."""
    fleet.slow_link(False)  # the clients are done: the reads need no slow link
    result = await chaos.finish(timeout=120)
    await assert_all_completed(chaos, result)
    await expect_api_answers(fleet)


async def expect_api_answers(fleet: ApiFleet) -> None:
    """Clear answers, every submission accepted, every accepted workflow read as completed
    through each replica (see the module's docstring for the classes)."""
    subs = fleet.submissions
    expect(len(subs) >= MINIMUM, BugClass.FAULT_MISSED, f"only {len(subs)} submissions ran")
    for s in subs:
        for a in s.answers:
            clear = a.refused or (a.accepted and a.duplicate is (a.status == 200))
            expect(
                clear,
                BugClass.API_CONTRACT,
                f"submission {s.key} got {a.describe()} {a.error!r} (duplicate={a.duplicate}): "
                "an answer is a 202 (200 for a key that already started one) with its "
                "workflow id, or a refusal (5xx, no answer), never anything else",
            )
    refused = [s for s in subs if s.accepted is None]
    expect(
        not refused,
        BugClass.UNRESPONSIVE,
        f"{len(refused)} submissions were refused for good with a replica serving: "
        + "; ".join(f"{s.key}: {s.answers[-1].describe()}" for s in refused[:5]),
    )
    accepted = [s.accepted.workflow_id for s in subs if s.accepted and s.accepted.workflow_id]
    for replica in fleet.replicas:
        await _reads_completed(replica, accepted)
    answers = [a for s in subs for a in s.answers]
    log.info(
        "%d submissions, %d accepted, %d answers (%d refused); by replica: %s",
        len(subs),
        len(accepted),
        len(answers),
        sum(a.refused for a in answers),
        {
            r.process.name: len([a for a in answers if fleet.replica_at(a.upstream) is r])
            for r in fleet.replicas
        },
    )


async def _reads_completed(replica: ApiProcess, workflow_ids: list[str]) -> None:
    """Each workflow's status route on `replica` says COMPLETED (Temporal's checker agreed)."""
    gate = asyncio.Semaphore(8)

    async def status(wid: str) -> tuple[str, str]:
        async with gate:
            try:
                response = await replica.http.get(f"/api/workflows/{wid}")
            except httpx.TransportError as exc:
                return wid, f"no answer ({type(exc).__name__})"
            if response.status_code != 200:
                return wid, f"{response.status_code} {response.text[:120]}"
            return wid, str(response.json().get("status"))

    found = await asyncio.gather(*(status(wid) for wid in workflow_ids))
    wrong = [f"{wid}: {said}" for wid, said in found if said != "COMPLETED"]
    expect(
        not wrong,
        BugClass.LOST_WORKFLOW,
        f"{replica.process.name} reads {len(wrong)} accepted workflows, which completed in "
        f"Temporal, as not completed (a start it failed and parked?): {wrong[:5]}",
    )
