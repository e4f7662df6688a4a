"""The HTTP API's boundary: its settings and the bodies of its workflow routes.

Request bodies are the workflows' own input models (reference/models.py), so the API
rejects with 422 exactly what the workflow would reject, before anything is started. The
report decision's answer is in reports.py, the Temporal link's status in
reference/temporal/link.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from stormproof.reference.api.guard import DEFAULT_MAX_BODY_BYTES
from stormproof.reference.settings import describe_errors
from stormproof.reference.temporal.link import LinkStatus

WorkflowKind = Literal["story", "report"]
WORKFLOW_TYPES: dict[str, str] = {"story": "StoryWorkflow", "report": "ReportWorkflow"}

# The limit is configurable within sane bounds: below 1 KiB no real report request fits,
# above 64 MiB the limit no longer protects anything.
MIN_BODY_LIMIT = 1024
MAX_BODY_LIMIT = 64 * 1024 * 1024

_FIXES: dict[str, str] = {
    "STORMPROOF_TASK_QUEUE": "set it to the task queue your worker polls, e.g. stormproof",
    "STORMPROOF_API_HOST": "set it to an address to bind, e.g. 127.0.0.1",
    "STORMPROOF_API_PORT": "set it to a TCP port between 1 and 65535, e.g. 8000",
    "STORMPROOF_API_START_TIMEOUT_SECONDS": "set it to seconds between 0.1 and 30, e.g. 3",
    "STORMPROOF_API_MAX_BACKOFF_SECONDS": "set it to seconds between 0.1 and 60, e.g. 1",
    "STORMPROOF_API_WORKFLOW_ID_PREFIX": "letters, digits, '_', '.' and '-' only, e.g. myteam-",
    "STORMPROOF_API_MAX_BODY_BYTES": (
        f"set it to bytes between {MIN_BODY_LIMIT} and {MAX_BODY_LIMIT}, e.g. 1048576"
    ),
}


class ApiSettingsError(Exception):
    """The environment holds a value the API cannot use; the message says how to fix it."""


class ApiSettings(BaseSettings):
    """The API's own settings; Temporal's come from envconfig (reference/temporal/connection.py)."""

    model_config = SettingsConfigDict(
        env_ignore_empty=True, populate_by_name=True, extra="ignore", frozen=True
    )

    task_queue: str = Field(
        "stormproof",
        min_length=1,
        validation_alias="STORMPROOF_TASK_QUEUE",
        description="task queue workflows are started on (default stormproof)",
    )
    host: str = Field(
        "127.0.0.1",
        min_length=1,
        validation_alias="STORMPROOF_API_HOST",
        description="address to bind (default 127.0.0.1)",
    )
    port: int = Field(
        8000,
        ge=1,
        le=65535,
        validation_alias="STORMPROOF_API_PORT",
        description="port to listen on (default 8000)",
    )
    # A start that has not been acknowledged by then is answered 503: the client retries
    # with its Idempotency-Key rather than hanging on a server that may never answer.
    start_timeout_seconds: float = Field(
        3.0,
        ge=0.1,
        le=30,
        validation_alias="STORMPROOF_API_START_TIMEOUT_SECONDS",
        description="seconds before an unacknowledged start answers 503 (default 3)",
    )
    # Probe backoff ceiling while Temporal is down. 1 s keeps "accepts work within 1 s of
    # Temporal being back" true even without a submission to wake the prober.
    max_backoff_seconds: float = Field(
        1.0,
        ge=0.1,
        le=60,
        validation_alias="STORMPROOF_API_MAX_BACKOFF_SECONDS",
        description="probe backoff ceiling while Temporal is down (default 1)",
    )
    # Several deployments (or a test run's replicas) on one namespace keep their workflow
    # ids apart: every id the API mints starts with it.
    workflow_id_prefix: str = Field(
        "",
        max_length=100,
        pattern=r"^[\w.-]*$",
        validation_alias="STORMPROOF_API_WORKFLOW_ID_PREFIX",
        description="prepended to every workflow id the API mints (default none)",
    )
    # Larger bodies are refused with 413 before they are parsed (reference/api/guard.py).
    max_body_bytes: int = Field(
        DEFAULT_MAX_BODY_BYTES,
        ge=MIN_BODY_LIMIT,
        le=MAX_BODY_LIMIT,
        validation_alias="STORMPROOF_API_MAX_BODY_BYTES",
        description=f"request-size limit in bytes (default {DEFAULT_MAX_BODY_BYTES}, 1 MiB)",
    )


def api_variables() -> dict[str, str]:
    """Each variable the API reads and what it is for, for `--help`."""
    return {
        str(field.validation_alias): field.description or ""
        for field in ApiSettings.model_fields.values()
    }


def load_api_settings(flags: Mapping[str, str] | None = None, **overrides: Any) -> ApiSettings:
    """Read the environment (plus explicit overrides) or raise ApiSettingsError.

    `flags` names the command-line flag each override came from, for the error message.
    """
    try:
        return ApiSettings(**overrides)
    except ValidationError as exc:
        lines = describe_errors(exc, ApiSettings, _FIXES, flags or {})
        raise ApiSettingsError("invalid API settings:\n  " + "\n  ".join(lines)) from None


class Submitted(BaseModel):
    """202 for a new workflow, 200 when the Idempotency-Key already started one."""

    workflow_id: str
    kind: WorkflowKind
    duplicate: bool = Field(description="true when this key had already started the workflow")
    status_url: str


class Unavailable(BaseModel):
    """503: nothing was started (or, after a timeout, retry with the same key to find out)."""

    error: Literal["temporal_unavailable"] = "temporal_unavailable"
    message: str
    state: str
    retry_after_seconds: int


class WorkflowView(BaseModel):
    """GET /api/workflows/{id}: Temporal's status, and the result or failure when closed."""

    workflow_id: str
    workflow_type: str
    status: str
    result: Any | None = None
    failure: str | None = None


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    ready: bool
    reason: str | None
    temporal: LinkStatus
