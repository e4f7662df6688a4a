"""The happy path, judged through the adapter: each haiku is the LLM's reply, written by
one answered LLM call, and the team is notified once, with the workflow's stable key."""

from __future__ import annotations

import pytest

from examples.hello_world.tests.helpers import webhook_posts
from stormproof.chaos import ChaosRun, assert_all_completed

pytestmark = [pytest.mark.chaos, pytest.mark.local_server, pytest.mark.worker_process]


@pytest.mark.chaos(fault="hello-world-happy-path")
async def test_every_haiku_once(chaos: ChaosRun) -> None:
    await chaos.start_worker()
    items = await chaos.workload.start_many(["haiku"] * 3)
    result = await chaos.finish(timeout=60)
    await assert_all_completed(chaos, result)
    for item in items:
        answered = [c for c in chaos.world.fake_llm.calls_for(item.marker) if c.status == 200]
        assert len(answered) == 1, answered
        [post] = webhook_posts(chaos, item)
        assert post.accepted and post.idempotency_key, post
        assert item.workflow_id in post.idempotency_key, post
