"""The worker polls exactly the task queue, on exactly the Temporal, that its environment
names (CONTRACT.md section 1), and a worker that does not is told so in seconds.

A worker that polls another queue, or dials another server, looks healthy from inside: it
runs and logs that it polls. From the judge's side nothing ever takes a task. The readiness
wait (fixtures/worker.py) says so as `no-poller`, naming the queue the worker was given and
what its log says it polls, within 15 s of the start instead of a 60 s setup timeout.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from stormproof.conformance import Judge
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.world import NO_POLLER_SECONDS, BrokenWorker, WorkerProcess, ping

DIAGNOSIS_DEADLINE = 15.0


async def test_the_worker_polls_the_queue_it_was_given(judge: Judge, worker: WorkerProcess):
    """The check itself: a ping on the given queue is taken well within the no-poller window."""
    began = time.monotonic()
    await ping(judge.client, worker.task_queue, timeout=DIAGNOSIS_DEADLINE, no_poller_after=5.0)
    assert time.monotonic() - began < NO_POLLER_SECONDS


async def diagnosed_no_poller(broken_worker: BrokenWorker, twin: str) -> str:
    """Start `twin`; it must be rejected as no-poller within 15 s. Returns the message."""
    began = time.monotonic()
    with rejected_as(BugClass.NO_POLLER) as caught:
        await broken_worker(twin)
    took = time.monotonic() - began
    assert took <= DIAGNOSIS_DEADLINE, f"{twin} was diagnosed after {took:.1f}s"
    return str(caught.value)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_no_poller_within_15s(broken_worker: BrokenWorker):
    """Both twins at once: the diagnosis waits out its window, so they share it."""
    wrong_queue, wrong_server = await asyncio.gather(
        diagnosed_no_poller(broken_worker, "wrong_task_queue"),
        diagnosed_no_poller(broken_worker, "ignores_temporal_address"),
    )
    for message in (wrong_queue, wrong_server):
        assert "STORMPROOF_TASK_QUEUE=" in message, message
    assert "polling task queue reports" in wrong_queue, "the queue it does poll is named"
