"""Effect, then death: the worker process dies after a side effect and before Temporal hears
of it, and a new process must not repeat the effect. One death per effect kind the adapter
declares, one after another in one run.

Fault 3 (effect_then_outage.py) cuts the link and lets the same process retry; a worker
that keeps its deduplication in memory survives that. Here the process is SIGKILLed and
replaced, so only what the worker kept durably (a row keyed by the unit, a stable key, a
deterministic file, a ledger of LLM replies) can stop the repeat. For each declared kind
(`DECLARATION`), on a victim among the units that owe it (`plan_owing`):

1. the effect or the worker's answer to it is made to linger: the fake LLM, the sink or the
   recording proxy holds the victim's request (the proxy: the service's reply) for
   `HOLD_SECONDS`; PostgreSQL's replies crawl (a latency toxic), so a row is visible while
   the worker still waits for its commit; for a file, the worker's completions to Temporal
   crawl, so the file is on disk while its completion is on the way;
2. as soon as the effect is on its way (held at its source, or landed for a row or file),
   the worker's link to Temporal is cut: the attempt's completion can never arrive;
3. once the effect has landed (and, for the reference, its LLM ledger row is written, as
   the contract's section 5 says it is before the step completes; a twin that keeps no
   ledger is given `LEDGER_GRACE`), the worker is SIGKILLed, the link healed and a new
   process started on the same queue.

Temporal then times the cut-off attempts out (each by its own declared timeouts), and the
process alive then runs the retries; each death's timeout runs while the next kind is
staged, so N kinds cost one attempt timeout. The checker and `check_one_effect` judge the
victims (death_checks.py); `retried` proves each kill met its attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Literal

import psycopg
from temporalio.client import WorkflowExecutionStatus

from stormproof.adapter import CONTRACT, Files, HttpDeliveries, LlmCalls, Rows, ServiceCalls
from stormproof.chaos.nemesis import LinkDown, WorkerCrash
from stormproof.chaos.observe import files, rows_of
from stormproof.chaos.run import ChaosRun
from stormproof.chaos.workload import Planned
from stormproof.diagnosis import BugClass, fail
from stormproof.effects.attempts import fetch_activity_attempts
from stormproof.effects.rows import query_rows
from stormproof.fixtures.errors import WaitTimeout
from stormproof.fixtures.fake_llm import Delay
from stormproof.fixtures.recording_proxy import HoldReply, RecordingProxy, ServiceRequest
from stormproof.fixtures.sink import SinkDelay, mentions
from stormproof.fixtures.wait import wait_for

EffectKind = Literal["llm", "notification", "service", "row", "file"]
KINDS: tuple[EffectKind, ...] = ("llm", "notification", "service", "row", "file")
DECLARATION: dict[EffectKind, type[LlmCalls | HttpDeliveries | ServiceCalls | Rows | Files]] = {
    "llm": LlmCalls,
    "notification": HttpDeliveries,
    "service": ServiceCalls,
    "row": Rows,
    "file": Files,
}
HOLD_SECONDS = 2.0
# The contract's attempt timeouts (15 s), its first retry and a loaded machine's slack.
TIMEOUT_WAIT = 45.0
SLOW_DB, SLOW_COMPLETION = "pg-slow-replies", "slow-completions"
# The contract's ledger (docs/CONTRACT.md section 5): written after the reply, before the
# step completes; a death before it legitimately asks again.
LEDGER_GRACE = 5.0
LEDGER = "SELECT workflow_id FROM stormproof_llm_replies WHERE workflow_id = :tag"


@dataclass(frozen=True)
class Death:
    """One staged death: the kind, its victim, and the attempt the kill cut off."""

    kind: EffectKind
    victim: Planned
    activity: str


def declared(chaos: ChaosRun) -> tuple[list[EffectKind], list[str]]:
    """The kinds the run's adapter declares, and a line per kind it does not."""
    kinds = [k for k in KINDS if chaos.units_owing(DECLARATION[k])]
    lacking = [
        f"{k}: no unit of {chaos.world.adapter.name!r} declares {DECLARATION[k].__name__}"
        for k in KINDS
        if k not in kinds
    ]
    return kinds, lacking


async def deaths(
    chaos: ChaosRun,
    kinds: list[EffectKind],
    argv: list[str] | None = None,
    *,
    load: bool = False,
) -> list[Death]:
    """A death after each kind's effect, in turn; returns once Temporal has scheduled every
    victim's retry. With `load`, under the continuous generator (the caller stops it)."""
    await chaos.start_worker(argv)
    if load:
        await chaos.load().begin()
    staged = [await _death(chaos, kind, argv) for kind in kinds]
    await asyncio.gather(*(_attempt_timed_out(chaos, d) for d in staged))
    return staged


async def _death(chaos: ChaosRun, kind: EffectKind, argv: list[str] | None) -> Death:
    victim = chaos.plan_owing(DECLARATION[kind])
    temporal, toxiproxy = chaos.link("temporal"), chaos.toxiproxy
    if kind == "llm":
        chaos.world.fake_llm.script(victim.marker, [Delay(seconds=HOLD_SECONDS)])
    elif kind == "notification":
        chaos.world.sink.script(victim.workflow_id, [SinkDelay(seconds=HOLD_SECONDS)])
    elif kind == "service":  # the service answers (the effect lands), its reply is held
        hold = [HoldReply(seconds=HOLD_SECONDS)]
        _service(chaos, victim).script(victim.workflow_id, hold, aliases=[victim.marker])
    elif kind == "row":  # helpers, not the fault under test: not recorded as faults
        toxiproxy.add_toxic(chaos.link("postgres"), "latency", name=SLOW_DB, latency=700)
    elif chaos.world.adapter.name == CONTRACT.name or _calls_llm(victim):
        # The file follows an LLM call: hold it, and slow completions only meanwhile.
        chaos.world.fake_llm.script(victim.marker, [Delay(seconds=HOLD_SECONDS)])
    else:
        _slow_completions(chaos)
    await chaos.workload.start(victim)

    if kind == "file" and _calls_llm(victim):
        await chaos.wait_llm_in_flight(victim.marker)
        _slow_completions(chaos)
    await wait_for(
        lambda: _on_its_way(chaos, kind, victim),
        what=f"the {kind} effect of {victim.workflow_id} on its way",
        timeout=60,
        interval=0.01,
        logs=chaos.logs(),
        retry_on=(psycopg.OperationalError,),
    )
    cut = LinkDown(toxiproxy, temporal, f"link-cut:{kind}")
    await chaos.inject(cut)
    if kind == "row":
        toxiproxy.remove_toxic(chaos.link("postgres"), SLOW_DB)
    # Temporal keeps the cut-off attempt started until it times out: whatever it is named.
    activity = (await chaos.wait_activity_running(victim.workflow_id)).activity
    await wait_for(
        lambda: _landed(chaos, kind, victim),
        what=f"the {kind} effect of {victim.workflow_id} to land",
        timeout=30,
        logs=chaos.logs(),
        retry_on=(psycopg.OperationalError,),
    )
    if kind == "llm" and chaos.world.adapter.name == CONTRACT.name:
        await _ledger_written(chaos, victim)
    crash = WorkerCrash(chaos.worker.process, lambda: chaos.start_worker(argv))
    await chaos.inject(crash)
    await chaos.heal(cut)  # the link first (and its toxics gone), so the new one connects
    await chaos.heal(crash)
    return Death(kind, victim, activity)


async def _ledger_written(chaos: ChaosRun, victim: Planned) -> None:
    """Give the reference the moment its contract allows to keep the reply durably (its
    ledger row, written right after the reply); one that keeps none (memory_dedup) is
    judged by what its retry asks again, not waited for."""
    row = lambda: query_rows(chaos.database_url, LEDGER, {"tag": victim.workflow_id})  # noqa: E731
    with contextlib.suppress(WaitTimeout):
        await wait_for(row, what="the ledger row", timeout=LEDGER_GRACE, interval=0.05)


def _calls_llm(victim: Planned) -> bool:
    return any(isinstance(e, LlmCalls) for e in victim.unit.effects)


def _slow_completions(chaos: ChaosRun) -> None:
    """The worker's messages to Temporal crawl: a file is on disk while its completion is
    still on the way. Removed when the cut heals."""
    chaos.toxiproxy.add_toxic(
        chaos.link("temporal"), "latency", name=SLOW_COMPLETION, stream="upstream", latency=2000
    )


def _on_its_way(chaos: ChaosRun, kind: EffectKind, victim: Planned) -> bool:
    """The moment to cut: the effect is held at its source, or has just landed."""
    if kind == "llm":
        return any(c.status is None for c in chaos.world.fake_llm.calls_for(victim.marker))
    if kind == "notification":
        return bool(chaos.deliveries_of(victim))
    if kind == "service":
        return bool(_calls(chaos, victim))
    return _effect_seen(chaos, kind, victim)


def _landed(chaos: ChaosRun, kind: EffectKind, victim: Planned) -> bool:
    if kind == "llm":
        return any(c.status == 200 for c in chaos.world.fake_llm.calls_for(victim.marker))
    if kind == "notification":
        return any(d.accepted for d in chaos.deliveries_of(victim))
    if kind == "service":
        return any(r.ok for r in _calls(chaos, victim))
    return _effect_seen(chaos, kind, victim)


def _effect_seen(chaos: ChaosRun, kind: EffectKind, victim: Planned) -> bool:
    """The victim's row or file, read through its own declaration."""
    for effect in victim.unit.effects:
        if kind == "row" and isinstance(effect, Rows):
            found = rows_of(chaos.database_url, effect, chaos.tag) or []
        elif kind == "file" and isinstance(effect, Files):
            found = files(chaos.artifact_dir, effect, chaos.tag)
        else:
            continue
        if any(o.owner == victim.workflow_id for o in found):
            return True
    return False


def _service(chaos: ChaosRun, victim: Planned) -> RecordingProxy:
    """The recording proxy of the service the victim's ServiceCalls effect names."""
    [name, *_] = [e.service for e in victim.unit.effects if isinstance(e, ServiceCalls)]
    return chaos.world.services[name]


def _calls(chaos: ChaosRun, victim: Planned) -> list[ServiceRequest]:
    """The victim's requests to its service (any outcome), by its id or marker in the body."""
    named = (victim.workflow_id, victim.marker)
    return [r for r in _service(chaos, victim).requests if any(mentions(r.raw, n) for n in named)]


async def _attempt_timed_out(chaos: ChaosRun, death: Death) -> None:
    """Wait until Temporal has given up on the cut-off attempt and scheduled another."""
    victim, activity = death.victim, death.activity
    handle = chaos.world.client.get_workflow_handle(victim.workflow_id)
    # By the activity's own declaration (a team's may give an agent call minutes), plus the
    # first retry and a loaded machine's slack; never less than the contract's steps need.
    noticed = await chaos.noticed_after(victim.workflow_id, activity)
    timeout = TIMEOUT_WAIT if noticed == float("inf") else max(TIMEOUT_WAIT, noticed + 30)

    async def retry_scheduled() -> bool:
        description = await handle.describe()
        pending = [
            a
            for a in description.raw_description.pending_activities
            if a.activity_type.name == activity
        ]
        if pending:
            return any(a.attempt >= 2 for a in pending)
        # Closed meanwhile: its retry may have run already, on the process alive then.
        if (await fetch_activity_attempts(handle, activity)).retried:
            return True
        if description.status != WorkflowExecutionStatus.RUNNING:
            fail(
                BugClass.LOST_WORKFLOW,
                f"{victim.workflow_id} closed ({description.status}) when {activity} timed "
                "out while cut off from Temporal, instead of retrying it",
            )
        return False

    await wait_for(
        retry_scheduled,
        what=f"Temporal to time out {activity} of {victim.workflow_id} ({death.kind})",
        timeout=timeout,
        interval=0.5,
        logs=chaos.logs(),
    )
