"""Seed 003's lesson as a check: an agent that answers in 8 s must not be cut off by the
agent client's read timeout. The app waits (test_happy.py routes to the 8 s HR agent);
its twin with httpx's 5 s default (examples/routing/broken/short_timeout.py, the A2A
client's default too) never completes, and the verdict names the timeout.
"""

from __future__ import annotations

import pytest

from examples.routing.tests.helpers import twin_argv
from stormproof.chaos import ChaosRun, assert_all_completed
from stormproof.diagnosis import BugClass, rejected_as

pytestmark = [pytest.mark.chaos, pytest.mark.local_server, pytest.mark.worker_process]
# The app answers an HR question in about 9 s; three cut-off attempts take longer.
DEADLINE_SECONDS = 20.0


@pytest.mark.negative_control
@pytest.mark.chaos(fault="negative-control:short_timeout (must time out)")
async def test_negative_control_short_agent_timeout(chaos: ChaosRun) -> None:
    await chaos.start_worker(twin_argv("short_timeout"))
    await chaos.workload.start_many(["routing_hr"])
    result = await chaos.finish(timeout=DEADLINE_SECONDS)
    with rejected_as(BugClass.LOST_WORKFLOW) as caught:
        await assert_all_completed(chaos, result)
    assert "call_agent" in str(caught.value) and "ReadTimeout" in str(caught.value), caught.value
