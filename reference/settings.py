"""The reference worker's settings, read from the environment docs/CONTRACT.md section 1 lists.

Everything is validated once, when the worker starts, so a typo surfaces as one readable
line naming the variable, the value and the fix instead of a traceback from deep inside an
activity an hour later. Credentials and endpoints that only one step needs (the LLM key,
the webhook URL) are optional here on purpose: a worker without them still serves the
other workflows, and the step that needs them fails non-retryably with a message saying
which variable to set.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The llm_call activity's start_to_close is 60 s (reference/workflows/policies.py); a
# request timeout above this would be cut off by Temporal before the SDK gave up, which
# reads as a mysterious activity timeout instead of an LLM timeout.
MAX_LLM_TIMEOUT_SECONDS = 50.0
DEFAULT_TASK_QUEUE = "stormproof"

# How to fix each variable, shown next to the offending value.
_FIXES: dict[str, str] = {
    "STORMPROOF_TASK_QUEUE": "set it to a non-empty task queue name, e.g. stormproof",
    "OPENAI_BASE_URL": "set it to an http(s) URL including /v1, e.g. http://127.0.0.1:8080/v1",
    "OPENAI_API_KEY": "export OPENAI_API_KEY=<your key>",
    "STORMPROOF_LLM_MODEL": "set it to a model name, e.g. gpt-4o-mini",
    "STORMPROOF_LLM_TIMEOUT_SECONDS": (
        f"set it to a number of seconds between 0 and {MAX_LLM_TIMEOUT_SECONDS:g}, e.g. 30"
    ),
    "STORMPROOF_DATABASE_URL": (
        "use sqlite:///abs/path.db or postgresql://user@host:port/db (or unset it for the "
        "default SQLite file in the artifact dir)"
    ),
    "STORMPROOF_NOTIFY_URL": "set it to an http(s) URL, e.g. http://127.0.0.1:9000/hooks/report",
    "STORMPROOF_ARTIFACT_DIR": "set it to a writable directory path",
}


class SettingsError(Exception):
    """The environment holds a value the worker cannot use; the message says how to fix it."""


def _http_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError("not an http(s) URL")
    return value


class WorkerSettings(BaseSettings):
    """Validated worker configuration; field aliases are the contract's variable names."""

    # Empty variables count as unset, so `OPENAI_API_KEY=` behaves like a missing key
    # rather than an empty bearer token the LLM would answer with a confusing 401.
    model_config = SettingsConfigDict(
        env_ignore_empty=True, populate_by_name=True, extra="ignore", frozen=True
    )

    task_queue: str = Field(
        default=DEFAULT_TASK_QUEUE,
        min_length=1,
        validation_alias="STORMPROOF_TASK_QUEUE",
        description=f"task queue to poll (default {DEFAULT_TASK_QUEUE})",
    )
    openai_base_url: str | None = Field(
        default=None,
        validation_alias="OPENAI_BASE_URL",
        description="OpenAI-compatible API base URL, with /v1 (default: OpenAI's)",
    )
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias="OPENAI_API_KEY",
        description="LLM API key; without it LLM steps fail naming it",
    )
    llm_model: str = Field(
        default="gpt-4o-mini",
        min_length=1,
        validation_alias="STORMPROOF_LLM_MODEL",
        description="model name (default gpt-4o-mini)",
    )
    llm_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=MAX_LLM_TIMEOUT_SECONDS,
        validation_alias="STORMPROOF_LLM_TIMEOUT_SECONDS",
        description=f"LLM request timeout, 0-{MAX_LLM_TIMEOUT_SECONDS:g} s (default 30)",
    )
    database_url_raw: str | None = Field(
        default=None,
        validation_alias="STORMPROOF_DATABASE_URL",
        description="sqlite:///path or postgresql://... (default: SQLite in the artifact dir)",
    )
    notify_url: str | None = Field(
        default=None,
        validation_alias="STORMPROOF_NOTIFY_URL",
        description="webhook the report notification is POSTed to",
    )
    artifact_dir: Path = Field(
        default=Path("./artifacts"),
        validation_alias="STORMPROOF_ARTIFACT_DIR",
        description="where stories and PDFs are written (default ./artifacts)",
    )

    @field_validator("openai_base_url", "notify_url")
    @classmethod
    def _check_http(cls, value: str | None) -> str | None:
        return _http_url(value)

    @field_validator("database_url_raw")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.startswith("sqlite:///") and len(value) > len("sqlite:///"):
            return value
        if urlsplit(value).scheme in {"postgresql", "postgres"}:
            return value
        raise ValueError("unsupported database URL scheme")

    @field_validator("artifact_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        # Resolved once at start so every path the worker reports back is absolute and
        # means the same thing to the judge, whatever its own working directory.
        return value.expanduser().resolve()

    @property
    def database_url(self) -> str:
        """The configured URL, or a SQLite file beside the artifacts when unset."""
        return self.database_url_raw or f"sqlite:///{self.artifact_dir / 'stormproof.db'}"


def variables() -> dict[str, str]:
    """Each variable the worker reads and what it is for, for `--help`."""
    return {
        str(field.validation_alias): field.description or ""
        for field in WorkerSettings.model_fields.values()
    }


def describe_errors(
    exc: ValidationError,
    model: type[BaseSettings],
    fixes: Mapping[str, str],
    flags: Mapping[str, str],
) -> list[str]:
    """One line per error: the setting as the user gave it, the value, the problem, the fix.

    An override passed by field name came from a command-line flag (`flags` maps the field
    to it), so the line names the flag; a value read from the environment is reported
    under its variable. Shared by the worker's and the API's settings.
    """
    lines = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "?"
        field = model.model_fields.get(name)
        variable = str(field.validation_alias) if field is not None else name
        shown = flags.get(name, variable)
        fix = fixes.get(variable, "check the value")
        lines.append(f"{shown}={error.get('input')!r}: {error['msg']}; fix: {fix}")
    return lines


def load_settings(flags: Mapping[str, str] | None = None, **overrides: object) -> WorkerSettings:
    """Read the environment (plus explicit overrides) or raise SettingsError with the fix.

    `flags` names the command-line flag each override came from, for the error message.
    """
    try:
        return WorkerSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = describe_errors(exc, WorkerSettings, _FIXES, flags or {})
        raise SettingsError("invalid worker settings:\n  " + "\n  ".join(lines)) from None
