"""The contract's properties for any adapter: one unit run, and the checks of its LLM calls.

The conformance judge (judge.py) drives the contract's own workflows; these checks drive
any adapter's units (a team's, or the reference's through `stormproof.adapter.CONTRACT`)
on a TeamWorld (stormproof/replay/team.py: Temporal, the fake LLM, the sink, the
adapter's services and worker). Each reads the effect from its source (the fake LLM's log
by the unit's marker, Temporal's history), never from the worker:

- under a 429 storm, LLM calls == Temporal attempts of the activities that made them (an
  SDK retrying on its own spends calls Temporal never saw: `wasted-llm-call`), and the
  unit completes correctly;
- one 429 with a retry hint: the one retried activity starts no earlier than the hint and
  at most the documented tolerance later (timing.py: HINT_LATE_SECONDS + HINT_LATE_SHARE
  of the hint), judged in the time-skipping server's virtual time;
- a 400 is final: one call, no retry; the unit fails, or completes as check_result says;
- the happy path: the adapter's check_result holds.

A unit that owes no LlmCalls cannot be judged on the LLM properties: `missing` says so.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError, WorkflowHandle

from stormproof.adapter import Adapter, LlmCalls, Unit, UnitContext
from stormproof.conformance.timing import HINT_LATE_SECONDS, HINT_LATE_SHARE, Hint, hint_of
from stormproof.diagnosis import BugClass, Finding, expect
from stormproof.effects import activity_attempts
from stormproof.fixtures.config import SuiteConfig
from stormproof.fixtures.fake_llm import Fault, LlmCall, new_marker, tag
from stormproof.replay.team import TeamWorld

RESULT_DEADLINE_SECONDS = 90.0
TOPIC = "Summarise the quarterly incident review."


def worker_argv_for(adapter: Adapter, suite_config: SuiteConfig) -> list[str]:
    """The adapter's worker_cmd unless --worker-cmd names one (the reference has none: the
    suite's worker command runs it)."""
    if adapter.worker_cmd and not suite_config.worker_cmd_given:
        return list(adapter.worker_cmd)
    return suite_config.worker_argv


def llm_effect(unit: Unit) -> LlmCalls | None:
    """The unit's LlmCalls effect (None: the LLM properties cannot judge it)."""
    return next((e for e in unit.effects if isinstance(e, LlmCalls)), None)


def missing(unit: Unit, declaration: str, needed_by: str) -> str:
    """The skip reason of a property `unit` cannot be judged on."""
    return (
        f"unit {unit.name!r} declares no {declaration}, without which {needed_by} cannot be judged"
    )


@dataclass
class UnitRun:
    """One unit started on a TeamWorld, with the context its adapter was handed."""

    team: TeamWorld
    unit: Unit
    ctx: UnitContext
    handle: WorkflowHandle[Any, Any]

    @property
    def calls(self) -> list[LlmCall]:
        return self.team.fake_llm.calls_for(self.ctx.marker)

    def statuses(self) -> list[int | None]:
        return [c.status for c in self.calls]

    async def outcome(self) -> tuple[Any, BaseException | None]:
        """(result, None) when the workflow completed, (None, failure) when it failed."""
        try:
            result = await asyncio.wait_for(self.handle.result(), RESULT_DEADLINE_SECONDS)
        except WorkflowFailureError as exc:
            return None, exc
        except TimeoutError:
            raise Finding(
                BugClass.LOST_WORKFLOW,
                f"{self.ctx.workflow_id} ({self.unit.name}) did not close within "
                f"{RESULT_DEADLINE_SECONDS:.0f}s; LLM statuses {self.statuses()}",
            ) from None
        return result, None

    async def completed(self, why: str, bug: BugClass = BugClass.LOST_WORKFLOW) -> Any:
        """The result, which the adapter's check_result must accept."""
        result, failure = await self.outcome()
        expect(
            failure is None,
            bug,
            f"{self.ctx.workflow_id} ({self.unit.name}) failed, yet {why}: {failure!r}; "
            f"LLM statuses {self.statuses()}",
        )
        self.check_result(result)
        return result

    def check_result(self, result: Any) -> None:
        problem = self.unit.check_result(self.ctx, result) if self.unit.check_result else None
        expect(
            problem is None,
            BugClass.WRONG_EFFECT,
            f"{self.ctx.workflow_id} ({self.unit.name}): the adapter's check_result says: "
            f"{problem}",
        )

    async def attempts(self) -> dict[str, Any]:
        events = [e async for e in self.handle.fetch_history_events()]
        return activity_attempts(events)


async def start_unit(
    team: TeamWorld, unit: Unit, task_queue: str, faults: Sequence[Fault] = ()
) -> UnitRun:
    """Start `unit` on `task_queue` with `faults` scripted on its first LLM requests (then
    the unit's own llm_answers), and drive it."""
    marker = new_marker()
    ctx = UnitContext(
        workflow_id=f"prop-{unit.name.replace('_', '-')}-{uuid.uuid4().hex[:10]}",
        marker=marker,
        text=tag(marker, TOPIC),
        task_queue=task_queue,
        artifact_dir=team.base.artifact_dir,
        tag="prop-",
    )
    if faults:
        team.fake_llm.script(marker, faults)
    if unit.llm_answers is not None:
        team.fake_llm.answer(marker, unit.llm_answers(ctx))
    handle = await team.client.start_workflow(
        unit.workflow_type, args=unit.build_input(ctx), id=ctx.workflow_id, task_queue=task_queue
    )
    if unit.drive is not None:
        await unit.drive(ctx, handle)
    return UnitRun(team, unit, ctx, handle)


async def check_no_wasted_calls(run: UnitRun, effect: LlmCalls) -> None:
    """Every LLM call is one Temporal attempt of the activities that make them."""
    found = await run.attempts()
    names = effect.activities or list(found)
    attempts = sum(found[n].attempts for n in names if n in found)
    calls = run.calls
    shown = f"{run.ctx.workflow_id}: the fake LLM saw {len(calls)} calls {run.statuses()}"
    expect(
        len(calls) <= attempts,
        BugClass.WASTED_LLM_CALL,
        f"{shown} but Temporal ran {attempts} attempts of {names}: retries outside "
        "Temporal's (an SDK's own?) spent calls nobody recorded",
    )
    expect(
        len(calls) == attempts,
        BugClass.RETRY_CLASSIFICATION,
        f"{shown} but Temporal ran {attempts} attempts of {names}: some attempt never "
        "reached the LLM (are the LlmCalls activities right?)",
    )


async def retried_activity(run: UnitRun) -> tuple[str, float]:
    """The one activity execution Temporal retried: its name and the seconds (server time)
    from its scheduling to the start of its last attempt."""
    scheduled: dict[int, tuple[str, Any]] = {}
    retried: list[tuple[str, float]] = []
    async for event in run.handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            name = event.activity_task_scheduled_event_attributes.activity_type.name
            scheduled[event.event_id] = (name, event.event_time.ToDatetime())
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            attrs = event.activity_task_started_event_attributes
            name, at = scheduled.get(attrs.scheduled_event_id, ("?", None))
            if attrs.attempt > 1 and at is not None:
                retried.append((name, (event.event_time.ToDatetime() - at).total_seconds()))
    expect(
        len(retried) == 1,
        BugClass.RETRY_CLASSIFICATION,
        f"{run.ctx.workflow_id}: one 429, so one activity retried once; retried: {retried}",
    )
    return retried[0]


async def check_hint_honoured(run: UnitRun) -> Hint:
    """The one retry after the unit's one 429 started when the hint said: not earlier, and
    not more than HINT_LATE_SECONDS + HINT_LATE_SHARE of the hint later."""
    await run.completed("a 429 is retried")
    calls = run.calls
    limited = [c for c in calls if c.status == 429]
    expect(
        len(limited) == 1 and len(calls) >= 2 and calls[1].status == 200,
        BugClass.RETRY_CLASSIFICATION,
        f"{run.ctx.workflow_id}: expected one 429 then an answer, the fake LLM saw "
        f"statuses {run.statuses()}",
    )
    hint = hint_of(limited[0])
    activity, waited = await retried_activity(run)
    latest = hint.seconds + HINT_LATE_SECONDS + HINT_LATE_SHARE * hint.seconds
    when = (
        f"{run.ctx.workflow_id}: after {hint.shown} (a wait of {hint.seconds:.1f}s) "
        f"{activity} was retried {waited:.1f}s (server time) after it was scheduled"
    )
    expect(waited >= hint.seconds, BugClass.RETRY_HINT_IGNORED, f"{when}: too early")
    expect(
        waited <= latest,
        BugClass.RETRY_HINT_IGNORED,
        f"{when}: too late, at most {latest:.1f}s is allowed (a hint read in the wrong unit?)",
    )
    return hint


async def check_4xx_is_final(run: UnitRun, effect: LlmCalls) -> None:
    """A 400 from the LLM is not retried: one call, no retried activity; the unit fails,
    or completes with a result the adapter's check_result accepts."""
    result, failure = await run.outcome()
    found = await run.attempts()
    names = effect.activities or list(found)
    retried = [n for n in names if n in found and found[n].retried]
    first = [c for c in run.calls if c.status == 400]
    expect(
        len(first) == 1 and not retried,
        BugClass.RETRY_CLASSIFICATION,
        f"{run.ctx.workflow_id}: a 400 is final, yet the fake LLM saw statuses "
        f"{run.statuses()} and Temporal retried {retried or 'nothing'}",
    )
    if failure is None:
        run.check_result(result)
