"""The broken API twin `connect_once`: the reconnection suite's negative control.

It connects to Temporal once at start-up. When that fails it only logs a warning, keeps
answering 202 and parks each submission in memory as PENDING, where no workflow will ever
start; when Temporal goes away later, a start that fails is parked the same way. /ready
says ready regardless. It shares the routes of reference/api/app.py; only the backend differs,
so the suite proves that its checks see the behaviour, not a difference in the HTTP surface.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from temporalio.client import Client

from stormproof.reference.api.app import create_app, describe_workflow, workflow_id_for
from stormproof.reference.api.models import (
    WORKFLOW_TYPES,
    ApiSettings,
    ApiSettingsError,
    Readiness,
    Submitted,
    WorkflowKind,
    WorkflowView,
)
from stormproof.reference.api.server import parse, serve
from stormproof.reference.temporal.connection import connect_once, describe, load_connect_config
from stormproof.reference.temporal.link import LinkState, LinkStatus

log = logging.getLogger("stormproof.api.connect_once")


class ConnectOnceBackend:
    """BROKEN ON PURPOSE: one connection attempt, then a PENDING store nobody drains."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self.config = load_connect_config()
        self.client: Client | None = None
        self.pending: dict[str, WorkflowKind] = {}

    async def startup(self) -> None:
        try:
            self.client = await connect_once(self.config)
        except Exception as exc:
            log.warning("could not connect to Temporal (%s): %s", describe(self.config), exc)

    async def shutdown(self) -> None:
        self.client = None

    def readiness(self) -> Readiness:
        status = LinkStatus(
            state=LinkState.READY,
            reason=None,
            target=describe(self.config),
            task_queue=self.settings.task_queue,
            since_seconds=0.0,
            last_probe_seconds_ago=None,
            consecutive_failures=0,
        )
        return Readiness(ready=True, reason=None, temporal=status)

    async def submit(self, kind: WorkflowKind, request: BaseModel, key: str | None) -> JSONResponse:
        workflow_id = workflow_id_for(kind, key, self.settings.workflow_id_prefix)
        try:
            if self.client is None:
                raise RuntimeError("no Temporal client")
            await self.client.start_workflow(
                WORKFLOW_TYPES[kind], request, id=workflow_id, task_queue=self.settings.task_queue
            )
        except Exception as exc:
            log.warning("could not start %s, stored as PENDING: %s", workflow_id, exc)
            self.pending[workflow_id] = kind
        body = Submitted(
            workflow_id=workflow_id,
            kind=kind,
            duplicate=False,
            status_url=f"/api/workflows/{workflow_id}",
        )
        return JSONResponse(body.model_dump(), status_code=202)

    async def view(self, workflow_id: str) -> JSONResponse:
        if workflow_id in self.pending:
            kind = self.pending[workflow_id]
            view = WorkflowView(
                workflow_id=workflow_id, workflow_type=WORKFLOW_TYPES[kind], status="PENDING"
            )
            return JSONResponse(view.model_dump(mode="json"))
        if self.client is None:
            return JSONResponse({"error": "not_found"}, status_code=404)
        view = await describe_workflow(self.client, workflow_id, timeout=10)
        return JSONResponse(view.model_dump(mode="json"))


def serve_twin(backend: Callable[[ApiSettings], Any], name: str, argv: Sequence[str]) -> int:
    """Serve the reference routes over `backend`, with the reference API's own options."""
    label = f"stormproof-api (twin {name}: BROKEN ON PURPOSE)"
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    try:
        settings = parse(argv, f"python -m stormproof.reference.broken {name}")
    except ApiSettingsError as exc:
        print(f"{label}: {exc}", file=sys.stderr)
        return 2
    return serve(create_app(backend(settings)), settings, label)
