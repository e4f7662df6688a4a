"""The verdict on a run's Updates: every Update the client sent answered once, as sent.

The client recorded each sending as `update` operations (stormproof/chaos/sessions.py).
Here, after the run: a sending whose last outcome is still unknown (the client's deadline
passed) is resolved by a later read, through the judge's own client (the Update by its
id in each run of the workflow, its reply awaited where a run admitted it); the counts
are then read from the world, never from the worker's word:

- `message-lost`: an Update never answered (no run holds it), refused, or answered with a
  reply the unit's `check_reply` refuses (a turn misnumbered: the workflow did not apply
  the message as sent, e.g. its count forgotten across a continue-as-new);
- `duplicate-effect`: a sending whose text (the marked strings of its arguments) the fake
  LLM answered more than once (`llm_once`: the handler's call made again, e.g. after a
  worker death, by a worker that kept its ledger in memory). The handler's webhook keys
  are the checker's own count (a unit's HttpDeliveries, one key per turn).

A unit that says `continues_as_new` must show it: each of its sessions spans two runs or
more (`expect_continued`). One that stayed in one run although Temporal suggested
continuing as new ignored the suggestion (`lost-workflow`: at the history limit the server
terminates it); one never suggested to leaves the claim unproven (`fault-missed`).

Each finding is added to the run's CheckResult (counted under `updates` or `llm_calls`),
so the chaos report shows it; `expect_updates` fails with the class first, lost first.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from temporalio.client import WorkflowUpdateFailedError

from stormproof.chaos.sessions import UNKNOWN, admitted_in, describe, read_reply
from stormproof.chaos.workload import Planned
from stormproof.checker import Anomaly
from stormproof.diagnosis import BugClass, expect

if TYPE_CHECKING:
    from stormproof.chaos.run import ChaosRun

EFFECT = "updates"


@dataclass
class Sending:
    """One Update the client sent, as the history and the later read tell it."""

    workflow_id: str
    update_id: str
    name: str
    n: int
    outcome: str = "unsent"  # ok | fail | info | unsent
    reply: Any = None
    problem: str | None = None
    error: str = ""
    unknown: int = 0  # outcomes the client recorded as unknown
    resolved_late: bool = False
    sent_at: float = 0.0  # the first invoke (wall clock, as the history's times)
    answered_at: float | None = None


@dataclass
class UpdateVerdict:
    """Every sending of a run, its findings, and the run's fault windows (the proof)."""

    sendings: list[Sending]
    anomalies: list[Anomaly] = field(default_factory=list)

    faulted: list[tuple[float, float]] = field(default_factory=list)  # (fault, heal) times
    # sessions of units that continue as new: workflow id -> its runs; and those that
    # stayed in one run -> whether Temporal suggested continuing as new there
    runs: dict[str, int] = field(default_factory=dict)
    single_run: dict[str, bool] = field(default_factory=dict)

    @property
    def unknown_then_answered(self) -> list[Sending]:
        return [s for s in self.sendings if s.unknown and s.outcome == "ok"]

    @property
    def across_a_fault(self) -> list[Sending]:
        """Sendings sent before a fault struck and answered only after it healed."""
        return [
            s
            for s in self.sendings
            if s.answered_at is not None
            and any(s.sent_at < at and s.answered_at > healed for at, healed in self.faulted)
        ]

    def counts(self) -> dict[str, int]:
        by = lambda o: sum(1 for s in self.sendings if s.outcome == o)  # noqa: E731
        return {
            "sent": len(self.sendings),
            "replied": by("ok"),
            "rejected": by("fail"),
            "unknown_at_end": by("info") + by("unsent"),
            "unknown_then_answered": len(self.unknown_then_answered),
            "answered_across_a_fault": len(self.across_a_fault),
            "resolved_by_late_read": sum(1 for s in self.sendings if s.resolved_late),
            "message_lost": sum(1 for a in self.anomalies if a.bug is BugClass.MESSAGE_LOST),
            "duplicated": sum(1 for a in self.anomalies if a.bug is BugClass.DUPLICATE_EFFECT),
            "sessions_continued": sum(1 for n in self.runs.values() if n > 1),
            "sessions_in_one_run": len(self.single_run),
        }


def sendings_of(chaos: ChaosRun) -> list[Sending]:
    """Every sending the history records, with its last outcome (ok wins over a later info)."""
    found: dict[str, Sending] = {}
    for op in chaos.history.ops:
        if op.f != "update" or op.workflow_id is None:
            continue
        uid = str(op.value.get("update_id"))
        one = found.get(uid)
        if op.type == "invoke" and one is None:
            name, n = str(op.value.get("update")), int(op.value.get("n", 0))
            one = found[uid] = Sending(op.workflow_id, uid, name, n, sent_at=op.time)
        if one is None or op.type == "invoke" or one.outcome == "ok":
            continue
        one.unknown += op.type == "info"
        one.outcome, one.error = op.type, str(op.value.get("error", ""))
        one.reply, one.problem = op.value.get("reply"), op.value.get("problem")
        one.answered_at = op.time if op.type == "ok" else None
    return list(found.values())


def fault_windows(chaos: ChaosRun) -> list[tuple[float, float]]:
    """(struck, healed) of each fault of the run, from the history's fault and heal ops."""
    struck = [op.time for op in chaos.history.ops if op.f == "fault" and op.type == "ok"]
    healed = [op.time for op in chaos.history.ops if op.f == "heal" and op.type == "ok"]
    return list(zip(struck, healed, strict=False))


async def _resolve(chaos: ChaosRun, one: Sending, item: Planned) -> None:
    """A sending still unknown: read it by its id in each run (the judge's direct client)."""
    client = chaos.world.client
    try:
        run_id = await admitted_in(client, one.workflow_id, one.update_id)
        if run_id is None:
            one.error = f"no run of {one.workflow_id} holds it (last: {one.error})"
            return
        one.reply = await asyncio.wait_for(
            read_reply(client, one.workflow_id, run_id, one.update_id), timeout=30
        )
    except UNKNOWN as exc:
        one.error = f"unreadable at the end: {describe(exc)}"
        return
    except WorkflowUpdateFailedError as exc:  # the Update failed: refused
        one.outcome, one.error = "fail", str(exc.cause or exc)
        return
    call = next(c for c in item.unit.updates if c.name == one.name)
    one.outcome, one.resolved_late = "ok", True
    one.problem = call.check_reply(item.context, one.n, one.reply) if call.check_reply else None
    chaos.history.update(
        "ok", one.workflow_id, update_id=one.update_id, reply=one.reply, resolved=True
    )


def _texts(args: Any, marker: str) -> list[str]:
    """The strings of an Update's arguments that carry the unit's marker (its message)."""
    if isinstance(args, str):
        return [args] if marker in args else []
    if isinstance(args, dict):
        args = list(args.values())
    if isinstance(args, list | tuple):
        return [t for a in args for t in _texts(a, marker)]
    return []


def llm_once(chaos: ChaosRun, item: Planned) -> list[Anomaly]:
    """Each sending of `item` whose marked text the fake LLM answered more than once."""
    answered = [c for c in chaos.world.fake_llm.calls_for(item.marker) if c.status == 200]
    found = []
    for call in item.unit.updates:
        for n in range(1, call.times + 1):
            for text in _texts(call.args(item.context, n), item.marker):
                # the newest user message: an agent resends the conversation, every
                # earlier turn's text with it, on each call
                times = sum(1 for c in answered if (c.prompt or "").rstrip().endswith(text))
                if times > 1:
                    detail = (
                        f"{item.workflow_id}: Update {call.name} #{n} answered by the LLM "
                        f"{times} times (its handler's call made again, not read back)"
                    )
                    found.append(
                        Anomaly(
                            bug=BugClass.DUPLICATE_EFFECT,
                            workflow_id=item.workflow_id,
                            effect="llm_calls",
                            count=times - 1,
                            detail=detail,
                        )
                    )
    return found


async def _suggested(chaos: ChaosRun, workflow_id: str, run_id: str) -> bool:
    """Temporal suggested this run continue as new (a workflow task's started event)."""
    handle = chaos.world.client.get_workflow_handle(workflow_id, run_id=run_id)
    async for event in handle.fetch_history_events():
        started = event.workflow_task_started_event_attributes
        if event.HasField("workflow_task_started_event_attributes") and (
            started.suggest_continue_as_new
        ):
            return True
    return False


async def _continued(chaos: ChaosRun, verdict: UpdateVerdict) -> None:
    """Each session of a unit that continues as new: its runs, and for one that stayed in
    one run, whether Temporal suggested otherwise (the runs check() read: chaos.run_ids)."""
    for item in chaos.workload.planned:
        if item.unit.continues_as_new and item.workflow_id in chaos.run_ids:
            runs = chaos.run_ids[item.workflow_id]
            verdict.runs[item.workflow_id] = len(runs)
            if len(runs) == 1:
                suggested = await _suggested(chaos, item.workflow_id, runs[0])
                verdict.single_run[item.workflow_id] = suggested


async def judge_updates(chaos: ChaosRun, once: list[Planned] = ()) -> UpdateVerdict:  # type: ignore[assignment]
    """After check(): resolve the unknown sendings, judge every one, add the findings to the
    run's result; `once`: units whose every sending must reach the LLM once (llm_once)."""
    items = {p.workflow_id: p for p in chaos.workload.planned}
    sent = sendings_of(chaos)
    late = [s for s in sent if s.outcome in ("info", "unsent") and s.workflow_id in items]
    await asyncio.gather(*(_resolve(chaos, s, items[s.workflow_id]) for s in late))
    verdict = UpdateVerdict(sendings=sent, faulted=fault_windows(chaos))
    for s in sent:
        text = None
        if s.outcome in ("info", "unsent"):
            text = f"never answered: {s.error}"
        elif s.outcome == "fail":
            text = f"refused: {s.error}"
        elif s.problem:
            text = f"answered, but {s.problem}"
        if text:
            detail = f"{s.workflow_id}: Update {s.name} #{s.n} ({s.update_id}) {text}"
            lost = Anomaly(bug=BugClass.MESSAGE_LOST, workflow_id=s.workflow_id, detail=detail)
            verdict.anomalies.append(lost.model_copy(update={"effect": EFFECT}))
    for item in once:
        verdict.anomalies.extend(llm_once(chaos, item))
    await _continued(chaos, verdict)
    if chaos.result is not None:
        chaos.result.lost.setdefault(EFFECT, 0)
        for anomaly in verdict.anomalies:
            chaos.result.add(anomaly)
    (chaos.tmp / "updates.json").write_text(
        json.dumps({"counts": verdict.counts(), "problems": [str(a) for a in verdict.anomalies]})
    )
    return verdict


def expect_updates(verdict: UpdateVerdict) -> None:
    """Fail with the first class the Updates show: message-lost, then duplicate-effect."""
    for bug in (BugClass.MESSAGE_LOST, BugClass.DUPLICATE_EFFECT):
        found = [a for a in verdict.anomalies if a.bug is bug]
        shown = "\n  ".join(a.detail for a in found[:20])
        expect(not found, bug, f"{len(found)} of {verdict.counts()}:\n  {shown}")


def expect_in_flight(verdict: UpdateVerdict, fault: str, *, unknown: bool = False) -> None:
    """The proof a fault met Updates in flight: some sending was sent before it struck and
    answered only after its heal; with `unknown`, some sending's outcome was unknown to the
    client and answered all the same (by a later read, or the same id sent again)."""
    met = verdict.unknown_then_answered if unknown else verdict.across_a_fault
    what = "had an unknown outcome" if unknown else "was answered across the fault"
    expect(
        met,
        BugClass.FAULT_MISSED,
        f"{fault} met no Update in flight: no sending {what} {verdict.counts()}",
    )


def expect_continued(verdict: UpdateVerdict) -> None:
    """Every session of a unit that continues as new crossed a run: one that ignored
    Temporal's suggestion fails as `lost-workflow`, one never suggested as `fault-missed`."""
    ignored = sorted(w for w, suggested in verdict.single_run.items() if suggested)
    expect(
        not ignored,
        BugClass.LOST_WORKFLOW,
        f"{len(ignored)} session(s) stayed in one run although Temporal suggested continuing "
        f"as new (at the history limit the server terminates them): {ignored[:5]}; fix: "
        "continue as new when workflow.info().is_continue_as_new_suggested()",
    )
    never = sorted(verdict.single_run)
    expect(
        not never,
        BugClass.FAULT_MISSED,
        f"{len(never)} session(s) of a unit that says continues_as_new stayed in one run, "
        f"never suggested to continue by Temporal: {never[:5]}; the row crossed no run. "
        "Either the worker ignores the session's own bound on a run (a history that grows "
        "until the server terminates it) or the unit continues only when suggested; fix: "
        "bound a run by its messages (the unit's input), or drop continues_as_new",
    )
