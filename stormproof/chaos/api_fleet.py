"""API replicas behind one entry point, on a chaos run's world, and clients submitting through it.

A team runs its HTTP API, the part that starts workflows, as two or more replicas behind
one load balancer, beside its worker fleet. `ApiFleet` starts that tier on one chaos run:
`n` replicas of an API command (the reference's, `python -m stormproof.reference.cli api`,
or a broken twin) pointed at the run's Temporal, task queue and world, behind nginx
(fixtures/http_balancer.py), each answer naming the replica that gave it. `submit` is one
client's submission: it posts a planned unit through the entry point with an
Idempotency-Key and retries every refusal (5xx, a cut connection, a timeout) with the same
key, as the API's contract asks, until an answer accepts it (202, or 200 for a key that
already started one). Every answer is kept (`Submission.answers`); an accepted unit's
planned id becomes the workflow id the API answered, so the chaos checker judges that
workflow and its effects (the API names its ids under the run's tag:
STORMPROOF_API_WORKFLOW_ID_PREFIX); its attempts go into the chaos history each at the
time it happened (`record`), so its latency counts from its first attempt. The rows and
their checks: stormproof/chaos/api_replicas.py.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from stormproof.chaos.nemesis import WorkerCrash, WorkerPause
from stormproof.chaos.workload import Planned
from stormproof.fixtures.http_balancer import UPSTREAM_HEADER, HttpBalancer
from stormproof.operations import OperationLog
from stormproof.reconnect import API_ARGV, ApiProcess

if TYPE_CHECKING:
    from stormproof.chaos.run import ChaosRun

API_REPLICAS = 2
PREFIX_VARIABLE = "STORMPROOF_API_WORKFLOW_ID_PREFIX"
ROUTES = {"story": "/api/stories", "report": "/api/reports"}  # the reference API's
CLIENT_SECONDS = 8.0  # a client's own timeout, past the entry point's 5 s read timeout
SUBMIT_SECONDS = 45.0  # a submission refused for this long is refused for good
RETRY_SECONDS = 0.3  # a client's pause between two attempts of one submission
READY_SECONDS = 60.0
# The replicas reach Temporal through a link of their own; the SIGKILL row slows it this much
# each way while the clients submit: a start then takes about a second, so the replica killed
# has requests in flight (as a cross-zone link makes it in production).
LINK_LATENCY_MS = 500
# On the slow link no start is acknowledged faster: a 202 that came sooner was answered
# before Temporal had the workflow (never by the reference, whose 202 means it has it).
ROUND_TRIP_SECONDS = 2 * LINK_LATENCY_MS / 1000


@dataclass(frozen=True)
class Answer:
    """One attempt of a submission through the entry point, as the client saw it."""

    at: float  # time.monotonic() when it was sent
    status: int | None  # None: no HTTP answer (a cut connection, the client's timeout)
    upstream: str | None  # the replica that answered (the entry point's header)
    workflow_id: str | None
    duplicate: bool | None
    error: str = ""
    sent: float = 0.0  # time.time() when it was sent: the history's clock
    answered: float = 0.0  # time.time() when its answer, or its failure, came

    @property
    def accepted(self) -> bool:
        return self.status in (200, 202) and bool(self.workflow_id)

    @property
    def refused(self) -> bool:
        """A clear refusal: a 5xx, or no answer at all."""
        return self.status is None or self.status >= 500

    def describe(self) -> str:
        said = f"{self.status}" if self.status is not None else f"no answer ({self.error})"
        return f"{said} from {self.upstream or 'the entry point'}"


@dataclass
class Submission:
    """One planned unit submitted through the entry point until accepted or given up."""

    item: Planned
    key: str
    answers: list[Answer] = field(default_factory=list)

    @property
    def accepted(self) -> Answer | None:
        return next((a for a in self.answers if a.accepted), None)


class ApiReplicaCrash(WorkerCrash):
    """SIGKILL one API replica's process group; heal starts it again on the same port."""

    name = "api-replica-sigkill"


class ApiReplicaPause(WorkerPause):
    """SIGSTOP one API replica's group (a frozen VM, a GC pause); heal is SIGCONT."""

    name = "api-replica-sigstop"


class ApiFleet:
    """`n` API replicas of `argv` and their entry point on `chaos`'s world (async with)."""

    def __init__(
        self,
        chaos: ChaosRun,
        argv: Sequence[str] = API_ARGV,
        n: int = API_REPLICAS,
        *,
        slow: bool = False,
    ) -> None:
        self.chaos, self.slow = chaos, slow
        self.link = chaos.toxiproxy.create(f"{chaos.tag}-api", chaos.world.temporal.address)
        chaos.proxies["api"] = self.link  # deleted with the run's other proxies
        env = {
            **chaos.endpoints().environment(chaos.task_queue),
            "TEMPORAL_ADDRESS": self.link.address,
            PREFIX_VARIABLE: f"{chaos.tag}-",
        }
        self.replicas = [ApiProcess(argv, env, chaos.tmp, f"api{i + 1}") for i in range(n)]
        self.entry = HttpBalancer([f"127.0.0.1:{r.port}" for r in self.replicas], chaos.tmp)
        self.http = httpx.AsyncClient(base_url=self.entry.base_url, timeout=CLIENT_SECONDS)
        self.submissions: list[Submission] = []
        self.in_flight = 0  # attempts sent through the entry point and not yet answered

    async def __aenter__(self) -> ApiFleet:
        try:
            for replica in self.replicas:
                replica.start()
            for replica in self.replicas:
                await replica.wait_ready(timeout=READY_SECONDS)
            await self.entry.start()
            self.slow_link(self.slow)
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop the entry point and every replica (a frozen one is thawed to be stopped)."""
        await self.http.aclose()
        self.entry.stop()
        for replica in self.replicas:
            await replica.close()

    def slow_link(self, slow: bool) -> None:
        """Add LINK_LATENCY_MS each way on the replicas' link to Temporal, or remove it."""
        toxiproxy = self.chaos.toxiproxy
        if not slow:
            toxiproxy.heal(self.link.name)
            return
        for stream in ("upstream", "downstream"):
            toxiproxy.add_toxic(self.link.name, "latency", stream=stream, latency=LINK_LATENCY_MS)

    def logs(self) -> dict[str, Any]:
        found: dict[str, Any] = {r.process.name: r.process.log_path for r in self.replicas}
        return {**found, **self.entry.logs()}

    def replica_at(self, upstream: str | None) -> ApiProcess | None:
        """The replica an answer's upstream header names (its last address, if several)."""
        last = (upstream or "").split(",")[-1].strip()
        return next((r for r in self.replicas if last.endswith(f":{r.port}")), None)

    def unconfirmed(self, replica: ApiProcess, before: float = math.inf) -> list[Answer]:
        """202s `replica` answered to attempts sent before `before` (monotonic), on the slow
        link, faster than Temporal could have acknowledged their starts: starts the replica
        may still hold (none from an API that keeps the 202's promise)."""
        if not self.slow:
            return []
        return [
            a
            for s in self.submissions
            for a in s.answers
            if a.status == 202
            and a.at < before
            and a.answered - a.sent < ROUND_TRIP_SECONDS
            and self.replica_at(a.upstream) is replica
        ]

    def crash(self, replica: ApiProcess) -> ApiReplicaCrash:
        """The SIGKILL of `replica`, healed by starting it again (ready once /ready is 200)."""

        async def restart() -> None:
            replica.process.start()
            await replica.wait_ready(timeout=READY_SECONDS)

        return ApiReplicaCrash(replica.process, restart)

    async def submit(self, kind: str) -> Submission:
        """Plan a unit of `kind` and submit it until accepted (or SUBMIT_SECONDS pass);
        the chaos history records its start under the id the API answered."""
        workload, history = self.chaos.workload, self.chaos.history
        item = workload.plan(kind)
        sent = Submission(item, key=item.workflow_id)
        self.submissions.append(sent)
        body = item.unit.build_input(item.context)[0]
        give_up = time.monotonic() + SUBMIT_SECONDS
        while True:
            answer = await self._attempt(ROUTES[item.kind], body, sent.key)
            sent.answers.append(answer)
            if answer.accepted or not answer.refused or time.monotonic() >= give_up:
                break
            await asyncio.sleep(RETRY_SECONDS)  # wait-ok: backoff between retries of a bounded loop
        if answer.accepted and answer.workflow_id:
            item.workflow_id = answer.workflow_id
            item.context = item.context.model_copy(update={"workflow_id": answer.workflow_id})
            workload.accepted.append(item)
        record(history, sent)
        return sent

    async def _attempt(self, path: str, body: dict[str, Any], key: str) -> Answer:
        at, sent = time.monotonic(), time.time()
        self.in_flight += 1
        try:
            response = await self.http.post(path, json=body, headers={"Idempotency-Key": key})
        except httpx.TransportError as exc:
            error = type(exc).__name__
            return Answer(at, None, None, None, None, error, sent=sent, answered=time.time())
        finally:
            self.in_flight -= 1
        answered = time.time()
        upstream = response.headers.get(UPSTREAM_HEADER)
        try:
            parsed = response.json()
        except ValueError:
            parsed = None
        payload = parsed if isinstance(parsed, dict) else {}
        wid = payload.get("workflow_id")
        duplicate = payload.get("duplicate")
        return Answer(
            at,
            response.status_code,
            upstream,
            wid if isinstance(wid, str) else None,
            duplicate if isinstance(duplicate, bool) else None,
            error="" if response.status_code < 300 else response.text[:200],
            sent=sent,
            answered=answered,
        )


def record(history: OperationLog, sent: Submission) -> None:
    """`sent`'s attempts in the chaos history, each at the time it happened: an invoke when
    it was sent, then ok (the accepting answer), info (a refusal: the start may have landed)
    or fail (any other answer). All under the id the API answered, known only once one did
    (the planned id when none did), so they are written afterwards with their own times:
    the report's latency counts from the first attempt, when the client asked (its
    definition, stormproof/report/stats.py), not from the answer that accepted it, which
    can come after the workflow completed (a start that landed, its answer cut)."""
    item = sent.item
    fields = {"workflow": item.workflow_type, "unit": item.kind, "marker": item.marker}
    for n, answer in enumerate(sent.answers, start=1):
        history.start("invoke", item.workflow_id, at=answer.sent, attempt=n, **fields)
        if answer.accepted:
            history.start("ok", item.workflow_id, at=answer.answered, via=answer.upstream)
        else:
            outcome = "info" if answer.refused else "fail"
            history.start(outcome, item.workflow_id, at=answer.answered, error=answer.describe())
