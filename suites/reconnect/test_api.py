"""The API's surface while Temporal is healthy: a report completes through it, a repeated
Idempotency-Key returns the same workflow, bad input is refused before anything starts,
and an unknown id is a 404."""

from __future__ import annotations

import pytest

from stormproof.diagnosis import BugClass
from stormproof.reconnect import ReconnectWorld
from stormproof.reconnect.checks import accepted_id, assert_completes
from stormproof.world import new_marker

pytestmark = [
    pytest.mark.bug_class(BugClass.API_CONTRACT),  # a plain assert here is this class
    pytest.mark.local_server,
    pytest.mark.worker_process,
]


async def test_api_surface(reconnect_world: ReconnectWorld):
    world = reconnect_world
    client, _ = await world.running_worker()
    api = world.start_api()
    ready = await api.wait_ready(timeout=30)
    assert ready["temporal"]["task_queue"] == world.task_queue, ready
    assert (await api.http.get("/health")).json() == {"status": "ok"}

    key = f"report-{new_marker()}"
    prompt = f"[{new_marker()}] a report through the API"
    workflow_id = await accepted_id(await api.submit(prompt, key=key, kind="reports"))
    again = await accepted_id(await api.submit(prompt, key=key, kind="reports"), duplicate=True)
    assert again == workflow_id
    await assert_completes(api, client, workflow_id, timeout=60)
    after = await api.submit(prompt, key=key, kind="reports")
    assert await accepted_id(after, duplicate=True) == workflow_id, "a closed workflow's key"

    bad = await api.http.post("/api/stories", json={"prompt": ""})
    assert bad.status_code == 422, bad.text
    missing = await api.http.get("/api/workflows/story-does-not-exist")
    assert missing.status_code == 404, missing.text
