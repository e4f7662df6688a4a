"""Deciding and following reports over HTTP, the same operations as the command line:

    POST /api/reports/{id}/approve    {"reviewer": str, "comment": str | null}  -> 202
    POST /api/reports/{id}/reject     same body                                 -> 202
    GET  /api/reports/{id}/progress   the workflow's `progress` query           -> 200

A decision is validated as the workflow's own ApprovalDecision (422 otherwise) and sent
only to a running ReportWorkflow (404 unknown id, 409 a story or a closed report): a
signal is fire-and-forget, so anything the workflow would ignore is refused here rather
than answered 202 and dropped. The operations live in reference/client.py, shared with
`stormproof-reference approve|reject|progress`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from stormproof.reference import client as operations
from stormproof.reference.cli.common import CommandFailed
from stormproof.reference.models import ApprovalDecision, ReportProgress
from stormproof.reference.temporal.link import LinkState, TemporalLink

# Temporal did not answer, as opposed to Temporal said no.
UNREACHABLE_CODES = frozenset(
    {RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED}
)
# CommandFailed.kind -> HTTP status
STATUS_OF = {
    "not_found": 404,
    "not_a_report": 409,
    "not_running": 409,
    "no_poller": 503,
    "timeout": 504,
}


class DecisionSent(BaseModel):
    """202: Temporal stored the signal; the report acts on it at its next step."""

    workflow_id: str
    decision: Literal["approve", "reject"]
    reviewer: str
    progress_url: str


class ReportDesk:
    """Report decisions and progress through the API's TemporalLink, each bounded in time."""

    def __init__(self, link: TemporalLink, timeout: float) -> None:
        self.link = link
        self.timeout = timeout

    async def decide(
        self, workflow_id: str, approved: bool, decision: ApprovalDecision
    ) -> JSONResponse:
        async def send(client: Client) -> JSONResponse:
            await operations.decide(client, workflow_id, approved, decision, self.timeout)
            body = DecisionSent(
                workflow_id=workflow_id,
                decision="approve" if approved else "reject",
                reviewer=decision.reviewer,
                progress_url=f"/api/reports/{workflow_id}/progress",
            )
            return JSONResponse(body.model_dump(), status_code=202)

        return await self._call(workflow_id, send)

    async def progress(self, workflow_id: str) -> JSONResponse:
        async def query(client: Client) -> JSONResponse:
            answer = await operations.progress(client, workflow_id, self.timeout)
            return JSONResponse(answer.model_dump(mode="json"))

        return await self._call(workflow_id, query)

    async def _call(
        self, workflow_id: str, work: Callable[[Client], Awaitable[JSONResponse]]
    ) -> JSONResponse:
        client = self.link.client_for_reads()
        if client is None:
            return error(503, "temporal_unavailable", f"Temporal is {self.link.state.value}")
        try:
            async with asyncio.timeout(self.timeout * 3):
                return await work(client)
        except CommandFailed as exc:
            return error(STATUS_OF.get(exc.kind, 500), exc.kind, str(exc))
        except (TimeoutError, RPCError) as exc:
            if isinstance(exc, RPCError) and exc.status not in UNREACHABLE_CODES:
                raise
            self.link.report_failure(exc)
            return error(
                503,
                "temporal_unavailable",
                f"Temporal did not answer for {workflow_id} ({LinkState.UNREACHABLE.value})",
            )


def error(status: int, code: str, message: str) -> JSONResponse:
    headers = {"Retry-After": "1"} if status == 503 else None
    return JSONResponse({"error": code, "message": message}, status_code=status, headers=headers)


def add_report_routes(app: FastAPI, backend: Any) -> None:
    """The report routes; a backend without a `reports` desk (a broken twin) answers 501."""
    desk: ReportDesk | None = getattr(backend, "reports", None)

    def unsupported() -> JSONResponse:
        return error(501, "not_implemented", "this API does not serve report decisions")

    @app.post("/api/reports/{workflow_id}/approve", status_code=202, response_model=DecisionSent)
    async def approve(workflow_id: str, decision: ApprovalDecision) -> JSONResponse:
        if desk is None:
            return unsupported()
        return await desk.decide(workflow_id, True, decision)

    @app.post("/api/reports/{workflow_id}/reject", status_code=202, response_model=DecisionSent)
    async def reject(workflow_id: str, decision: ApprovalDecision) -> JSONResponse:
        if desk is None:
            return unsupported()
        return await desk.decide(workflow_id, False, decision)

    @app.get("/api/reports/{workflow_id}/progress", response_model=ReportProgress)
    async def progress(workflow_id: str) -> JSONResponse:
        if desk is None:
            return unsupported()
        return await desk.progress(workflow_id)
