"""The app's workflow: one support case, from the customer's message to a filed ticket.

The triage agent runs in the workflow (its model requests and tool calls are activities,
agents.py). When it proposes a ticket, the run stops with the `file_ticket` call pending
approval, and the workflow waits for a person's `confirm` Update, for at most
CONFIRM_WINDOW: confirmed, the agent's run resumes with the call approved (the ticket is
filed, then the agent answers its triage); unconfirmed, the case ends `expired` and nothing
is filed. No I/O here and no retry code: Temporal retries the activities.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic_ai import Agent, DeferredToolRequests, DeferredToolResults
    from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, ToolReturnPart
    from pydantic_ai.run import AgentRunResult

    from examples.agents_pydantic.agents import AGENTS
    from examples.agents_pydantic.models import (
        CaseOutcome,
        SupportDeps,
        SupportRequest,
        TicketReceipt,
        TriageResult,
    )

# How long a proposed ticket waits for a person before the case gives up on it.
CONFIRM_WINDOW = timedelta(hours=1)


def _outcome(case_id: str, status: str, messages: list[ModelMessage]) -> CaseOutcome:
    """What the run did, read from its messages: the tools it called, the billing
    specialist's answer and the filed ticket's key."""
    outcome = CaseOutcome(case_id=case_id, status=status)
    for message in messages:
        if isinstance(message, ModelResponse):
            outcome.steps.extend(call.tool_name for call in message.tool_calls)
        elif isinstance(message, ModelRequest):
            for part in message.parts:
                if isinstance(part, ToolReturnPart) and part.tool_name == "ask_billing":
                    outcome.billing_answer = str(part.content)
                elif isinstance(part, ToolReturnPart) and part.tool_name == "file_ticket":
                    receipt = TicketReceipt.model_validate(part.content)
                    outcome.ticket_key = receipt.ticket_key
    return outcome


@workflow.defn
class SupportCaseWorkflow:
    """Triage a customer's message; file the proposed ticket once a person confirms it."""

    # Built at import, outside the workflow (agents.py): the workflow only runs it.
    triage: ClassVar[Agent[SupportDeps, Any]] = AGENTS.triage

    def __init__(self) -> None:
        self._proposal: str | None = None  # the pending ticket's title
        self._confirmed = False
        self._expired = False
        self._closed = False

    @workflow.run
    async def run(self, request: SupportRequest) -> CaseOutcome:
        case_id = workflow.info().workflow_id
        deps = SupportDeps(case_id=case_id, message=request.message)
        first = await self.triage.run(request.message, deps=deps)
        outcome = await self._resolve(first, deps)
        self._closed = True  # a confirm still waiting for a proposal returns now
        await workflow.wait_condition(workflow.all_handlers_finished)
        return outcome

    async def _resolve(self, first: AgentRunResult[object], deps: SupportDeps) -> CaseOutcome:
        if not isinstance(first.output, DeferredToolRequests):
            return self._finished(deps, "no_ticket", first)
        pending = first.output
        titles = [str(call.args_as_dict().get("title")) for call in pending.approvals]
        self._proposal = ", ".join(titles)
        try:
            await workflow.wait_condition(lambda: self._confirmed, timeout=CONFIRM_WINDOW)
        except TimeoutError:
            self._expired = True
            workflow.logger.info("nobody confirmed the ticket of %s: not filed", deps.case_id)
            return _outcome(deps.case_id, "expired", first.all_messages())
        approvals = DeferredToolResults(approvals={c.tool_call_id: True for c in pending.approvals})
        final = await self.triage.run(
            message_history=first.all_messages(), deferred_tool_results=approvals, deps=deps
        )
        return self._finished(deps, "filed", final)

    @staticmethod
    def _finished(deps: SupportDeps, status: str, run: AgentRunResult[object]) -> CaseOutcome:
        outcome = _outcome(deps.case_id, status, run.all_messages())
        if isinstance(run.output, TriageResult):
            outcome.triage = run.output
        return outcome

    @workflow.update
    async def confirm(self) -> str:
        """A person confirms the proposed ticket; returns its title (waits until the agent
        proposed one). Sent twice, it confirms once."""
        await workflow.wait_condition(lambda: self._proposal is not None or self._closed)
        if self._proposal is None or self._expired:
            return "nothing to confirm"
        self._confirmed = True
        return self._proposal

    @workflow.query
    def stage(self) -> str:
        """Where the case is: working, awaiting_confirmation, confirmed or closed."""
        if self._closed or self._expired:
            return "closed"
        if self._confirmed:
            return "confirmed"
        return "working" if self._proposal is None else "awaiting_confirmation"


WORKFLOWS = [SupportCaseWorkflow]
