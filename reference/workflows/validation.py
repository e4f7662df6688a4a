"""Input validation that runs inside workflow code, before any activity is scheduled.

Workflows accept the raw JSON payload and validate it here, because a payload that fails
to decode into a typed argument is a *workflow task* failure, which Temporal retries
forever and which the caller never hears about. Raising a non-retryable ApplicationError
instead fails the workflow at once with type `InvalidRequest`, as the contract requires.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from temporalio.exceptions import ApplicationError

ModelT = TypeVar("ModelT", bound=BaseModel)


def invalid(message: str) -> ApplicationError:
    return ApplicationError(message, type="InvalidRequest", non_retryable=True)


def parse_request(model: type[ModelT], raw: Any) -> ModelT:
    """`raw` as `model`, or an InvalidRequest error listing every problem."""
    if isinstance(raw, model):
        return raw
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'input'}: {error['msg']}"
            for error in exc.errors()
        )
        raise invalid(f"invalid {model.__name__}: {problems}") from None


def check_file_stem(value: str, what: str) -> str:
    """`value` names a file under the artifact dir, so it must not be able to escape it."""
    if value in {".", ".."} or any(char in value for char in "/\\\x00"):
        raise invalid(f"{what} {value!r} cannot be used as a file name (no '/', '\\\\', '..')")
    return value
