"""The API's edge: a request-size limit, and error answers that never echo the input.

FastAPI's defaults read a body of any size and answer a validation error with the
offending input inside it: a 20 MB invalid body came back as a 20 MB 422. Both are
amplifiers (memory on the way in, bandwidth and log volume on the way out) and a leak
(whatever was posted is reflected into logs and proxies). So:

- a body above the limit is refused with 413 before it is parsed: at once when
  Content-Length says so, and while reading when the body is streamed without one;
- a 422 says which field is wrong and why, in the model's field names, never the value
  (nor the name of a field the model does not have: that name is input too).

This is plain ASGI and exception handlers, independent of the FastAPI version's own
limits, so it holds on every version pyproject.toml allows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# Enough to say what is wrong; an attacker's 10 000 invalid fields are not all reported.
MAX_REPORTED_ERRORS = 10
MAX_LOC_CHARS = 64
# How much of a refused body is read and dropped before the 413 (see drain()).
DRAIN_FACTOR = 4
DRAIN_SECONDS = 5.0


class BodyTooLarge(HTTPException):
    """Raised from the request's receive channel; FastAPI re-raises an HTTPException from
    body parsing as is, so this reaches its handler instead of becoming a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body above {limit} bytes")
        self.limit = limit


def too_large_body(limit: int) -> dict[str, Any]:
    return {
        "error": "request_too_large",
        "message": f"the request body is larger than {limit} bytes; nothing was started",
        "limit_bytes": limit,
    }


async def drain(receive: Receive, limit: int) -> None:
    """Read and drop what the client is still sending, up to DRAIN_FACTOR x `limit` bytes
    and DRAIN_SECONDS: a connection closed with unread data in it makes the kernel answer
    with a reset, which can destroy the 413 before the client has read it. Beyond either
    bound the connection is closed all the same: reading a gigabyte to refuse it would
    be the amplifier the limit exists to stop."""

    async def read() -> None:
        drained = 0
        while drained <= DRAIN_FACTOR * limit:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                return
            drained += len(message.get("body", b""))

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(read(), timeout=DRAIN_SECONDS)


class BodyLimit:
    """ASGI middleware refusing request bodies above `limit` bytes with 413."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await drain(receive, self.limit)
            await self._refuse(send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    if message.get("more_body", False):
                        await drain(receive, self.limit)
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, limited, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(too_large_body(self.limit)).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            # Whatever the client still sends past drain()'s bound is not read.
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _location(error: Any) -> list[str | int]:
    """Where the error is, in the model's own names: a field the model does not have is
    named by the input, so it is reported as "(unknown field)", not by its name."""
    parts = list(error.get("loc", ()))
    if error.get("type") == "extra_forbidden" and parts:
        parts[-1] = "(unknown field)"
    return [part if isinstance(part, int) else str(part)[:MAX_LOC_CHARS] for part in parts]


def validation_errors(errors: list[Any]) -> list[dict[str, Any]]:
    """Each error's location, message and type: never its `input` or `ctx`."""
    return [
        {
            "loc": _location(error),
            "msg": str(error.get("msg", ""))[:200],
            "type": str(error.get("type", "")),
        }
        for error in errors[:MAX_REPORTED_ERRORS]
    ]


async def _invalid(_: Request, exc: Exception) -> JSONResponse:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    body = {
        "error": "invalid_request",
        "message": f"the request is invalid ({len(errors)} error(s)); nothing was started",
        "errors": validation_errors(list(errors)),
    }
    return JSONResponse(body, status_code=422)


async def _too_large(_: Request, exc: Exception) -> JSONResponse:
    limit = exc.limit if isinstance(exc, BodyTooLarge) else 0
    return JSONResponse(too_large_body(limit), status_code=413, headers={"Connection": "close"})


def guard(app: FastAPI, max_body_bytes: int) -> None:
    """Install the size limit and the input-free error answers on `app`."""
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(BodyTooLarge, _too_large)
