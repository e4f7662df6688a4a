"""The Updates a unit declares: what the suite sends a running workflow, and what it must answer.

A chat session, an approval, an order that takes amendments: a unit that works by Updates
declares them on `Unit.updates`, in the order the suite sends them, each an `UpdateCall`:
the Update's `name`, `times` (a chat's turns), `args(ctx, n)` for the n-th sending (from
1), an optional `check_reply(ctx, n, reply)` (None when the reply is right, else the
problem), and `with_start` (the first sending goes with the start, Update-with-Start: only
the unit's first call may say so). The suite sends them one after another, each with a
deterministic update id (`update_id`), so a re-send after an unknown outcome is the same
Update to Temporal, never a second one.

    Unit(
        name="chat",
        workflow_type="ChatSessionWorkflow",
        build_input=lambda ctx: [{"max_turns_per_run": 2}],
        updates=[
            UpdateCall(name="turn", times=5, with_start=True, args=turn_args, check_reply=turn_ok),
            UpdateCall(name="close"),
        ],
        effects=[LlmCalls(answered_per_unit=5)],
    )
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from stormproof.adapter.models import UnitContext

ArgsBuilder = Callable[["UnitContext", int], list[Any]]
ReplyCheck = Callable[["UnitContext", int, Any], "str | None"]


def _no_args(ctx: UnitContext, n: int) -> list[Any]:
    return []


class UpdateCall(BaseModel):
    """One Update the suite sends a unit's workflow, `times` times in a row."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    name: str = Field(min_length=1, description="the Update's name, as the workflow defines it")
    times: int = Field(1, ge=1, le=100, description="how many times in a row (a chat's turns)")
    args: ArgsBuilder = Field(
        _no_args, description="(context, n from 1) -> the Update's arguments for its n-th sending"
    )
    check_reply: ReplyCheck | None = Field(
        None, description="(context, n, reply) -> None when the reply is right, else the problem"
    )
    with_start: bool = Field(
        False, description="the first sending starts the workflow too (Update-with-Start)"
    )


def update_id(workflow_id: str, name: str, n: int) -> str:
    """The n-th sending's update id: the same on every re-send, so Temporal de-duplicates it."""
    return f"{workflow_id}/{name}/{n}"


def sendings(updates: list[UpdateCall]) -> list[tuple[UpdateCall, int]]:
    """Every sending of `updates` in order: (call, n) with n from 1 for each call."""
    return [(call, n) for call in updates for n in range(1, call.times + 1)]


def check_updates(updates: list[UpdateCall]) -> None:
    """Only the first call may start the workflow (Update-with-Start); raises with the fix."""
    late = [c.name for c in updates[1:] if c.with_start]
    if late:
        raise ValueError(
            f"updates: with_start is set on {late}, which are not the first UpdateCall "
            "(fix: only updates[0] may go with the start; move it first or drop with_start)"
        )
