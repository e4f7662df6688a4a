"""Failure causes: what a workflow failure says along its cause chain.

The contract names the error types a failed workflow's cause chain must contain (docs/
CONTRACT.md section 4); Temporal wraps them (workflow failure, activity error, application
error), so the judge walks the whole chain instead of looking at the outermost error.
"""

from __future__ import annotations

from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError, FailureError


def failure_types(error: BaseException) -> list[str]:
    """Application error types along a workflow failure's cause chain, outermost first."""
    types: list[str] = []
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, ApplicationError) and current.type:
            types.append(current.type)
        if isinstance(current, WorkflowFailureError | FailureError) or current.__cause__:
            current = current.__cause__
        else:
            current = None
    return types


def failure_messages(error: BaseException) -> str:
    """Every message along the cause chain, joined: what a user would read in the UI."""
    parts: list[str] = []
    current: BaseException | None = error
    while current is not None:
        parts.append(str(current))
        current = current.__cause__
    return " <- ".join(parts)
