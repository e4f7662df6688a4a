"""The operation history as the checker reads it: one `Op` per line, and what they add up to.

Clients record what they asked (`invoke`) and what they learned (`ok`, `fail`, or `info`
when the outcome is unknown); the nemesis records its faults and heals, the observer each
completed step at its server time (stormproof/operations.py writes them all). `parse` folds
the lines into the few facts the checkers need, in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

OpType = Literal["invoke", "ok", "fail", "info"]


class Op(BaseModel):
    """One line of the history: f is start|result|update|fault|heal|step|phase."""

    model_config = ConfigDict(extra="forbid")

    index: int
    time: float = Field(description="wall clock, seconds since the epoch")
    process: str
    type: OpType
    f: str
    workflow_id: str | None = None
    value: dict[str, Any] = Field(default_factory=dict)


@dataclass
class Parsed:
    """What a history says: the workflows it started (with their start's fields), which
    starts the server acknowledged, each workflow's final result, and the fault timeline."""

    started: dict[str, dict[str, Any]] = field(default_factory=dict)
    start_ok: set[str] = field(default_factory=set)
    results: dict[str, Op] = field(default_factory=dict)
    heals: list[float] = field(default_factory=list)
    steps: list[float] = field(default_factory=list)
    faults: int = 0


def parse(history: list[Op]) -> Parsed:
    """One pass over the history. A workflow's result is its first `ok`, else its last
    `fail`/`info` (a retried await may learn more than once)."""
    parsed = Parsed()
    for op in history:
        wid = op.workflow_id
        if op.f == "start" and wid is not None:
            if op.type == "invoke":
                parsed.started.setdefault(wid, op.value)
            elif op.type == "ok":
                parsed.start_ok.add(wid)
        elif op.f == "result" and wid is not None and op.type != "invoke":
            if wid not in parsed.results or parsed.results[wid].type != "ok":
                parsed.results[wid] = op
        elif op.f == "fault" and op.type == "ok":
            parsed.faults += 1
        elif op.f == "heal" and op.type == "ok":
            parsed.heals.append(op.time)
        elif op.f == "step" and op.type == "ok":
            parsed.steps.append(op.time)
    return parsed
