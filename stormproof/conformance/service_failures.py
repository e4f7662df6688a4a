"""An adapter's own services failing every way they can, judged against its declaration.

For each Service an adapter declares and each failure mode (refused, reset mid-request,
no answer, 5xx, 429 with a retry hint, 4xx, a malformed body), one unit that calls the
service (its ServiceCalls effect) runs on a chaos run's world, where the worker reaches
the service through a Toxiproxy link of the run's own and the service's recording proxy.
The connection modes are the link's (disabled, `reset_peer`, `timeout`); the answers are
the recording proxy's, in the service's place (`ProxyAnswer`), so the service never saw
the failed request and no effect landed with it.

The Service's `final` says what the worker owes (stormproof/adapter/models.py):
- a transient mode fails the call once, then heals: Temporal must retry the step (a run
  that closes first is `retry-classification`), the unit completes as check_result says,
  and the service's effect lands once (`lost-effect` / `duplicate-effect`);
- a final mode fails every call: the unit must close without a retry (a retried step is
  `retry-classification`), failing with `final_error` when declared (`wrong-error-type`)
  or completing as check_result says, with exactly one request and no effect.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any, Literal, get_args

from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError, WorkflowHandle

from stormproof.adapter import Adapter, Service, ServiceCalls, Unit, UnitContext
from stormproof.adapter.service import ServiceFailure
from stormproof.chaos import ChaosRun
from stormproof.diagnosis import BugClass, Finding, expect
from stormproof.effects import failure_messages, failure_types
from stormproof.fixtures.fake_llm import new_marker, tag
from stormproof.fixtures.recording_proxy import ProxyAnswer, RecordingProxy, ServiceRequest
from stormproof.fixtures.wait import wait_for

__all__ = ["MODES", "Case", "cases", "check_service_failure"]

MODES: tuple[ServiceFailure, ...] = get_args(ServiceFailure)
# Answered by the recording proxy in the service's place; the others are the link's.
ANSWERS: dict[str, ProxyAnswer] = {
    "5xx": ProxyAnswer(status=503),
    "429": ProxyAnswer(status=429, headers={"Retry-After": "1"}),
    "4xx": ProxyAnswer(status=400, body='{"error": "the request is not understood"}'),
    "malformed": ProxyAnswer(status=200, body="<html>upstream maintenance</html>"),
}
# A final mode answers every request so: a retry would meet it again, and be counted.
FINAL_REPEATS = 50
# How long a mode may take to show: a silent link waits out the worker's own timeout.
DEADLINE_SECONDS = 150.0
TOPIC = "Ask the service a question the suite can trace."


@dataclass(frozen=True)
class Case:
    """One service, one failure mode, and the unit that calls the service."""

    service: Service
    unit: Unit
    effect: ServiceCalls
    mode: ServiceFailure

    @property
    def final(self) -> bool:
        return self.mode in self.service.final

    @property
    def id(self) -> str:
        return f"{self.service.name}-{self.mode}"


def cases(adapter: Adapter) -> list[Case]:
    """Every declared service's every mode, each with the first unit owing calls to it."""
    found: list[Case] = []
    for service in adapter.services:
        owing = [
            (unit, effect)
            for unit in adapter.plain_units
            for effect in unit.effects
            if isinstance(effect, ServiceCalls) and effect.service == service.name
        ]
        if owing:
            unit, effect = owing[0]
            found += [Case(service, unit, effect, mode) for mode in MODES]
    return found


@dataclass
class CaseRun:
    """The case's unit started on the chaos run, and what its service's proxy saw of it."""

    chaos: ChaosRun
    case: Case
    ctx: UnitContext
    handle: WorkflowHandle[Any, Any]

    @property
    def proxy(self) -> RecordingProxy:
        return self.chaos.world.services[self.case.service.name]

    @property
    def link(self) -> str:
        return self.chaos.link(f"svc-{self.case.service.name}")

    def requests(self) -> list[ServiceRequest]:
        path = self.case.effect.path
        return [
            r
            for r in self.proxy.requests
            if (not path or r.path.split("?")[0] == path)
            and (self.ctx.marker in r.raw or self.ctx.workflow_id in r.raw)
        ]

    def effects(self) -> int:
        """The service's effects for this unit: its 2xx answers, one per key when keyed."""
        landed = [r for r in self.requests() if r.ok]
        header = self.case.effect.idempotency_header
        return len({r.header(header) for r in landed}) if header else len(landed)

    def shown(self) -> str:
        statuses = [("proxy" if r.injected else r.status, r.status) for r in self.requests()]
        return (
            f"{self.ctx.workflow_id} ({self.case.unit.name}) with {self.case.service.name} "
            f"{self.case.mode}; its requests (who answered, status): {statuses}"
        )


async def start(chaos: ChaosRun, case: Case) -> CaseRun:
    """The fault in place first (a link's, or the proxy's answers for this unit), then the
    unit, so its first call to the service meets it."""
    marker = new_marker()
    unit = case.unit
    ctx = UnitContext(
        workflow_id=f"{chaos.tag}-sf-{case.id}-{uuid.uuid4().hex[:6]}",
        marker=marker,
        text=tag(marker, TOPIC),
        task_queue=chaos.task_queue,
        artifact_dir=chaos.artifact_dir,
        tag=chaos.tag,
    )
    link = chaos.link(f"svc-{case.service.name}")
    if case.mode in ANSWERS:
        answer = ANSWERS[case.mode].model_copy(update={"times": FINAL_REPEATS if case.final else 1})
        chaos.world.services[case.service.name].script(ctx.workflow_id, [answer], [marker])
    elif case.mode == "refused":
        chaos.toxiproxy.set_enabled(link, False)  # nothing listens: connections refused
    elif case.mode == "reset":
        chaos.toxiproxy.add_toxic(link, "reset_peer", name="sf-reset", timeout=0)
    else:  # read-timeout: the link swallows every byte, both ways
        chaos.toxiproxy.add_toxic(link, "timeout", name="sf-silent", timeout=0)
    if unit.llm_answers is not None:
        chaos.world.fake_llm.answer(marker, unit.llm_answers(ctx))
    handle = await chaos.world.client.start_workflow(
        unit.workflow_type,
        args=unit.build_input(ctx),
        id=ctx.workflow_id,
        task_queue=ctx.task_queue,
    )
    if unit.drive is not None:
        await unit.drive(ctx, handle)
    return CaseRun(chaos, case, ctx, handle)


def heal(run: CaseRun) -> None:
    """The link back as it was (an answer script is the unit's own and ends with it)."""
    if run.case.mode == "refused":
        run.chaos.toxiproxy.set_enabled(run.link, True)
    elif run.case.mode not in ANSWERS:
        run.chaos.toxiproxy.heal(run.link)


async def first_sign(run: CaseRun) -> Literal["retried", "closed"]:
    """Which came first: Temporal retrying a step of the unit, or the unit closing."""

    async def sign() -> Literal["retried", "closed"] | None:
        described = await run.handle.describe()
        if described.status != WorkflowExecutionStatus.RUNNING:
            return "closed"
        pending = described.raw_description.pending_activities
        return "retried" if any(p.attempt >= 2 for p in pending) else None

    return await wait_for(
        sign, what=f"a retry or the close of {run.shown()}", timeout=DEADLINE_SECONDS, interval=0.2
    )


async def outcome(run: CaseRun) -> tuple[Any, WorkflowFailureError | None]:
    try:
        return await asyncio.wait_for(run.handle.result(), DEADLINE_SECONDS), None
    except WorkflowFailureError as failure:
        return None, failure


def check_result(run: CaseRun, result: Any) -> None:
    check = run.case.unit.check_result
    problem = check(run.ctx, result) if check else None
    expect(problem is None, BugClass.WRONG_EFFECT, f"{run.shown()}: check_result says {problem}")


async def check_transient(run: CaseRun) -> None:
    """Retried, then healed: completed as check_result says, the effect landed once."""
    try:
        sign = await first_sign(run)
    finally:
        heal(run)
    result, failure = await outcome(run)
    if sign == "closed" or failure is not None:
        why = failure_messages(failure) if failure else f"completed with {result!r} unretried"
        raise Finding(
            BugClass.RETRY_CLASSIFICATION,
            f"{run.shown()}: {run.case.mode} is transient for this service (its `final` is "
            f"{sorted(run.case.service.final)}), so the step must be retried; {why}",
        )
    check_result(run, result)
    effects, owed = run.effects(), run.case.effect.per_unit
    expect(
        effects == owed,
        BugClass.LOST_EFFECT if effects < owed else BugClass.DUPLICATE_EFFECT,
        f"{run.shown()}: {effects} effect(s) landed at the service, {owed} owed",
    )


async def check_final(run: CaseRun) -> None:
    """Never retried: the unit closes failing with final_error (or completing as
    check_result says), one request reached the proxy at most, no effect landed."""
    try:
        sign = await first_sign(run)
    finally:
        heal(run)
    expect(
        sign == "closed",
        BugClass.RETRY_CLASSIFICATION,
        f"{run.shown()}: the adapter declares {run.case.mode} final for this service, yet "
        "Temporal retried the step",
    )
    result, failure = await outcome(run)
    expected = run.case.service.final_error
    if failure is not None and expected:
        types = failure_types(failure)
        expect(
            expected in types,
            BugClass.WRONG_ERROR_TYPE,
            f"{run.shown()}: failed with types {types}, not {expected}: "
            f"{failure_messages(failure)}",
        )
    elif failure is None:
        check_result(run, result)
    calls = len(run.requests())
    expect(calls <= 1, BugClass.RETRY_CLASSIFICATION, f"{run.shown()}: {calls} requests")
    expect(run.effects() == 0, BugClass.UNEXPECTED_EFFECT, f"{run.shown()}: an effect landed")


async def check_service_failure(chaos: ChaosRun, case: Case) -> None:
    """The case's mode, judged as the service's declaration says."""
    run = await start(chaos, case)
    await (check_final(run) if case.final else check_transient(run))
