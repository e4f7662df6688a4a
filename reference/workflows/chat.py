"""`ChatSessionWorkflow`: a long agent session, one Update per turn, continued as new.

Each turn arrives as Update `turn` (the first may come with the start, Update-with-Start):
it is validated, then answered in order, one at a time: the LLM is asked, the side-effecting
tool runs when the message asks for it (a webhook post keyed by the session and the turn
number, so a retry or a reset posts once), and the update returns the answer. When the run
has answered `max_turns_per_run` turns, or Temporal suggests it (the history grows), the
run waits until every handler has finished and continues as new, carrying the turn count
and the recent turns: no turn is lost or answered twice across the boundary, and turn
numbers (hence the tool's keys and the LLM ledger's questions) go on where they stopped.
Update `close` ends the session with its totals.
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import ValidationError

    from stormproof.reference.models import (
        CARRIED_TURNS,
        TOOL_MARK,
        ChatRequest,
        ChatState,
        ChatToolInput,
        ChatTurn,
        LlmCallInput,
        LlmCallOutput,
        NotificationOutput,
        TurnRequest,
    )
    from stormproof.reference.workflows.policies import LLM_CALL, POST_CHAT_TOOL
    from stormproof.reference.workflows.report import problems_of
    from stormproof.reference.workflows.validation import parse_request


@workflow.defn(name="ChatSessionWorkflow")
class ChatSessionWorkflow:
    # The input is read here, not in run(): a turn that reached the new run before its
    # first task runs its handler before run() starts, and must already see the carried
    # count (read in run(), the count was 0 for it and overwritten after it).
    @workflow.init
    def __init__(self, request: Any) -> None:
        self._session = parse_request(ChatRequest, request)
        carried = self._session.carried
        self._state = (
            carried.model_copy(update={"runs": carried.runs + 1}) if carried else ChatState()
        )
        self._this_run = 0  # turns answered by this run
        # One turn at a time, in the order accepted: a lock, not a flag, since every
        # handler waiting on a flag wakes in the same activation and would run together.
        self._lock = asyncio.Lock()
        self._closed = False

    @workflow.run
    async def run(self, request: Any) -> dict[str, Any]:
        session = self._session
        await workflow.wait_condition(
            lambda: (
                self._closed
                or self._this_run >= session.max_turns_per_run
                or workflow.info().is_continue_as_new_suggested()
            )
        )
        # A turn accepted before the decision finishes here, not in the next run.
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._closed:
            return {"turns": self._state.turns, "runs": self._state.runs}
        workflow.continue_as_new(session.model_copy(update={"carried": self._carry()}))

    def _carry(self) -> ChatState | None:
        """What the next run starts from: the count and the recent turns."""
        return self._state

    @workflow.update(name="turn")
    async def turn(self, message: Any = None) -> dict[str, Any]:
        """Answer one turn, after the ones before it."""
        text = TurnRequest.model_validate(message).message
        async with self._lock:
            return await self._answer(text)

    @turn.validator
    def _check_turn(self, message: Any = None) -> None:
        if self._closed:
            raise ValueError("the session is closed")
        try:
            TurnRequest.model_validate(message)
        except ValidationError as exc:
            raise ValueError(f"invalid turn: {problems_of(exc, 'message')}") from None

    async def _answer(self, text: str) -> dict[str, Any]:
        number = self._state.turns + 1
        workflow_id = workflow.info().workflow_id
        reply = await workflow.execute_activity(
            LLM_CALL.name,
            LlmCallInput(prompt=text, purpose="chat", workflow_id=workflow_id),
            result_type=LlmCallOutput,
            **LLM_CALL.options(),
        )
        notified = TOOL_MARK in text
        if notified:
            await workflow.execute_activity(
                POST_CHAT_TOOL.name,
                ChatToolInput(workflow_id=workflow_id, turn=number, text=reply.text),
                result_type=NotificationOutput,
                **POST_CHAT_TOOL.options(),
            )
        done = ChatTurn(turn=number, message=text, answer=reply.text, notified=notified)
        recent = [*self._state.recent, done][-CARRIED_TURNS:]
        self._state = self._state.model_copy(update={"turns": number, "recent": recent})
        self._this_run += 1
        return {"turn": number, "answer": reply.text, "notified": notified}

    @workflow.update(name="close")
    async def close(self) -> dict[str, Any]:
        """End the session once the turns before it are answered."""
        async with self._lock:
            self._closed = True
            return {"turns": self._state.turns, "runs": self._state.runs}

    @workflow.query(name="session")
    def session(self) -> dict[str, Any]:
        return {
            "turns": self._state.turns,
            "runs": self._state.runs,
            "this_run": self._this_run,
            "busy": self._lock.locked(),
            "recent": [t.model_dump() for t in self._state.recent],
        }
