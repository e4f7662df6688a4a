"""The scenarios whose histories are committed under suites/replay/histories/.

Each scenario is one workflow run through one path of its code: the paths a code change
can break for workflows already running. Everything that ends up in a history is fixed
here (workflow id, prompt, faults, signal), so recording twice gives the same history
after scrubbing, which is what lets the guard test compare a fresh recording with the
committed one.
"""

from __future__ import annotations

import hashlib
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from stormproof.adapter.reference import TOOL_MARK
from stormproof.fixtures.fake_llm import Fault, RateLimit, tag
from stormproof.fixtures.sink import SinkFault, SinkStatus

# Package data of the replay suite, read through importlib.resources so an installed wheel
# finds them as well as a checkout does (they are listed in pyproject's package-data).
HISTORIES_DIR = Path(str(files("stormproof.suites") / "replay" / "histories"))

# Short enough that recording the timed-out path takes seconds; the timer's duration is
# part of the history, so the committed file shows 2 s rather than the default 24 h.
APPROVAL_TIMEOUT_SECONDS = 2.0

WorkflowType = Literal["PingWorkflow", "StoryWorkflow", "ReportWorkflow", "ChatSessionWorkflow"]
Decision = Literal["approve", "reject"]


class Scenario(BaseModel):
    """One recorded run: which workflow, its input, the world's faults and the signal."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    workflow: WorkflowType
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    topic: str = "Summarise the quarterly incident review."
    fields: dict[str, Any] = Field(default_factory=dict, description="extra input fields")
    llm_faults: tuple[Fault, ...] = ()
    sink_faults: tuple[SinkFault, ...] = ()
    decision: Decision | None = Field(None, description="signal sent once awaiting approval")
    by_update: bool = Field(False, description="the decision by the Update `decide` instead")
    turns: tuple[bool, ...] = Field(
        (), description="a chat's turns by Update, the first with the start: True asks for the tool"
    )

    @property
    def key(self) -> str:
        return f"{self.workflow}/{self.name}"

    @property
    def workflow_id(self) -> str:
        """Fixed, so payloads (report id, paths, idempotency key) are the same every time."""
        return f"replay-{self.workflow.removesuffix('Workflow').lower()}-{self.name}"

    @property
    def marker(self) -> str:
        """A fixed fake-LLM marker, so the prompt and therefore the reply never change."""
        return "sp-" + hashlib.sha256(self.key.encode()).hexdigest()[:12]

    @property
    def prompt(self) -> str:
        return tag(self.marker, self.topic)

    def turn_message(self, n: int) -> str:
        """The n-th turn's message (from 1): fixed, so its reply and tool post are too."""
        tool = f" {TOOL_MARK}" if self.turns[n - 1] else ""
        return tag(self.marker, f"{self.topic} (turn {n}){tool}")

    def workflow_input(self) -> dict[str, Any] | None:
        if self.workflow == "PingWorkflow":
            return None
        if self.workflow == "ChatSessionWorkflow":
            return {"max_turns_per_run": len(self.turns), **self.fields}
        if self.workflow == "StoryWorkflow":
            return {"prompt": self.prompt, "title": None, **self.fields}
        return {"prompt": self.prompt, **self.fields}

    def path(self, root: Path = HISTORIES_DIR) -> Path:
        return root / self.workflow / f"{self.name}.json"


_STORY = "Write a short story about a lighthouse keeper."
# Approved and rejected runs get a long timer so a slow machine cannot time them out before
# the signal arrives; only the timed-out run uses the short one.
_APPROVAL = {"require_approval": True, "approval_timeout_seconds": 600.0}
_TIMEOUT = {"require_approval": True, "approval_timeout_seconds": APPROVAL_TIMEOUT_SECONDS}

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(workflow="PingWorkflow", name="happy_path"),
    Scenario(workflow="StoryWorkflow", name="happy_path", topic=_STORY),
    Scenario(
        workflow="StoryWorkflow",
        name="llm_retries",
        topic=_STORY,
        llm_faults=(RateLimit(retry_after=1),),
    ),
    Scenario(workflow="ReportWorkflow", name="happy_path"),
    Scenario(workflow="ReportWorkflow", name="llm_retries", llm_faults=(RateLimit(retry_after=1),)),
    Scenario(
        workflow="ReportWorkflow", name="notification_retry", sink_faults=(SinkStatus(code=503),)
    ),
    Scenario(
        workflow="ReportWorkflow", name="approval_approved", fields=_APPROVAL, decision="approve"
    ),
    Scenario(
        workflow="ReportWorkflow", name="approval_rejected", fields=_APPROVAL, decision="reject"
    ),
    Scenario(workflow="ReportWorkflow", name="approval_timed_out", fields=_TIMEOUT),
    Scenario(
        workflow="ReportWorkflow",
        name="approval_by_update",
        fields=_APPROVAL,
        decision="approve",
        by_update=True,
    ),
    # A chat's first run: a turn by Update-with-Start, a tool turn, then continue-as-new.
    Scenario(
        workflow="ChatSessionWorkflow",
        name="turns_then_continued",
        topic="Ask the assistant about the incident review.",
        turns=(False, True),
    ),
)


def by_key(key: str) -> Scenario:
    """The scenario `Workflow/name`, or a KeyError listing the known ones."""
    for scenario in SCENARIOS:
        if scenario.key == key:
            return scenario
    known = ", ".join(s.key for s in SCENARIOS)
    raise KeyError(f"no scenario {key!r}; known: {known}")
