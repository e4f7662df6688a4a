"""Effect, then death: the worker process dies after a side effect and before Temporal hears
of it, and a new process must not repeat the effect.

Fault 3 (scenarios.py) cuts the link and lets the same process retry; a worker that keeps
its deduplication in memory survives that. Here the process is SIGKILLed and replaced, so
only what the worker kept durably (a database row keyed by the report, a stable key, a
deterministic file, a ledger of LLM replies) can stop the repeat. For each effect kind:

1. its source holds the effect or its acknowledgement open for a moment (the fake LLM or
   the sink holds the request, PostgreSQL's replies crawl, or the worker's own completion
   crawls to Temporal), so the judge can
2. cut the worker's link to Temporal as soon as the effect is on its way: its completion
   can never arrive;
3. wait for the effect to land, then for Temporal to time the attempt out (read from the
   server directly: the retry is scheduled), which also gives the worker all the time it
   needs to finish what it does after the effect (writing its LLM ledger);
4. SIGKILL the worker, heal the link, start a new process on the same queue.

The new process runs the retry; the checker and `check_one_effect` then require exactly
one effect. `retried` proves the kill landed between effect and completion.

The llm, notification and service kinds run under any adapter with a unit that declares
LlmCalls, HttpDeliveries or ServiceCalls: its victim is such a unit, the cut waits for its
request in flight (at the fake LLM, at the sink, found by the declaration's owner_field, or
at the service's recording proxy, which holds the service's answer), and the attempt that
must time out is the activity Temporal reports running then (the reference's llm_call, a
team's create_response, post_webhook or call_agent), within that activity's own declared
timeouts. One answered call across the death is the contract's
own rule (its LLM ledger, docs/CONTRACT.md section 5), judged on the reference; for a
team's LlmCalls the checker's rule holds (no call beyond the attempts Temporal recorded),
and for its deliveries and service calls the checker's (one effect per idempotency key). Rows and
artifacts name the reference's steps.
"""

from __future__ import annotations

from typing import Literal

import psycopg
from temporalio.client import WorkflowExecutionStatus

from stormproof.adapter import CONTRACT, HttpDeliveries, LlmCalls, ServiceCalls
from stormproof.chaos.nemesis import LinkDown, WorkerCrash
from stormproof.chaos.run import ChaosRun
from stormproof.chaos.workload import Planned
from stormproof.checker import Anomaly
from stormproof.diagnosis import BugClass, expect, fail
from stormproof.effects import metadata_rows, story_artifact
from stormproof.fixtures.fake_llm import Delay
from stormproof.fixtures.recording_proxy import HoldReply, RecordingProxy, ServiceRequest
from stormproof.fixtures.sink import SinkDelay, mentions
from stormproof.fixtures.wait import wait_for

EffectKind = Literal["llm", "row", "notification", "artifact", "service"]
KINDS: tuple[EffectKind, ...] = ("llm", "row", "notification", "artifact", "service")
ACTIVITY = {
    "llm": "llm_call",
    "row": "store_report_metadata",
    "notification": "send_notification",
    "artifact": "save_story_artifact",
}
WORKFLOW = {"row": "report", "artifact": "story"}
# The kinds any adapter's unit can owe (its declaration names the unit); the others drive
# the contract's steps.
GENERIC: dict[EffectKind, type[LlmCalls] | type[HttpDeliveries] | type[ServiceCalls]] = {
    "llm": LlmCalls,
    "notification": HttpDeliveries,
    "service": ServiceCalls,
}
HOLD_SECONDS = 2.0
# The attempt's own timeout (heartbeat 15 s for llm_call, start_to_close 15 s for the
# others) plus the first retry interval and a loaded machine's slack.
TIMEOUT_WAIT = 45.0
SLOW_DB, SLOW_COMPLETION = "pg-slow-replies", "slow-completions"


async def effect_then_death(
    chaos: ChaosRun, kind: EffectKind, argv: list[str] | None = None, *, load: bool = False
) -> Planned:
    """Run one workflow whose `kind` effect lands, then its worker dies; a new one finishes.
    With `load`, under the continuous generator (the caller stops it)."""
    first = await chaos.start_worker(argv)
    if load:
        await chaos.load().begin()
    # llm and notification: any adapter's unit that owes one; row and artifact: the contract's
    owed = GENERIC.get(kind)
    victim = chaos.plan_owing(owed) if owed else chaos.workload.plan(WORKFLOW[kind])
    temporal, toxiproxy = chaos.link("temporal"), chaos.toxiproxy
    if kind in ("llm", "artifact"):
        chaos.world.fake_llm.script(victim.marker, [Delay(seconds=HOLD_SECONDS)])
    elif kind == "notification":
        chaos.world.sink.script(victim.workflow_id, [SinkDelay(seconds=HOLD_SECONDS)])
    elif kind == "service":  # the service answers (the effect lands), its reply is held
        hold = [HoldReply(seconds=HOLD_SECONDS)]
        _service(chaos, victim).script(victim.workflow_id, hold, aliases=[victim.marker])
    else:  # helpers, not the fault under test: not recorded as faults
        toxiproxy.add_toxic(chaos.link("postgres"), "latency", name=SLOW_DB, latency=700)
    await chaos.workload.start(victim)

    if kind == "artifact":  # the completion after the write must crawl, to be cut
        await chaos.wait_llm_in_flight(victim.marker)
        toxiproxy.add_toxic(
            temporal, "latency", name=SLOW_COMPLETION, stream="upstream", latency=2000
        )
    await wait_for(
        lambda: _on_its_way(chaos, kind, victim),
        what=f"the {kind} effect of {victim.workflow_id} on its way",
        timeout=60,
        interval=0.01,
        logs=chaos.logs(),
        retry_on=(psycopg.OperationalError,),
    )
    if kind in GENERIC:  # whatever the team named it: the activity running the request
        activity = (await chaos.wait_activity_running(victim.workflow_id)).activity
    else:
        activity = ACTIVITY[kind]
    cut = LinkDown(toxiproxy, temporal, "link-cut")
    await chaos.inject(cut)
    if kind == "row":
        toxiproxy.remove_toxic(chaos.link("postgres"), SLOW_DB)
    await wait_for(
        lambda: _landed(chaos, kind, victim),
        what=f"the {kind} effect of {victim.workflow_id} to land",
        timeout=30,
        logs=chaos.logs(),
    )
    await _attempt_timed_out(chaos, victim, activity)
    crash = WorkerCrash(first.process, lambda: chaos.start_worker(argv))
    await chaos.inject(crash)
    await chaos.heal(cut)  # the link first, so the new process can connect
    await chaos.heal(crash)
    return victim


def _on_its_way(chaos: ChaosRun, kind: EffectKind, victim: Planned) -> bool:
    """The moment to cut: the effect is held at its source, or has just landed."""
    if kind == "llm":
        return any(c.status is None for c in chaos.world.fake_llm.calls_for(victim.marker))
    if kind == "notification":
        return bool(chaos.deliveries_of(victim))
    if kind == "service":
        return bool(_calls(chaos, victim))
    return _landed(chaos, kind, victim)


def _landed(chaos: ChaosRun, kind: EffectKind, victim: Planned) -> bool:
    if kind == "llm":
        return any(c.status == 200 for c in chaos.world.fake_llm.calls_for(victim.marker))
    if kind == "notification":
        return any(d.accepted for d in chaos.deliveries_of(victim))
    if kind == "service":
        return any(r.ok for r in _calls(chaos, victim))
    if kind == "row":
        return bool(metadata_rows(chaos.database_url, victim.workflow_id))
    return story_artifact(chaos.artifact_dir, victim.workflow_id).is_file()


def _service(chaos: ChaosRun, victim: Planned) -> RecordingProxy:
    """The recording proxy of the service the victim's ServiceCalls effect names."""
    [name, *_] = [e.service for e in victim.unit.effects if isinstance(e, ServiceCalls)]
    return chaos.world.services[name]


def _calls(chaos: ChaosRun, victim: Planned) -> list[ServiceRequest]:
    """The victim's requests to its service (any outcome), by its id or marker in the body."""
    named = (victim.workflow_id, victim.marker)
    return [r for r in _service(chaos, victim).requests if any(mentions(r.raw, n) for n in named)]


async def _attempt_timed_out(chaos: ChaosRun, victim: Planned, activity: str) -> None:
    """Wait until Temporal has given up on the cut-off attempt and scheduled another."""
    handle = chaos.world.client.get_workflow_handle(victim.workflow_id)
    # By the activity's own declaration (a team's may give an agent call minutes), plus the
    # first retry and a loaded machine's slack; never less than the contract's steps need.
    noticed = await chaos.noticed_after(victim.workflow_id, activity)
    timeout = TIMEOUT_WAIT if noticed == float("inf") else max(TIMEOUT_WAIT, noticed + 30)

    async def retry_scheduled() -> bool:
        description = await handle.describe()
        if description.status != WorkflowExecutionStatus.RUNNING:
            fail(
                BugClass.LOST_WORKFLOW,
                f"{victim.workflow_id} closed ({description.status}) when {activity} timed "
                "out while cut off from Temporal, instead of retrying it",
            )
        pending = description.raw_description.pending_activities
        return any(a.activity_type.name == activity and a.attempt >= 2 for a in pending)

    await wait_for(
        retry_scheduled,
        what=f"Temporal to time out {activity} of {victim.workflow_id}",
        timeout=timeout,
        interval=0.5,
        logs=chaos.logs(),
    )


def check_one_effect(chaos: ChaosRun, kind: EffectKind, victim: Planned) -> None:
    """What the checker cannot count: one answered LLM call for the step (the checker allows
    a call per attempt), and one copy of the reply in the story (one file may hold two).
    A repeat found here is added to the run's verdict, so the chaos report shows it too."""
    if kind in GENERIC:
        hit = bool(chaos.retried_any(victim.workflow_id))
        missed = f"Temporal retried nothing of {victim.workflow_id}"
    else:
        hit = chaos.retried(victim.workflow_id, ACTIVITY[kind])
        missed = f"Temporal never retried {ACTIVITY[kind]} of {victim.workflow_id}"
    expect(hit, BugClass.FAULT_MISSED, missed)
    if kind == "llm" and chaos.world.adapter.name == CONTRACT.name:  # the contract's ledger
        answered = [c for c in chaos.world.fake_llm.calls_for(victim.marker) if c.status == 200]
        _verdict(chaos, "llm_calls", len(answered), victim.workflow_id)
        expect(
            len(answered) == 1,
            BugClass.DUPLICATE_EFFECT,
            f"{victim.workflow_id}: the LLM answered {len(answered)} times for one llm_call "
            "step across a worker death (a reply received before the death must be kept "
            "durably, not asked for again)",
        )
    if kind == "artifact":
        path = story_artifact(chaos.artifact_dir, victim.workflow_id)
        reply = next(c.reply for c in chaos.world.fake_llm.calls_for(victim.marker) if c.reply)
        copies = path.read_text().count(reply or "")
        _verdict(chaos, "artifacts", copies, victim.workflow_id)
        expect(
            copies == 1,
            BugClass.DUPLICATE_EFFECT,
            f"{path} holds the reply {copies} times after a worker death (written again by "
            "the new process)",
        )


def _verdict(chaos: ChaosRun, effect: str, seen: int, workflow_id: str) -> None:
    """Count `seen - 1` repeats of `effect` into the run's result."""
    result = chaos.result
    if result is None or seen <= 1:
        return
    detail = f"{effect}: {seen} where one is owed, across a worker death"
    bug = BugClass.DUPLICATE_EFFECT
    result.add(
        Anomaly(bug=bug, workflow_id=workflow_id, effect=effect, count=seen - 1, detail=detail)
    )
