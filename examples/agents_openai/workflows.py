"""The app's workflows: the agents run in the workflow, every model call and every tool with
I/O is an activity (the plugin's `invoke_model_activity`, `lookup_order`, `create_ticket`).

- `SupportTriage`: one customer message, triaged once. The ticket is filed only after the
  customer confirms it (the Update `confirm`, accepted any time before the window closes,
  refused after), or at once when the request says the customer already agreed
  (`confirmed`). Returns what happened: `filed` with the ticket's id, `not_confirmed`,
  or `answered` (no ticket was due).
- `SupportSession`: a long conversation, one Update `ask` per customer message, each a run of
  the support agent over the conversation so far. A conversation has no natural end, so the
  run continues as new when Temporal suggests it (its history is growing too long), or
  after `messages_per_run` messages when the session asks for a bound of its own, carrying
  the recent conversation, and ends on the signal `close`.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from agents import RunConfig, Runner, TResponseInputItem
from pydantic import BaseModel
from temporalio import workflow

from examples.agents_openai.support_agents import TicketDesk, session_agent, triage_agent

MAX_TURNS = 8
# The conversation a session carries into its next run: enough context, a bounded payload.
KEEP_ITEMS = 20
# Model calls are traced by Temporal's own spans; nothing is exported to OpenAI's tracing.
RUN_CONFIG = RunConfig(tracing_disabled=True)


class TriageRequest(BaseModel):
    """One customer message; `confirmed`: they already agreed to a ticket in the form."""

    message: str
    confirm_within_seconds: float = 3600.0
    confirmed: bool = False


class TriageOutcome(BaseModel):
    """What the customer is told, and what became of the ticket."""

    status: str
    ticket_id: str | None
    reply: str
    agent: str


@workflow.defn
class SupportTriage:
    @workflow.init
    def __init__(self, request: TriageRequest) -> None:
        self.desk = TicketDesk(
            confirm_within=timedelta(seconds=request.confirm_within_seconds),
            confirmed=request.confirmed,
        )

    @workflow.run
    async def run(self, request: TriageRequest) -> TriageOutcome:
        return await self.triage(request.message)

    async def triage(self, message: str) -> TriageOutcome:
        """The agents' run over the customer's `message`, and what became of the ticket."""
        result = await Runner.run(
            triage_agent(),
            message,
            context=self.desk,
            max_turns=MAX_TURNS,
            run_config=RUN_CONFIG,
        )
        return TriageOutcome(
            status=self.desk.status,
            ticket_id=self.desk.ticket_id,
            reply=str(result.final_output),
            agent=result.last_agent.name,
        )

    @workflow.update
    def confirm(self) -> str:
        """The customer agrees to the ticket (before or while it waits)."""
        self.desk.confirmed = True
        return self.desk.status

    @confirm.validator
    def refuse_late_confirmation(self) -> None:
        if self.desk.status == "not_confirmed":
            raise ValueError("the confirmation window has closed: no ticket will be filed")

    @workflow.query
    def ticket_status(self) -> str:
        return self.desk.status


class SessionState(BaseModel):
    """What a session carries from one run to the next."""

    items: list[dict[str, Any]] = []
    turns: int = 0
    messages_per_run: int | None = None  # None: only when Temporal suggests it


@workflow.defn
class SupportSession:
    @workflow.init
    def __init__(self, state: SessionState) -> None:
        self.items: list[TResponseInputItem] = list(state.items)  # type: ignore[arg-type]
        self.turns = state.turns
        self.per_run = state.messages_per_run
        self.this_run = 0
        self.closed = False
        self.turn_lock = asyncio.Lock()

    @workflow.run
    async def run(self, state: SessionState) -> int:
        await workflow.wait_condition(
            lambda: (
                (self.closed or self.should_continue_as_new()) and workflow.all_handlers_finished()
            )
        )
        if not self.closed:
            carried = SessionState(
                items=_recent(self.items), turns=self.turns, messages_per_run=self.per_run
            )
            workflow.continue_as_new(carried)
        return self.turns

    def should_continue_as_new(self) -> bool:
        """Temporal's own suggestion (the history nears the size it handles well), or the
        session's own bound on messages a run."""
        bounded = self.per_run is not None and self.this_run >= self.per_run
        return bounded or workflow.info().is_continue_as_new_suggested()

    @workflow.update
    async def ask(self, message: str) -> str:
        """One customer message, answered after the ones before it."""
        async with self.turn_lock:
            conversation = [*self.items, {"role": "user", "content": message}]
            result = await Runner.run(
                session_agent(), conversation, max_turns=MAX_TURNS, run_config=RUN_CONFIG
            )
            self.items = result.to_input_list()
            self.turns += 1
            self.this_run += 1
            return str(result.final_output)

    @ask.validator
    def refuse_when_closed(self, message: str) -> None:
        if self.closed or not message.strip():
            raise ValueError("the session is closed" if self.closed else "an empty message")

    @workflow.signal
    def close(self) -> None:
        self.closed = True


def _recent(items: list[TResponseInputItem]) -> list[dict[str, Any]]:
    """The last KEEP_ITEMS items or fewer, starting at a customer's message: a cut between a
    tool call and its output would leave the model an output with no call."""
    start = max(len(items) - KEEP_ITEMS, 0)
    while start < len(items) and not _is_user_message(items[start]):
        start += 1
    return [dict(item) for item in items[start:]]


def _is_user_message(item: TResponseInputItem) -> bool:
    return isinstance(item, dict) and item.get("role") == "user"


WORKFLOWS = [SupportTriage, SupportSession]
