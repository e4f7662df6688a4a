"""The reference API's edge, in process over ASGI with a stand-in backend: a request-size
limit answered 413, 422 answers that never echo the input, and the report decision routes
(approve, reject, progress) that refuse what the workflow would drop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from temporalio.service import RPCError, RPCStatusCode

from stormproof.reference.api import create_app
from stormproof.reference.api import reports as api_reports
from stormproof.reference.api.models import ApiSettings, ApiSettingsError, load_api_settings
from stormproof.reference.api.reports import ReportDesk
from stormproof.reference.cli.common import CommandFailed
from stormproof.reference.models import ApprovalDecision

LIMIT = 64 * 1024
FILLER = "Q"  # the invalid input; no run of it may come back
# A 422 says what is wrong in a few hundred bytes, whatever was posted.
SMALL_ANSWER = 4096


class FakeDesk:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def decide(
        self, workflow_id: str, approved: bool, decision: ApprovalDecision
    ) -> JSONResponse:
        self.calls.append(("approve" if approved else "reject", decision))
        return JSONResponse({"workflow_id": workflow_id}, status_code=202)

    async def progress(self, workflow_id: str) -> JSONResponse:
        self.calls.append(("progress", workflow_id))
        return JSONResponse({"step": "awaiting_approval"})


class FakeBackend:
    """Records what reached it; a request the edge refuses must never get here."""

    def __init__(self, with_reports: bool = True) -> None:
        self.settings = ApiSettings(max_body_bytes=LIMIT)
        self.submitted: list[BaseModel] = []
        if with_reports:
            self.reports = FakeDesk()

    async def startup(self) -> None: ...

    async def shutdown(self) -> None: ...

    async def submit(self, kind: str, request: BaseModel, key: str | None) -> JSONResponse:
        self.submitted.append(request)
        return JSONResponse({"workflow_id": f"{kind}-1"}, status_code=202)


@pytest.fixture
async def backend() -> FakeBackend:
    return FakeBackend()


@pytest.fixture
async def http(backend: FakeBackend) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(backend))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client


def assert_no_echo(response: httpx.Response) -> None:
    assert len(response.content) < SMALL_ANSWER, len(response.content)
    assert FILLER * 8 not in response.text, response.text[:300]


async def test_a_body_over_the_limit_is_413_before_it_is_parsed(
    http: httpx.AsyncClient, backend: FakeBackend
) -> None:
    body = {"prompt": FILLER * (LIMIT + 1)}
    response = await http.post("/api/stories", json=body)
    assert response.status_code == 413, response.text
    assert response.json() == {
        "error": "request_too_large",
        "message": f"the request body is larger than {LIMIT} bytes; nothing was started",
        "limit_bytes": LIMIT,
    }
    assert_no_echo(response)
    assert backend.submitted == []


async def test_a_streamed_body_without_length_is_cut_at_the_limit(
    http: httpx.AsyncClient, backend: FakeBackend
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"prompt": "'
        for _ in range(LIMIT // 1024 + 2):
            yield FILLER.encode() * 1024
        yield b'"}'

    response = await http.post(
        "/api/reports", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "request_too_large"
    assert backend.submitted == []


async def test_a_body_under_the_limit_still_works(
    http: httpx.AsyncClient, backend: FakeBackend
) -> None:
    response = await http.post("/api/stories", json={"prompt": "a lighthouse"})
    assert response.status_code == 202, response.text
    assert len(backend.submitted) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": FILLER * 40_000},  # too long a prompt, under the size limit
        {"prompt": "ok", FILLER * 5_000: 1},  # an unknown field whose name is the payload
        [FILLER * 40_000],  # not an object at all
    ],
    ids=["long-prompt", "huge-field-name", "wrong-type"],
)
async def test_422_says_what_is_wrong_without_echoing_the_input(
    http: httpx.AsyncClient, backend: FakeBackend, body: Any
) -> None:
    response = await http.post("/api/stories", json=body)
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["error"] == "invalid_request" and answer["errors"], answer
    assert all(set(error) == {"loc", "msg", "type"} for error in answer["errors"]), answer
    assert_no_echo(response)
    assert backend.submitted == []


async def test_invalid_json_is_422_without_the_document(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/api/stories",
        content=b'{"prompt": "' + FILLER.encode() * 30_000,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert_no_echo(response)


@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_decisions_reach_the_report_desk(
    http: httpx.AsyncClient, backend: FakeBackend, decision: str
) -> None:
    body = {"reviewer": "ops@example.com", "comment": "ship it"}
    response = await http.post(f"/api/reports/report-1/{decision}", json=body)
    assert response.status_code == 202, response.text
    assert backend.reports.calls == [(decision, ApprovalDecision(**body))]


@pytest.mark.parametrize(
    "body",
    [{}, {"reviewer": ""}, {"reviewer": "x" * 201}, {"reviewer": "ops", "extra": 1}, "yes", None],
    ids=["empty", "blank-reviewer", "long-reviewer", "extra-field", "string", "null"],
)
async def test_a_malformed_decision_is_refused_not_sent(
    http: httpx.AsyncClient, backend: FakeBackend, body: Any
) -> None:
    response = await http.post("/api/reports/report-1/approve", json=body)
    assert response.status_code == 422, response.text
    assert backend.reports.calls == []


async def test_progress_is_reachable(http: httpx.AsyncClient, backend: FakeBackend) -> None:
    response = await http.get("/api/reports/report-1/progress")
    assert response.status_code == 200 and response.json()["step"] == "awaiting_approval"
    assert backend.reports.calls == [("progress", "report-1")]


async def test_a_backend_without_report_decisions_answers_501() -> None:
    transport = httpx.ASGITransport(app=create_app(FakeBackend(with_reports=False)))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
        response = await http.post("/api/reports/r/approve", json={"reviewer": "ops"})
    assert response.status_code == 501 and response.json()["error"] == "not_implemented"


class FakeLink:
    def __init__(self) -> None:
        self.failures: list[BaseException] = []
        self.state = api_reports.LinkState.READY

    def client_for_reads(self) -> object:
        return object()

    def report_failure(self, error: BaseException) -> None:
        self.failures.append(error)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (CommandFailed("no workflow", "not_found"), 404),
        (CommandFailed("a story", "not_a_report"), 409),
        (CommandFailed("closed", "not_running"), 409),
        (CommandFailed("nobody polls", "no_poller"), 503),
        (RPCError("gone", RPCStatusCode.UNAVAILABLE, b""), 503),
    ],
)
async def test_the_desk_maps_each_refusal_to_a_status(
    monkeypatch: pytest.MonkeyPatch, error: Exception, status: int
) -> None:
    async def refuse(*_: Any, **__: Any) -> None:
        raise error

    monkeypatch.setattr(api_reports.operations, "decide", refuse)
    link = FakeLink()
    desk = ReportDesk(link, timeout=1.0)  # type: ignore[arg-type]
    response = await desk.decide("report-1", True, ApprovalDecision(reviewer="ops"))
    assert response.status_code == status, response.body
    assert (link.failures != []) == isinstance(error, RPCError)


def test_the_limit_is_configurable_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORMPROOF_API_MAX_BODY_BYTES", raising=False)
    assert load_api_settings().max_body_bytes == 1024 * 1024
    monkeypatch.setenv("STORMPROOF_API_MAX_BODY_BYTES", "2048")
    assert load_api_settings().max_body_bytes == 2048
    monkeypatch.setenv("STORMPROOF_API_MAX_BODY_BYTES", "10")
    with pytest.raises(ApiSettingsError, match="STORMPROOF_API_MAX_BODY_BYTES='10'"):
        load_api_settings()
    with pytest.raises(ApiSettingsError, match="--max-body-bytes=5"):
        load_api_settings({"max_body_bytes": "--max-body-bytes"}, max_body_bytes=5)
