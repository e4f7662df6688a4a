"""The app's data: the workflow's input and result, the agents' dependencies and structured
output, and the records its tools read and write. Pydantic models throughout, so Temporal's
Pydantic converter (PydanticAIPlugin installs it) carries them through the history."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SupportRequest(BaseModel):
    """One customer message, as the support inbox hands it to the workflow."""

    message: str = Field(min_length=1)


class SupportDeps(BaseModel):
    """What the agents' tools may read: serialized into every tool activity, so small."""

    case_id: str = Field(description="the workflow id: one case, one workflow")
    message: str = Field(description="the customer's message, for the billing specialist")


class Order(BaseModel):
    """An order as the shop's order export has it."""

    order_id: str
    customer: str
    item: str
    total: float
    currency: str
    status: str
    charges: list[float]


class TriageResult(BaseModel):
    """The triage agent's structured output (its `final_result` tool)."""

    category: Literal["billing", "shipping", "account", "other"]
    priority: Literal["low", "normal", "high"]
    order_id: str | None = None
    summary: str


class TicketReceipt(BaseModel):
    """What filing a ticket returns to the agent: the key the row is stored under."""

    ticket_key: str


class CaseOutcome(BaseModel):
    """The workflow's result: how the case ended, what the agent decided and did."""

    case_id: str
    status: Literal["filed", "expired", "no_ticket"]
    triage: TriageResult | None = None
    ticket_key: str | None = None
    steps: list[str] = Field(default_factory=list, description="the tools called, in order")
    billing_answer: str | None = None
