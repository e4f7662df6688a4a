"""The three verdicts a replay can reach, and the messages that make each one actionable.

- replayed: the code issues exactly the commands the history recorded.
- diverged: the code changed non-deterministically. The message names the file, the event
  where code and history part ways, what the code issued instead, a shortened list of the
  commands the history recorded, and the `workflow.patched` advice.
- cannot judge: the file or the converter is the problem, not the code. The message names
  the file, the cause and the fix ("pass --replay-codec", "events are in reverse order",
  "the payloads were decoded by the UI download"); a reviewer must never be sent to patch
  code that is fine.

They are distinct words at the start of every message, so a log grep or a human sees at
once which kind of failure it is. Advice fits where the history came from: re-recording
with `stormproof record-histories` only makes sense for the reference's committed files.
"""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict

from stormproof.diagnosis import BugClass, fail
from stormproof.fixtures.wait import strip_ansi

Verdict = Literal["replayed", "diverged", "cannot judge"]
# committed: the reference's files under suites/replay/histories/; exported: a team's
# --replay-dir; live: fetched by --replay-query from the target.
Origin = Literal["committed", "exported", "live"]

MAX_COMMANDS = 12  # longer recorded-command lists are cut around the divergence
_CONTEXT = 3  # commands shown either side of the event where replay diverged

_PATCH = "keep the old behaviour for running workflows behind workflow.patched(...)"
_SANDBOX_FIX = (
    "workflow code must be deterministic: use workflow.now(), workflow.random() and "
    "workflow.uuid4() instead of the wall clock, random and uuid"
)
_WHEN_NONE_RUN: dict[Origin, str] = {
    "committed": "if no workflow of this version can still be running, re-record with "
    "`stormproof record-histories` and commit the files",
    "exported": "if no workflow of this version can still be running, delete this export "
    "or replace it with one recorded by the new code",
    "live": "a run of this version that is still open on the server needs the old "
    "behaviour until it finishes",
}


class ReplayWarning(UserWarning):
    """Shown in pytest's warnings summary, never failing: a history too old for some
    checks, or a file that had to be repaired before it could be replayed."""


class CannotJudge(Exception):
    """The file or the converter, not the code, stops replay: `cause` and `fix` say why."""

    def __init__(self, cause: str, fix: str) -> None:
        super().__init__(f"cannot judge: {cause}; fix: {fix}")
        self.cause = cause
        self.fix = fix

    def message(self, source: str) -> str:
        return f"{source}: cannot judge: {self.cause}\n  fix: {self.fix}"


class ReplayOutcome(BaseModel):
    """One history's verdict; `message` is what a failing test prints, and `warnings` are
    shown without failing (a history too old for some checks, a file that needed repair)."""

    model_config = ConfigDict(frozen=True)

    source: str
    workflow_type: str
    verdict: Verdict
    message: str
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.verdict == "replayed"


def replayed(source: str, workflow_type: str, warnings: tuple[str, ...] = ()) -> ReplayOutcome:
    return ReplayOutcome(
        source=source,
        workflow_type=workflow_type,
        verdict="replayed",
        message=f"{source}: replayed: the code issues the commands this history recorded",
        warnings=warnings,
    )


def cannot_judge(
    source: str, workflow_type: str, problem: CannotJudge, warnings: tuple[str, ...] = ()
) -> ReplayOutcome:
    return ReplayOutcome(
        source=source,
        workflow_type=workflow_type,
        verdict="cannot judge",
        message=strip_ansi(problem.message(source)),
        warnings=warnings,
    )


def shorten(lines: list[str], around: int | None) -> list[str]:
    """At most ~MAX_COMMANDS lines: the start, and the lines around event `around`."""
    if len(lines) <= MAX_COMMANDS:
        return lines
    at = next((i for i, line in enumerate(lines) if line.startswith(f"event {around}:")), None)
    keep = set(range(_CONTEXT))
    if at is None:
        keep |= set(range(MAX_COMMANDS - _CONTEXT))
    else:
        keep |= set(range(max(0, at - _CONTEXT), min(len(lines), at + _CONTEXT + 1)))
    shown: list[str] = []
    for i, line in enumerate(lines):
        if i in keep:
            shown.append(line)
        elif not shown[-1].startswith("..."):
            hidden = next((j for j in range(i, len(lines)) if j in keep), len(lines)) - i
            shown.append(f"... {hidden} more")
    return shown


def diverged(
    source: str,
    workflow_type: str,
    *,
    reason: str,
    failure_type: str,
    event_id: int | None,
    recorded: list[str],
    issued: str,
    origin: Origin,
    warnings: tuple[str, ...] = (),
) -> ReplayOutcome:
    """The message for a history the code no longer replays.

    `reason` is the SDK core's sentence, `recorded` the history's commands as
    `event N: activity x`, `issued` what the code did instead where the core says so.
    """
    where = ""
    if event_id is not None:
        at = [line for line in recorded if line.startswith(f"event {event_id}:")]
        had = f"the history has {at[0]} there" if at else f"the history has event {event_id}"
        where = f"  {had}; the code issued {issued or 'a different command'}\n"
    commands = "\n".join(f"    {line}" for line in shorten(recorded, event_id))
    sandboxed = "from inside a workflow" in reason
    fix = _SANDBOX_FIX if sandboxed else f"{_PATCH}; {_WHEN_NONE_RUN[origin]}"
    message = (
        f"{source}: diverged: replay of this history failed: {failure_type}: {reason}\n"
        f"{where}"
        f"  the history recorded these commands, in order (the code must issue the same):\n"
        f"{commands}\n"
        f"  fix: {fix}"
    )
    return ReplayOutcome(
        source=source,
        workflow_type=workflow_type,
        verdict="diverged",
        message=strip_ansi(message),
        warnings=warnings,
    )


def require_replayed(outcomes: list[ReplayOutcome]) -> None:
    """Fail the calling test unless every history replayed. A divergence is the code's bug
    (`non-determinism`, every diverged history's message); a history the suite cannot
    judge fails with its fix and no bug class, since nothing was learned of the code."""
    __tracebackhide__ = True
    diverged = [o.message for o in outcomes if o.verdict == "diverged"]
    unjudged = [o.message for o in outcomes if o.verdict == "cannot judge"]
    tally = f"{len(diverged) + len(unjudged)} of {len(outcomes)} histories failed to replay"
    if diverged:
        lead = tally + ":\n\n" if len(outcomes) > 1 else ""
        fail(BugClass.NON_DETERMINISM, lead + "\n\n".join(diverged + unjudged))
    if unjudged:
        lead = tally + ":\n\n" if len(outcomes) > 1 else ""
        pytest.fail(lead + "\n\n".join(unjudged), pytrace=False)
