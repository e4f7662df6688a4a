"""What "never leaves work PENDING" means, as assertions the negative controls must trip.

- A submission while Temporal is down is answered 503 promptly, with the reason. A 202 then
  is "accepted work it cannot start"; no answer within ANSWER_DEADLINE is a hang.
- A 202 means Temporal has the workflow: the judge's own client must find it, and it must
  complete. An id the API knows but Temporal does not is the silent PENDING.
"""

from __future__ import annotations

import asyncio
import time

import httpx
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from stormproof.diagnosis import BugClass, Finding, expect
from stormproof.fixtures.wait import eventually
from stormproof.reconnect.harness import ANSWER_DEADLINE, ApiProcess

__all__ = [
    "accept_until",
    "accepted_id",
    "assert_completes",
    "assert_in_temporal",
    "assert_not_ready",
    "assert_refused",
]


async def assert_refused(api: ApiProcess, prompt: str, *, key: str | None = None) -> None:
    """Temporal is down: the submission must be refused with 503, promptly."""
    try:
        response = await api.submit(prompt, key=key)
    except httpx.TimeoutException:
        raise Finding(
            BugClass.UNRESPONSIVE,
            f"the API did not answer within {ANSWER_DEADLINE:g}s while Temporal was down: "
            f"a submission must be refused promptly with 503, not hang in retries\n{api.log()}",
        ) from None
    if response.status_code in (200, 202):
        raise Finding(
            BugClass.ACCEPTED_UNSTARTABLE_WORK,
            f"the API accepted work it cannot start: {response.status_code} {response.text} "
            f"while Temporal was down (expected 503)\n{api.log()}",
        )
    expect(
        response.status_code == 503,
        BugClass.API_CONTRACT,
        f"while Temporal was down the API answered {response.status_code} {response.text}, not 503",
    )
    body = response.json()
    expect(body["error"] == "temporal_unavailable", BugClass.API_CONTRACT, f"{body}")
    expect(body["message"], BugClass.API_CONTRACT, f"a 503 must say why: {body}")
    expect(
        response.headers.get("Retry-After"),
        BugClass.API_CONTRACT,
        "a 503 must say when to retry (Retry-After)",
    )


async def assert_not_ready(api: ApiProcess) -> str:
    """/ready answers 503 with a reason naming what is wrong; returns the reason."""
    response = await api.http.get("/ready")
    expect(
        response.status_code == 503,
        BugClass.API_CONTRACT,
        f"/ready claims ready while Temporal cannot start work: {response.status_code} "
        f"{response.text}",
    )
    body = response.json()
    expect(body["ready"] is False and body["reason"], BugClass.API_CONTRACT, f"{body}")
    return body["reason"]


async def accepted_id(response: httpx.Response, *, duplicate: bool = False) -> str:
    """The workflow id of an accepted submission (202; 200 for a duplicate), or fail
    saying why not."""
    expected = 200 if duplicate else 202
    expect(
        response.status_code == expected,
        BugClass.API_CONTRACT,
        f"a submission got {response.status_code} {response.text}, expected {expected}",
    )
    body = response.json()
    expect(
        body["duplicate"] is duplicate,
        BugClass.DUPLICATE_EFFECT if duplicate else BugClass.API_CONTRACT,
        f"{body}",
    )
    return body["workflow_id"]


async def assert_in_temporal(client: Client, workflow_id: str) -> None:
    """The 202's promise: Temporal itself knows the workflow."""
    try:
        await client.get_workflow_handle(workflow_id).describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise Finding(
                BugClass.ACCEPTED_UNSTARTABLE_WORK,
                f"the API answered 202 for {workflow_id} but Temporal has no such "
                "workflow: accepted work it cannot start (a silent PENDING)",
            ) from None
        raise


async def assert_completes(
    api: ApiProcess, client: Client, workflow_id: str, timeout: float
) -> None:
    """Through the API and through Temporal, the accepted workflow completes."""
    await assert_in_temporal(client, workflow_id)

    async def completed() -> None:
        response = await api.http.get(f"/api/workflows/{workflow_id}")
        expect(
            response.status_code == 200,
            BugClass.API_CONTRACT,
            f"GET {workflow_id}: {response.status_code} {response.text}",
        )
        body = response.json()
        expect(
            body["status"] == "COMPLETED",
            BugClass.LOST_WORKFLOW,
            f"{workflow_id} is {body['status']}: {body}",
        )
        expect(body["result"]["workflow_id"] == workflow_id, BugClass.WRONG_EFFECT, f"{body}")

    await eventually(completed, timeout=timeout, interval=0.25)
    status = (await client.get_workflow_handle(workflow_id).describe()).status
    expect(
        status == WorkflowExecutionStatus.COMPLETED,
        BugClass.LOST_WORKFLOW,
        f"{workflow_id} is {status} in Temporal",
    )


async def accept_until(api: ApiProcess, prompt: str, key: str, bound: float) -> tuple[float, str]:
    """Temporal is back: submit every 100 ms until accepted; how long it took, and the id."""
    began = time.monotonic()
    while time.monotonic() - began < bound:
        response = await api.submit(prompt, key=key)
        if response.status_code == 202:
            return time.monotonic() - began, response.json()["workflow_id"]
        expect(
            response.status_code == 503,
            BugClass.API_CONTRACT,
            f"{response.status_code} {response.text}, not 503 or 202",
        )
        await asyncio.sleep(0.1)  # wait-ok: the client's retry interval after a 503
    raise Finding(
        BugClass.UNRESPONSIVE, f"the API still refused work {bound:g}s after Temporal was back"
    )
