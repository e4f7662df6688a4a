"""A unit's drive begins when its start is accepted (no servers: a fake Temporal client).

A victim a chaos row starts by itself (`chaos.workload.start(item)`) must be driven as the
load's items are: a unit whose effect waits for a person (an approval signal, a confirm
Update) would otherwise wait for the test's end, and a fault aimed at that effect would
wait in vain (fault 7 timed out waiting for the agents_pydantic ticket writer). The drive
still runs once, an Update's call cut short is retried as an RPC error is, and
await_result still reports a drive that never succeeded.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowExecutionStatus, WorkflowUpdateRPCTimeoutOrCancelledError

from stormproof.adapter import Adapter, Unit, UnitContext, WorkerEnv
from stormproof.chaos.workload import Workload
from stormproof.operations import OperationLog


class Description:
    def __init__(self, status: WorkflowExecutionStatus) -> None:
        self.status = status


class Handle:
    def __init__(self, client: FakeClient, wid: str) -> None:
        self.client, self.wid = client, wid

    async def describe(self, **_: Any) -> Description:
        done = self.wid in self.client.driven
        return Description(
            WorkflowExecutionStatus.COMPLETED if done else WorkflowExecutionStatus.RUNNING
        )

    async def result(self) -> dict[str, str]:
        return {"status": "completed"}


class FakeClient:
    def __init__(self) -> None:
        self.started: list[str] = []
        self.driven: list[str] = []

    async def start_workflow(self, workflow: str, *, id: str, **_: Any) -> None:
        self.started.append(id)

    def get_workflow_handle(self, wid: str) -> Handle:
        return Handle(self, wid)


def _workload(tmp_path: Path, drive: Any) -> tuple[Workload, FakeClient]:
    unit = Unit(
        name="case", workflow_type="Case", build_input=lambda ctx: [], drive=drive, effects=[]
    )
    adapter = Adapter(name="t", units=[unit], env=WorkerEnv(task_queue="Q"))
    client = FakeClient()
    history = OperationLog(tmp_path / "history.jsonl")
    return Workload(client, "q", history, "t", adapter=adapter), client  # type: ignore[arg-type]


def test_a_started_unit_is_driven_before_anyone_awaits_it(tmp_path: Path) -> None:
    async def main() -> list[str]:
        async def confirm(ctx: UnitContext, handle: Handle) -> None:
            handle.client.driven.append(ctx.workflow_id)

        workload, client = _workload(tmp_path, confirm)
        item = workload.plan("case")
        assert await workload.start(item)
        for _ in range(100):  # the drive runs in the background of the start
            if client.driven:
                break
            await asyncio.sleep(0.01)  # wait-ok: a bounded poll of the fake's state
        assert client.driven == [item.workflow_id], "not driven until awaited"
        await workload.await_result(item, time.monotonic() + 5, poll=0.01)
        return client.driven

    assert len(asyncio.run(main())) == 1, "driven twice"


def test_a_drive_that_never_succeeds_is_reported_at_the_deadline(tmp_path: Path) -> None:
    async def main() -> str:
        async def stuck(ctx: UnitContext, handle: Handle) -> None:
            await asyncio.sleep(60)  # wait-ok: a drive that never returns (cut at the deadline)

        workload, _ = _workload(tmp_path, stuck)
        item = workload.plan("case")
        assert await workload.start(item)
        await workload.await_result(item, time.monotonic() + 0.3, poll=0.05)
        return (tmp_path / "history.jsonl").read_text()

    assert "still open; drive: still not done at the deadline" in asyncio.run(main())


def test_an_update_cut_short_is_sent_again(tmp_path: Path) -> None:
    """An Update that no worker could accept in time (its worker's link cut) raises the SDK's
    RPCTimeoutOrCancelledError, not an RPCError: the drive is retried all the same."""

    async def main() -> list[str]:
        calls: list[str] = []

        async def confirm(ctx: UnitContext, handle: Handle) -> None:
            calls.append(ctx.workflow_id)
            if len(calls) == 1:
                raise WorkflowUpdateRPCTimeoutOrCancelledError()
            handle.client.driven.append(ctx.workflow_id)

        workload, client = _workload(tmp_path, confirm)
        item = workload.plan("case")
        assert await workload.start(item)
        await workload.await_result(item, time.monotonic() + 5, poll=0.01)
        return client.driven

    assert len(asyncio.run(main())) == 1
