"""Reports decided over HTTP against a real dev server and worker: progress, approve and
reject through the API, malformed or misdirected decisions refused rather than dropped,
and the request-size limit and input-free 422 as a client meets them through uvicorn."""

from __future__ import annotations

import pytest

from stormproof.diagnosis import BugClass
from stormproof.reconnect import ApiProcess, ReconnectWorld
from stormproof.reconnect.checks import accepted_id
from stormproof.world import eventually, new_marker

pytestmark = [
    pytest.mark.bug_class(BugClass.API_CONTRACT),  # a plain assert here is this class
    pytest.mark.local_server,
    pytest.mark.worker_process,
]

DEFAULT_LIMIT = 1024 * 1024


async def waiting_report(api: ApiProcess) -> str:
    """A report through the API that waits for its decision."""
    body = {"prompt": f"[{new_marker()}] needs a decision", "require_approval": True}
    workflow_id = await accepted_id(await api.http.post("/api/reports", json=body))

    async def awaiting() -> None:
        response = await api.http.get(f"/api/reports/{workflow_id}/progress")
        assert response.status_code == 200, response.text
        assert response.json()["step"] == "awaiting_approval", response.json()

    await eventually(awaiting, timeout=30)
    return workflow_id


async def closed_as(api: ApiProcess, workflow_id: str) -> dict:
    async def closed() -> dict:
        view = (await api.http.get(f"/api/workflows/{workflow_id}")).json()
        assert view["status"] == "COMPLETED", view
        return view["result"]

    return await eventually(closed, timeout=60)


async def test_reports_are_decided_over_http(reconnect_world: ReconnectWorld):
    world = reconnect_world
    await world.running_worker()
    api = await world.running_api()

    approved = await waiting_report(api)
    malformed = await api.http.post(f"/api/reports/{approved}/approve", json={"reviewer": ""})
    assert malformed.status_code == 422, malformed.text
    response = await api.http.post(
        f"/api/reports/{approved}/approve", json={"reviewer": "ops@example.com"}
    )
    assert response.status_code == 202, response.text
    assert response.json()["decision"] == "approve", response.json()
    result = await closed_as(api, approved)
    assert result["status"] == "completed" and result["reviewer"] == "ops@example.com", result
    late = await api.http.post(f"/api/reports/{approved}/reject", json={"reviewer": "late"})
    assert late.status_code == 409 and late.json()["error"] == "not_running", late.text

    rejected = await waiting_report(api)
    response = await api.http.post(
        f"/api/reports/{rejected}/reject", json={"reviewer": "legal", "comment": "no"}
    )
    assert response.status_code == 202, response.text
    assert (await closed_as(api, rejected))["status"] == "rejected"

    unknown = await api.http.post("/api/reports/report-nope/approve", json={"reviewer": "ops"})
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found", unknown.text
    story = await accepted_id(await api.submit(f"[{new_marker()}] a story"))
    wrong = await api.http.post(f"/api/reports/{story}/approve", json={"reviewer": "ops"})
    assert wrong.status_code == 409 and wrong.json()["error"] == "not_a_report", wrong.text


async def test_the_edge_refuses_big_bodies_and_never_echoes(reconnect_world: ReconnectWorld):
    world = reconnect_world
    api = world.start_api()
    await api.wait_serving()  # the edge answers before Temporal is even there

    big = await api.http.post("/api/stories", json={"prompt": "Z" * (DEFAULT_LIMIT + 1)})
    assert big.status_code == 413 and big.json()["error"] == "request_too_large", big.text
    invalid = await api.http.post("/api/stories", json={"prompt": "Z" * 500_000})
    assert invalid.status_code == 422, invalid.text[:300]
    assert len(invalid.content) < 4096 and "ZZZZZZZZ" not in invalid.text, invalid.text[:300]
