"""The log scan's negative control: a workflow that is not deterministic under replay.

Every chaos test's logs are scanned once it has passed (stormproof/log_scan.py, run by the
chaos plugin). This twin's StoryWorkflow lets the wall clock choose a branch, which no
effect betrays: its story is written once, if ever. Only a replay shows it, so the worker
dies mid-activity and a new one takes over; when the retried LLM call completes, the new
worker replays the history, issues a timer the history never had, and logs the SDK's
TMPRL1100 non-determinism error. The scan must name it `non-determinism` and quote it.
"""

from __future__ import annotations

import pytest

from stormproof.chaos import ChaosRun
from stormproof.chaos.nemesis import WorkerCrash
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.log_scan import assert_clean, offsets, scan
from stormproof.world import Delay, broken_argv, wait_for

pytestmark = [
    pytest.mark.chaos_long(seconds=20),
    pytest.mark.chaos(fault="negative-control"),
    pytest.mark.negative_control,
    pytest.mark.own_log_scan,
    pytest.mark.local_server,
    pytest.mark.worker_process,
]
TWIN = "replay_unsafe_story"


async def test_log_scan_rejects_a_replay_unsafe_workflow(chaos: ChaosRun) -> None:
    chaos.fault = f"negative-control:{TWIN} (must be rejected by the log scan)"
    since = offsets(chaos.logs())
    argv = broken_argv(TWIN)
    first = await chaos.start_worker(argv)
    item = chaos.workload.plan("story")
    chaos.world.fake_llm.script(item.marker, [Delay(seconds=60)])  # answered after the death
    await chaos.workload.start(item)
    await chaos.wait_llm_in_flight(item.marker)
    crash = WorkerCrash(first.process, lambda: chaos.start_worker(argv))
    await chaos.inject(crash)
    await chaos.heal(crash)

    def replayed() -> bool:
        return any(h.bug is BugClass.NON_DETERMINISM for h in scan(chaos.logs(), since))

    # llm_call's 15 s heartbeat timeout, its retry on the new worker, then the replay.
    await wait_for(
        replayed, what="the new worker to replay the story", timeout=90, logs=chaos.logs()
    )
    with rejected_as(BugClass.NON_DETERMINISM) as caught:
        assert_clean(chaos.logs(), since)
    assert "worker2" in str(caught.value), caught.value  # the lines are quoted, with their log
