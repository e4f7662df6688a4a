"""Pydantic inputs and outputs of every reference workflow and activity.

One model per input so fields can be added without breaking callers, and every model
travels through Temporal's pydantic data converter. On the wire these are plain JSON
objects, which is what lets the judge (and docs/CONTRACT.md) speak JSON to any worker.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

# Prompts beyond this are rejected before any LLM call: large enough for real briefs,
# small enough that a runaway payload never reaches the model or the history.
MAX_PROMPT_CHARS = 8_000
DEFAULT_APPROVAL_TIMEOUT_SECONDS = 24 * 60 * 60
# A year: longer waits are almost certainly a unit mistake (ms for s), and an unbounded
# value would overflow the workflow's timer instead of failing as a bad request.
MAX_APPROVAL_TIMEOUT_SECONDS = 366 * 24 * 60 * 60


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoryRequest(_Model):
    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS)
    title: str | None = Field(default=None, max_length=200)


class StoryResult(_Model):
    workflow_id: str
    artifact_path: str
    characters: int


class ReportRequest(_Model):
    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS)
    # The business entity the side effects are keyed by; the workflow id when omitted.
    report_id: str | None = Field(default=None, min_length=1, max_length=200)
    require_approval: bool = False
    approval_timeout_seconds: float = Field(
        default=DEFAULT_APPROVAL_TIMEOUT_SECONDS, gt=0, le=MAX_APPROVAL_TIMEOUT_SECONDS
    )


class ReportStatus(StrEnum):
    COMPLETED = "completed"
    REJECTED = "rejected"
    TIMED_OUT = "timed_out"


class ReportResult(_Model):
    report_id: str
    workflow_id: str
    status: ReportStatus
    pdf_path: str | None = None
    notification_key: str | None = None
    reviewer: str | None = None


class ApprovalDecision(_Model):
    reviewer: str = Field(min_length=1, max_length=200)
    comment: str | None = Field(default=None, max_length=2_000)


class UpdateDecision(ApprovalDecision):
    """The `decide` update's argument: the signals' decision, and which one it is."""

    approved: bool


class ReportStep(StrEnum):
    LLM_CALL = "llm_call"
    CREATE_PDF = "create_pdf"
    AWAITING_APPROVAL = "awaiting_approval"
    STORE_REPORT_METADATA = "store_report_metadata"
    SEND_NOTIFICATION = "send_notification"
    COMPLETED = "completed"
    REJECTED = "rejected"
    TIMED_OUT = "timed_out"


class ReportProgress(_Model):
    step: ReportStep
    # Steps finished so far, in order, and how many attempts each scheduled activity took
    # (1 when it succeeded at once; the count of the last failure while it is retrying).
    completed_steps: list[ReportStep] = Field(default_factory=list)
    attempts: dict[str, int] = Field(default_factory=dict)
    # Why each approve/reject signal the workflow dropped was dropped (malformed, or after
    # the decision), newest last: a signal cannot be refused to its sender, so this is
    # where a client that bypassed validation can see it had no effect. Never the payload.
    ignored_decisions: list[str] = Field(default_factory=list)


# --- activity boundaries ----------------------------------------------------------------


class LlmCallInput(_Model):
    prompt: str
    # What the text is for, so the system prompt fits ("story" or "report").
    purpose: str
    workflow_id: str


class LlmCallOutput(_Model):
    text: str
    model: str
    # The Temporal attempt that produced this output, so progress shows real retry counts.
    attempt: int = 1


class SaveArtifactInput(_Model):
    workflow_id: str
    title: str | None
    text: str


class SaveArtifactOutput(_Model):
    artifact_path: str
    attempt: int = 1


class CreatePdfInput(_Model):
    report_id: str
    text: str


class CreatePdfOutput(_Model):
    pdf_path: str
    attempt: int = 1


class StoreMetadataInput(_Model):
    report_id: str
    workflow_id: str
    pdf_path: str


class StoreMetadataOutput(_Model):
    # False when a previous attempt (or an earlier run for the same report) already
    # inserted the row: the idempotent path, not an error.
    inserted: bool
    attempt: int = 1


class NotificationInput(_Model):
    report_id: str
    workflow_id: str
    pdf_path: str
    status: ReportStatus


class NotificationOutput(_Model):
    idempotency_key: str
    status_code: int
    attempt: int = 1


# --- the chat session (ChatSessionWorkflow) ---------------------------------------------------

# Turns a run takes before it continues as new (unless Temporal suggests it sooner).
DEFAULT_TURNS_PER_RUN = 10
# The recent turns a run carries into the next one; older ones are only counted.
CARRIED_TURNS = 20
# A turn whose message contains this asks for the side-effecting tool (a webhook post).
TOOL_MARK = "[notify]"


class ChatTurn(_Model):
    turn: int = Field(ge=1)
    message: str
    answer: str
    notified: bool = False


class ChatState(_Model):
    """What a run hands to the next when it continues as new."""

    turns: int = Field(0, ge=0, description="turns answered so far, over every run")
    runs: int = Field(1, ge=1)
    recent: list[ChatTurn] = Field(default_factory=list, max_length=CARRIED_TURNS)


class ChatRequest(_Model):
    max_turns_per_run: int = Field(DEFAULT_TURNS_PER_RUN, ge=1, le=500)
    carried: ChatState | None = None


class TurnRequest(_Model):
    message: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS)


class ChatToolInput(_Model):
    workflow_id: str
    turn: int = Field(ge=1)
    text: str
