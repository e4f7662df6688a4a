"""The reference HTTP API: `stormproof-reference api [--host H] [--port P]`.

The routes and their Temporal backend are here; the command line and the server are in
reference/api/server.py (`parse` and `serve`, shared with the broken API twin), the
report decision routes in reference/api/reports.py.

    POST /api/stories, POST /api/reports   start a workflow, answer its id at once
    GET  /api/workflows/{id}               status, and the result or failure when closed
    POST /api/reports/{id}/approve|reject  decide a waiting report (reference/api/reports.py)
    GET  /api/reports/{id}/progress        the report's progress query
    GET  /health                           liveness: the process serves requests
    GET  /ready                            Temporal reachable, namespace exists, pollers
    GET  /metrics                          answers, refusals, link state (reference/api/metrics.py)

The one promise: a 202 means Temporal has durably stored the workflow. The API starts
even when Temporal is down, and while it cannot start work it answers 503 with the reason
instead of parking submissions somewhere Temporal will never see them. The connection is
kept by reference/temporal/link.py, which reconnects on its own. An optional
`Idempotency-Key` header makes the workflow id deterministic, so a client retrying after a
503 or a cut connection gets exactly one workflow (200 and the same id on a repeat).
Bodies above STORMPROOF_API_MAX_BODY_BYTES answer 413, and a 422 never echoes the input
(reference/api/guard.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Annotated, Any

from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from stormproof.reference import logs
from stormproof.reference.api.guard import guard
from stormproof.reference.api.metrics import instrument
from stormproof.reference.api.models import (
    WORKFLOW_TYPES,
    ApiSettings,
    ApiSettingsError,
    Health,
    Readiness,
    Submitted,
    Unavailable,
    WorkflowKind,
    WorkflowView,
)
from stormproof.reference.api.reports import UNREACHABLE_CODES, ReportDesk, add_report_routes
from stormproof.reference.api.server import parse, serve
from stormproof.reference.cli.common import PROG
from stormproof.reference.models import ReportRequest, StoryRequest
from stormproof.reference.temporal.connection import ConnectionConfigError, load_connect_config
from stormproof.reference.temporal.link import LinkState, TemporalLink

log = logging.getLogger("stormproof.api")

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def workflow_id_for(kind: WorkflowKind, key: str | None, prefix: str = "") -> str:
    """Deterministic from the key (so a retry maps to the same workflow), else random;
    `prefix` (STORMPROOF_API_WORKFLOW_ID_PREFIX) first."""
    if key is None:
        return f"{prefix}{kind}-{uuid.uuid4().hex}"
    return f"{prefix}{kind}-key-{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def unavailable(message: str, state: str, retry_after: int = 1) -> JSONResponse:
    body = Unavailable(message=message, state=state, retry_after_seconds=retry_after)
    return JSONResponse(body.model_dump(), status_code=503, headers={"Retry-After": "1"})


class TemporalBackend:
    """Starts and reads workflows through a TemporalLink, never beyond a deadline."""

    def __init__(self, settings: ApiSettings, link: TemporalLink) -> None:
        self.settings = settings
        self.link = link
        self.reports = ReportDesk(link, settings.start_timeout_seconds)

    async def startup(self) -> None:
        self.link.start()

    async def shutdown(self) -> None:
        await self.link.stop()

    def readiness(self) -> Readiness:
        status = self.link.status()
        return Readiness(
            ready=status.state is LinkState.READY, reason=status.reason, temporal=status
        )

    async def submit(self, kind: WorkflowKind, request: BaseModel, key: str | None) -> JSONResponse:
        client = self.link.usable_client()
        if client is None:
            return unavailable(
                f"cannot start a {kind} now: Temporal is {self.link.state.value}: "
                f"{self.link.reason}. Nothing was started; retry later.",
                self.link.state.value,
            )
        workflow_id = workflow_id_for(kind, key, self.settings.workflow_id_prefix)
        timeout = self.settings.start_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                await client.start_workflow(
                    WORKFLOW_TYPES[kind],
                    request,
                    id=workflow_id,
                    task_queue=self.settings.task_queue,
                    # A key maps to one workflow forever, even after that workflow closed.
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    rpc_timeout=timedelta(seconds=timeout),
                )
        except WorkflowAlreadyStartedError:
            return self._accepted(kind, workflow_id, duplicate=True)
        except (TimeoutError, RPCError) as exc:
            if isinstance(exc, RPCError) and exc.status not in UNREACHABLE_CODES:
                if exc.status == RPCStatusCode.NOT_FOUND:  # the namespace went away
                    self.link.wake()
                    return unavailable(f"Temporal rejected the start: {exc}", "namespace_missing")
                raise
            self.link.report_failure(exc)
            retry = "retry with the same Idempotency-Key" if key else "send an Idempotency-Key"
            return unavailable(
                f"Temporal did not confirm the start of {kind} {workflow_id} within "
                f"{timeout:g}s ({type(exc).__name__}); {retry} so a retry cannot start a "
                "second workflow.",
                LinkState.UNREACHABLE.value,
            )
        return self._accepted(kind, workflow_id, duplicate=False)

    @staticmethod
    def _accepted(kind: WorkflowKind, workflow_id: str, *, duplicate: bool) -> JSONResponse:
        body = Submitted(
            workflow_id=workflow_id,
            kind=kind,
            duplicate=duplicate,
            status_url=f"/api/workflows/{workflow_id}",
        )
        return JSONResponse(body.model_dump(), status_code=200 if duplicate else 202)

    async def view(self, workflow_id: str) -> JSONResponse:
        client = self.link.client_for_reads()
        if client is None:
            return unavailable(f"Temporal is {self.link.state.value}: {self.link.reason}", "down")
        try:
            async with asyncio.timeout(self.settings.start_timeout_seconds * 2):
                timeout = self.settings.start_timeout_seconds
                view = await describe_workflow(client, workflow_id, timeout)
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                body = {"error": "not_found", "message": f"no workflow {workflow_id!r}"}
                return JSONResponse(body, status_code=404)
            if exc.status not in UNREACHABLE_CODES:
                raise
            self.link.report_failure(exc)
            return unavailable(f"cannot read {workflow_id}: {exc}", LinkState.UNREACHABLE.value)
        except TimeoutError as exc:
            self.link.report_failure(exc)
            return unavailable(f"Temporal did not answer for {workflow_id}", "unreachable")
        return JSONResponse(view.model_dump(mode="json"))


async def describe_workflow(client: Client, workflow_id: str, timeout: float) -> WorkflowView:
    """Temporal's view of one workflow; raises RPCError NOT_FOUND for an unknown id."""
    rpc_timeout = timedelta(seconds=timeout)
    handle = client.get_workflow_handle(workflow_id)
    description = await handle.describe(rpc_timeout=rpc_timeout)
    status = description.status
    view = WorkflowView(
        workflow_id=workflow_id,
        workflow_type=description.workflow_type,
        status=status.name if status else "UNKNOWN",
    )
    if status == WorkflowExecutionStatus.COMPLETED:
        view.result = await handle.result(rpc_timeout=rpc_timeout)
    elif status is not None and status != WorkflowExecutionStatus.RUNNING:
        try:
            await handle.result(rpc_timeout=rpc_timeout)
        except WorkflowFailureError as exc:
            view.failure = f"{exc.cause}" if exc.cause else str(exc)
    return view


def create_app(backend: Any, *, max_body_bytes: int | None = None) -> FastAPI:
    """The routes, over any backend with the TemporalBackend interface (broken twins too).

    The body limit defaults to the backend's settings (STORMPROOF_API_MAX_BODY_BYTES).
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await backend.startup()
        try:
            yield
        finally:
            await backend.shutdown()

    app = FastAPI(title="Stormproof reference API", lifespan=lifespan)
    guard(app, max_body_bytes or backend.settings.max_body_bytes)
    instrument(app, backend)  # outermost: it counts the guard's own 413/422 answers too

    @app.get("/health")
    async def health() -> Health:
        return Health()

    @app.get("/ready", response_model=Readiness)
    async def ready() -> JSONResponse:
        readiness = backend.readiness()
        code = 200 if readiness.ready else 503
        return JSONResponse(readiness.model_dump(mode="json"), status_code=code)

    @app.post("/api/stories", status_code=202, response_model=Submitted)
    async def submit_story(request: StoryRequest, key: IdempotencyKey = None) -> JSONResponse:
        return await backend.submit("story", request, key)

    @app.post("/api/reports", status_code=202, response_model=Submitted)
    async def submit_report(request: ReportRequest, key: IdempotencyKey = None) -> JSONResponse:
        return await backend.submit("report", request, key)

    @app.get("/api/workflows/{workflow_id}", response_model=WorkflowView)
    async def workflow(workflow_id: str) -> JSONResponse:
        return await backend.view(workflow_id)

    add_report_routes(app, backend)
    return app


def build_backend(settings: ApiSettings) -> TemporalBackend:
    link = TemporalLink(
        load_connect_config(), settings.task_queue, max_backoff=settings.max_backoff_seconds
    )
    return TemporalBackend(settings, link)


def main(argv: Sequence[str] | None = None) -> int:
    label = "stormproof-api"
    logs.configure()
    try:
        settings = parse(argv, f"{PROG} api")
        backend = build_backend(settings)
    except (ApiSettingsError, ConnectionConfigError) as exc:
        print(f"{label}: {exc}", file=sys.stderr)
        return 2
    return serve(create_app(backend), settings, label)
