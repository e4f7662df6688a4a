"""The team's two agents, built inside the workflow, and the tool that needs a human's yes.

- `triage` answers the customer: it may look the order up (`lookup_order`, an activity run
  as a tool through `activity_as_tool`) and hands off to `ticket_agent` when a ticket is due.
- `ticket_agent` files it with `file_ticket`, a tool that runs in the workflow itself (the
  SDK runs function tools where the agent runs): it records the draft, waits for the
  customer's confirmation (the workflow's `confirm` Update sets it on the run's `TicketDesk`,
  the agents' context) at most `confirm_within`, then files the ticket through the
  `create_ticket` activity under a key made of the workflow id and the model's tool call id.
  Without a confirmation in time it files nothing and tells the model so.

The model calls themselves are activities the plugin (`OpenAIAgentsPlugin`) runs; nothing
here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from agents import Agent, Tool, function_tool
from agents.tool_context import ToolContext
from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.contrib.openai_agents.workflow import activity_as_tool

with workflow.unsafe.imports_passed_through():
    from examples.agents_openai.activities import (
        TicketRequest,
        create_ticket,
        lookup_order,
        ticket_key,
    )

Status = Literal["answered", "awaiting_confirmation", "filed", "not_confirmed"]
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=5),
)
TRIAGE = (
    "You are the first line of customer support. Look the customer's order up with "
    "lookup_order when they name one. If the customer needs a ticket (a damaged, missing "
    "or wrong item), hand off to ticket_agent; otherwise answer them briefly."
)
SESSION = (
    "You answer a customer's questions about their orders, looking each order up with "
    "lookup_order. Keep answers short."
)
TICKET = (
    "You file support tickets. Call file_ticket once with the order id, a one-line summary "
    "and a priority (low, normal or high), then tell the customer what happened."
)


@dataclass
class TicketDesk:
    """The run's state the agents' tools share (their context): the customer's
    confirmation, how long to wait for it, and what became of the ticket."""

    confirm_within: timedelta
    confirmed: bool = False
    status: Status = "answered"
    ticket_id: str | None = None


@function_tool(failure_error_function=None)
async def file_ticket(
    ctx: ToolContext[TicketDesk], order_id: str, summary: str, priority: str
) -> str:
    """File a support ticket for the order once the customer confirms it.

    Args:
        order_id: The order the ticket is about, e.g. A-1001.
        summary: One line saying what went wrong.
        priority: low, normal or high.
    """
    desk = ctx.context
    desk.status = "awaiting_confirmation"
    try:
        await workflow.wait_condition(lambda: desk.confirmed, timeout=desk.confirm_within)
    except TimeoutError:
        desk.status = "not_confirmed"
        return "The customer did not confirm in time, so no ticket was filed."
    info = workflow.info()
    request = TicketRequest(
        workflow_id=info.workflow_id,
        idempotency_key=ticket_key(info.workflow_id, ctx.tool_call_id),
        order_id=order_id,
        summary=summary,
        priority=priority,
    )
    desk.ticket_id = await workflow.execute_activity(
        create_ticket, request, start_to_close_timeout=timedelta(seconds=10), retry_policy=RETRY
    )
    desk.status = "filed"
    return f"Filed ticket {desk.ticket_id}."


def lookup_tool() -> Tool:
    """`lookup_order` as the agents' tool: an activity, its result in the history."""
    return activity_as_tool(
        lookup_order, start_to_close_timeout=timedelta(seconds=10), retry_policy=RETRY
    )


def triage_agent(lookup: Tool | None = None) -> Agent[TicketDesk]:
    """The triage agent (its order lookup `lookup_tool()` unless given another), with the
    ticket agent as its one handoff."""
    ticket_agent = Agent[TicketDesk](
        name="ticket_agent",
        handoff_description="Files a support ticket once the customer confirms it.",
        instructions=TICKET,
        tools=[file_ticket],
    )
    return Agent[TicketDesk](
        name="triage",
        instructions=TRIAGE,
        tools=[lookup or lookup_tool()],
        handoffs=[ticket_agent],
    )


def session_agent() -> Agent[None]:
    """The agent of a long support conversation: it looks orders up, files nothing."""
    return Agent[None](name="support", instructions=SESSION, tools=[lookup_tool()])
