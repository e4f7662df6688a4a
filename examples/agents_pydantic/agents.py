"""The two agents, made durable with Pydantic AI's Temporal integration.

`triage` reads the customer's message, looks the order up (`lookup_order`), asks `billing`
about money (`ask_billing`: agent delegation), and proposes a ticket for a person
(`file_ticket`, which needs approval: the run stops with the call pending until the
workflow resumes it). Its output is a `TriageResult` (the `final_result` tool).

Under Temporal (the `TemporalDurability` capability) each model request is an activity,
`agent__<name>__model_request`, and each tool call an activity of its toolset,
`agent__triage__toolset__<id>__call_tool`, except `ask_billing`: it runs in the workflow
(`metadata={"temporal": False}`), so the billing agent's run inside it is as durable as the
triage's, its model requests activities of their own. The activity names come from the
agents' names and the toolsets' ids: they are the history's contract, never renamed.

The OpenAI client is built with `max_retries=0`: Temporal owns every retry (its policy,
backoff and `retry-after`, which Pydantic AI hands it as the next retry delay), so one
attempt is one request and every request is in the history. The SDK's default two retries
would hide up to three requests in one attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from openai import AsyncOpenAI
from pydantic_ai import Agent, DeferredToolRequests, FunctionToolset, RunContext
from pydantic_ai.durable_exec.temporal import TemporalDurability
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider
from temporalio.common import RetryPolicy
from temporalio.workflow import ActivityConfig

from examples.agents_pydantic.models import (
    Order,
    SupportDeps,
    TicketReceipt,
    TriageResult,
)
from examples.agents_pydantic.settings import SupportSettings
from examples.agents_pydantic.store import find_order, insert_ticket

# Quick first retries, never more than 5 s apart: a provider or database that comes back is
# used within seconds. Pydantic AI adds its non-retryable errors (a rejected request, ...).
RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(seconds=5),
)
# Every activity beats in the background; a dead worker's attempt is retried after the
# heartbeat timeout, not after the whole start-to-close timeout.
HEARTBEAT = timedelta(seconds=5)
TRIAGE_INSTRUCTIONS = (
    "You triage customer messages for an online shop. Look up the order the customer "
    "names, ask the billing specialist about any charge or refund, and when a person must "
    "act, file a ticket for them. Then answer with your triage."
)
BILLING_INSTRUCTIONS = (
    "You are the shop's billing specialist. Answer the triage agent's question about "
    "charges and refunds in one or two sentences."
)

TicketKey = Callable[[RunContext[SupportDeps]], str]


def ticket_key(ctx: RunContext[SupportDeps]) -> str:
    """The same for every attempt and every worker: the case and the model's tool call id
    (recorded in the history with the model's response, so a retry sees the same id)."""
    return f"{ctx.deps.case_id}/{ctx.tool_call_id}"


def chat_model(settings: SupportSettings, client: AsyncOpenAI | None = None) -> OpenAIChatModel:
    """The chat completions model, on a client that never retries by itself."""
    client = client or AsyncOpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout_seconds,
        max_retries=0,
    )
    return OpenAIChatModel(settings.llm_model, provider=OpenAIProvider(openai_client=client))


def durability() -> TemporalDurability[Any]:
    """The timeouts and retry policy of every activity an agent runs."""
    beating = ActivityConfig(heartbeat_timeout=HEARTBEAT)
    return TemporalDurability(
        activity_config=ActivityConfig(
            start_to_close_timeout=timedelta(seconds=30), retry_policy=RETRY
        ),
        model_activity_config=beating,
        toolset_activity_config={"orders": beating, "tickets": beating},
    )


orders = FunctionToolset[SupportDeps](id="orders")


@orders.tool_plain
async def lookup_order(order_id: str) -> Order | str:
    """Look up an order by its id (e.g. A-1001): customer, item, total, charges, status."""
    return await find_order(order_id) or f"There is no order {order_id}."


def tickets_toolset(key: TicketKey = ticket_key) -> FunctionToolset[SupportDeps]:
    """The ticket desk: `file_ticket`, filed only once a person approved the call."""
    tickets = FunctionToolset[SupportDeps](id="tickets")

    @tickets.tool(requires_approval=True)
    async def file_ticket(
        ctx: RunContext[SupportDeps], order_id: str | None, title: str, body: str
    ) -> TicketReceipt:
        """File a ticket for the support team (a person confirms it first)."""
        row = (key(ctx), ctx.deps.case_id, order_id, title, body)
        await insert_ticket(SupportSettings().database_url, row)
        return TicketReceipt(ticket_key=row[0])

    return tickets


@dataclass(frozen=True)
class Agents:
    """The app's agents: the worker registers the activities of both."""

    triage: Agent[SupportDeps, TriageResult | DeferredToolRequests]
    billing: Agent[None, str]

    @property
    def all(self) -> list[Agent[Any, Any]]:
        return [self.triage, self.billing]


def build_agents(
    model: OpenAIChatModel,
    *,
    lookup: FunctionToolset[SupportDeps] = orders,
    tickets: FunctionToolset[SupportDeps] | None = None,
) -> Agents:
    """Both agents on `model` (a twin passes its own model, order lookup or ticket desk)."""
    billing = Agent(
        model,
        name="billing",
        instructions=BILLING_INSTRUCTIONS,
        output_type=str,
        capabilities=[durability()],
    )
    delegation = FunctionToolset[SupportDeps](id="delegation")

    # In the workflow, not an activity: the billing agent's run is durable step by step.
    @delegation.tool(metadata={"temporal": False})
    async def ask_billing(ctx: RunContext[SupportDeps], question: str) -> str:
        """Ask the billing specialist about a charge or a refund."""
        prompt = f"{question}\n\nThe customer wrote: {ctx.deps.message}"
        return (await billing.run(prompt, usage=ctx.usage)).output

    triage = Agent(
        model,
        name="triage",
        deps_type=SupportDeps,
        instructions=TRIAGE_INSTRUCTIONS,
        output_type=[TriageResult, DeferredToolRequests],
        toolsets=[lookup, delegation, tickets or tickets_toolset()],
        capabilities=[durability()],
    )
    return Agents(triage=triage, billing=billing)


# Built once, at import, outside any workflow: the worker registers their activities and
# the workflow (which imports this module passed through its sandbox) runs them.
AGENTS = build_agents(chat_model(SupportSettings()))
