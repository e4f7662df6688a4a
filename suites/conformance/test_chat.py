"""The chat session (docs/CONTRACT.md, 2): one Update per turn, continued as new.

A session answers every turn exactly once, in order, across continue-as-new boundaries:
the first turn comes with the start (Update-with-Start), each later one by Update `turn`,
a turn that asks for the tool posts to the webhook once under a key of the session and the
turn, and `close` ends it with its totals. With two turns a run, five turns sent one after
another make three runs. Turns sent together (some of them while a run hands over to the
next) are each answered once, over as many runs as they took. The chat_forgets_turns
twin, which continues as new without its state, and the chat_state_in_run twin, which
reads the carried state in run() where a turn that reached the new run first cannot see
it, are `message-lost`. Runs on a dev server of its own (`dev_world`): the time-skipping
server has no Update-with-Start.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from temporalio.client import (
    WithStartWorkflowOperation,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy

from stormproof.conformance.dev_world import DevWorld
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.world import WorkerProcess, broken_argv, new_marker

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process]
TURNS_PER_RUN = 2
TOOL = "[notify]"


def message(marker: str, n: int, tool: bool = False) -> str:
    return f"[{marker}] turn {n}: what changed since the last answer?{' ' + TOOL if tool else ''}"


async def open_session(world: DevWorld, worker: WorkerProcess, first: str) -> tuple[Any, Any]:
    """Start a session and send its first turn in one request (Update-with-Start)."""
    start = WithStartWorkflowOperation(
        "ChatSessionWorkflow",
        {"max_turns_per_run": TURNS_PER_RUN},
        id=f"chat-{new_marker()}",
        task_queue=worker.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
    )
    reply = await world.client.execute_update_with_start_workflow(
        "turn", {"message": first}, start_workflow_operation=start
    )
    return await start.workflow_handle(), reply


def answered(world: DevWorld, marker: str) -> dict[str, str]:
    """Each prompt of the session the fake LLM answered, with its reply."""
    calls = world.judge.fake_llm.calls_for(marker)
    return {c.prompt or "": c.reply or "" for c in calls if c.status == 200}


async def check_session(
    world: DevWorld,
    handle: WorkflowHandle[Any, Any],
    marker: str,
    replies: list[Any],
    sent: list[str],
    *,
    in_order: bool = True,
) -> None:
    """Every turn answered once, by the LLM's reply to it; the tool once per tool turn;
    the totals, and (turns sent `in_order`, one after another) the runs continue-as-new
    makes of them."""
    numbers = sorted(r["turn"] for r in replies)
    expect(
        numbers == list(range(1, len(sent) + 1)),
        BugClass.MESSAGE_LOST,
        f"{handle.id}: {len(sent)} turns sent, answered as turns {numbers}",
    )
    llm = answered(world, marker)
    expect(
        len(llm) == len(sent) and all(any(m in p for p in llm) for m in sent),
        BugClass.DUPLICATE_EFFECT if len(llm) > len(sent) else BugClass.LOST_EFFECT,
        f"{handle.id}: {len(sent)} turns, the LLM answered {len(llm)} prompts",
    )
    closed = await handle.execute_update("close")
    # ceil: a run hands over after TURNS_PER_RUN; turns sent together may share a run
    runs = -(-len(sent) // TURNS_PER_RUN) if in_order else closed.get("runs")
    expect(
        closed == {"turns": len(sent), "runs": runs} and await handle.result() == closed,
        BugClass.MESSAGE_LOST,
        f"{handle.id}: {len(sent)} turns over {runs} runs, the session says {closed}",
    )
    # a turn's number is its place in the order accepted, which concurrent sends choose
    tools = sorted(r["turn"] for r, m in zip(replies, sent, strict=True) if TOOL in m)
    flags = [(r["notified"], TOOL in m) for r, m in zip(replies, sent, strict=True)]
    expect(
        all(said == asked for said, asked in flags),
        BugClass.WRONG_EFFECT,
        f"{handle.id}: the tool was asked for and reported as {flags}",
    )
    keys = {d.idempotency_key for d in world.judge.sink.deliveries_for(handle.id) if d.accepted}
    expect(
        keys == {f"chat-tool:{handle.id}:{n}" for n in tools},
        BugClass.DUPLICATE_EFFECT if len(keys) > len(tools) else BugClass.LOST_EFFECT,
        f"{handle.id}: tool turns {tools}, the webhook accepted keys {sorted(map(str, keys))}",
    )
    statuses = [w.status async for w in world.client.list_workflows(f"WorkflowId = '{handle.id}'")]
    chained = statuses.count(WorkflowExecutionStatus.CONTINUED_AS_NEW)
    expect(
        chained == runs - 1,
        BugClass.WRONG_EFFECT,
        f"{handle.id}: {runs} runs expected, {chained} continued as new: {statuses}",
    )


async def one_after_another(world: DevWorld, worker: WorkerProcess, tools: set[int]) -> None:
    """Five turns, each sent once the one before was answered (turns in `tools` ask for
    the tool), then the whole session checked."""
    marker = new_marker()
    sent = [message(marker, n, tool=n in tools) for n in range(1, 6)]
    handle, first = await open_session(world, worker, sent[0])
    replies = [first]
    for text in sent[1:]:
        replies.append(await handle.execute_update("turn", {"message": text}))
    await check_session(world, handle, marker, replies, sent)


async def test_every_turn_is_answered_once_across_continue_as_new(dev_world: DevWorld) -> None:
    await one_after_another(dev_world, await dev_world.factory.start("worker"), {2, 4})


async def test_turns_sent_together_are_each_answered_once(dev_world: DevWorld) -> None:
    worker = await dev_world.factory.start("worker")
    marker = new_marker()
    sent = [message(marker, n, tool=n == 3) for n in range(1, 6)]
    handle, first = await open_session(dev_world, worker, sent[0])
    rest = await asyncio.gather(
        *(handle.execute_update("turn", {"message": text}) for text in sent[1:])
    )
    await check_session(dev_world, handle, marker, [first, *rest], sent, in_order=False)


async def test_a_bad_turn_is_refused_naming_the_field(dev_world: DevWorld) -> None:
    worker = await dev_world.factory.start("worker")
    marker = new_marker()
    handle, _ = await open_session(dev_world, worker, message(marker, 1))
    for bad in ({"message": ""}, {"text": "hello"}, "hello"):
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update("turn", bad)
        expect(
            "message" in str(refused.value.cause),
            BugClass.INPUT_VALIDATION,
            f"{handle.id}: turn {bad!r} refused as {refused.value.cause!r}",
        )
    session = await handle.query("session")
    expect(session["turns"] == 1, BugClass.INPUT_VALIDATION, f"{handle.id}: {session}")
    await handle.execute_update("close")


@pytest.mark.negative_control
@pytest.mark.parametrize("twin", ["chat_forgets_turns", "chat_state_in_run"])
async def test_negative_control_chat_twins(dev_world: DevWorld, twin: str) -> None:
    """Forgetting the state at the boundary, or reading it in run() where a turn that
    reached the new run first cannot see it: turns are misnumbered either way."""
    broken = await dev_world.factory.start(twin, argv=broken_argv(twin))
    with rejected_as(BugClass.MESSAGE_LOST):
        await one_after_another(dev_world, broken, set())
