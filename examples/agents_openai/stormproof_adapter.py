"""How Stormproof judges the support-triage app: the team's glue, and the only module of the
app that imports Stormproof (`stormproof.adapter`, and `stormproof.world` for the scripted
tool calls).

Two units of one workflow, `SupportTriage`, each the customer's message with the suite's
sentence in it (the marker the fake LLM attributes every step by: the agents resend the
whole conversation each step). The fake LLM is scripted to play the agents' four steps:
look the order up, hand off to the ticket agent, file the ticket, tell the customer. One
unit's customer confirms the ticket through the `confirm` Update (`drive`); the other agreed
in the request (`confirmed`), so the faults that wait for a ticket on its way, before the
suite drives anything, find one. Each owes four answered model calls, no more calls than
Temporal ran attempts of the plugin's `invoke_model_activity`, and one ticket at the suite's
sink (the ticketing webhook), found by its `workflow_id` and counted once per
`Idempotency-Key`. A third unit, the long conversation, takes Updates (SESSION below).
The worker joins a Worker Deployment by its own variables, and release 2 is what a rolling
deploy ships (DEPLOYMENT below).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError as UpdateTimedOut
from temporalio.service import RPCError, RPCStatusCode

from stormproof.adapter import (
    Adapter,
    Deployment,
    HttpDeliveries,
    LlmCalls,
    Release,
    Unit,
    UnitContext,
    UpdateCall,
    WorkerEnv,
)
from stormproof.world import ToolCall

# The app is importable as `examples.agents_openai` from the checkout's root, whatever folder
# pytest runs from: its worker gets the root on its import path.
CHECKOUT = str(Path(__file__).resolve().parents[2])
MODEL_ACTIVITY = "invoke_model_activity"  # the plugin's activity: every model call
ORDER = "A-1001"
FILED = {"status": "filed"}


def message(ctx: UnitContext) -> str:
    """The customer's message: a damaged order, and the suite's sentence with its marker."""
    return f"My order {ORDER} arrived damaged, please open a ticket. {ctx.text}"


def final_reply(ctx: UnitContext) -> str:
    return f"Your ticket about order {ORDER} is filed ({ctx.workflow_id})."


def agent_steps(ctx: UnitContext) -> list[Any]:
    """The model's answers, one per step: a tool, a handoff, the ticket, the last word."""
    return [
        ToolCall(name="lookup_order", arguments={"order_id": ORDER}),
        ToolCall(name="transfer_to_ticket_agent"),
        ToolCall(
            name="file_ticket",
            arguments={"order_id": ORDER, "summary": "Arrived damaged", "priority": "high"},
        ),
        final_reply(ctx),
    ]


def _request(confirmed: bool) -> Callable[[UnitContext], list[Any]]:
    def build(ctx: UnitContext) -> list[Any]:
        return [{"message": message(ctx), "confirmed": confirmed}]

    return build


def ticket_filed(ctx: UnitContext, result: Any) -> str | None:
    """Filed, by the ticket agent, with its id, and the model's last word as the reply."""
    if not isinstance(result, dict):
        return f"expected the outcome as an object, got {result!r}"
    expected = {"status": "filed", "agent": "ticket_agent", "reply": final_reply(ctx)}
    wrong = {k: result.get(k) for k, v in expected.items() if result.get(k) != v}
    if wrong or not str(result.get("ticket_id") or "").startswith("T-"):
        return f"expected {expected} and a ticket id, got {result!r}"
    return None


async def confirm(ctx: UnitContext, handle: WorkflowHandle[Any, Any]) -> None:
    """The customer says yes. One update id per run, so a retried confirmation is the
    same update; a run already closed needs none (its check says how it ended)."""
    try:
        await handle.execute_update(
            "confirm", id=f"confirm-{ctx.workflow_id}", rpc_timeout=timedelta(seconds=5)
        )
    except UpdateTimedOut as exc:  # the worker or Temporal is away: the suite asks again
        raise TimeoutError(f"confirm: {exc}") from exc
    except WorkflowUpdateFailedError:
        return  # refused (the window closed): the result says not_confirmed
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise  # retried by the suite until its deadline


def _triage(name: str, confirmed: bool) -> Unit:
    return Unit(
        name=name,
        workflow_type="SupportTriage",
        build_input=_request(confirmed),
        llm_answers=agent_steps,
        check_result=ticket_filed,
        drive=None if confirmed else confirm,
        effects=[
            LlmCalls(answered_per_unit=4, activities=[MODEL_ACTIVITY]),
            HttpDeliveries(
                name="tickets",
                owner_field="workflow_id",
                idempotency_header="Idempotency-Key",
                only_if_result=FILED,
            ),
        ],
    )


# The long conversation (`SupportSession`): the first message starts it (Update-with-Start),
# each message is the Update `ask` answered by the agent (one model call each: the fake
# model answers in words), then the signal `close` ends it with its count. Only the rows
# that send Updates start it (fault 13, `-m updates`). Each session asks for a bound of
# MESSAGES_PER_RUN messages a run, so it continues as new within its messages and the rows
# judge the conversation carried across runs.
SESSION_MESSAGES, MESSAGES_PER_RUN = 4, 2


def session_message(ctx: UnitContext, n: int) -> list[Any]:
    return [f"Question {n} about order {ORDER}: where is it now? {ctx.text}"]


def answered(ctx: UnitContext, n: int, reply: Any) -> str | None:
    return None if isinstance(reply, str) and reply.strip() else f"no answer: {reply!r}"


async def close_session(ctx: UnitContext, handle: WorkflowHandle[Any, Any]) -> None:
    await handle.signal("close", rpc_timeout=timedelta(seconds=5))


def messages_counted(ctx: UnitContext, result: Any) -> str | None:
    wanted = SESSION_MESSAGES
    return None if result == wanted else f"ended with {result!r} messages, not {wanted}"


SESSION = Unit(
    name="session",
    workflow_type="SupportSession",
    build_input=lambda ctx: [{"messages_per_run": MESSAGES_PER_RUN}],
    updates=[
        UpdateCall(
            name="ask",
            times=SESSION_MESSAGES,
            with_start=True,
            args=session_message,
            check_reply=answered,
        )
    ],
    drive=close_session,
    check_result=messages_counted,
    continues_as_new=True,  # MESSAGES_PER_RUN a run: two runs a session
    effects=[LlmCalls(answered_per_unit=SESSION_MESSAGES, activities=[MODEL_ACTIVITY])],
)


# The rolling deploy: v1 is the worker as it is, v2 the next release (release_2.py: the
# order read before the agents run, behind workflow.patched). A preconfirmed triage is held
# at its first model call (the link to the model cut), where release 2's new step would
# come first. The same change unpatched is the negative control the deploy must reject.
# The replay guard replays the committed histories with what the worker runs with.
def _release(module: str) -> Release:
    return Release(worker_cmd=[sys.executable, "-m", module], workflows=f"{module}:WORKFLOWS")


DEPLOYMENT = Deployment(
    name_variable="SUPPORT_DEPLOYMENT_NAME",
    build_id_variable="SUPPORT_BUILD_ID",
    behavior_variable="SUPPORT_VERSIONING_BEHAVIOR",
    unit="triage_preconfirmed",
    hold_link="llm",
    hold_activity=MODEL_ACTIVITY,
    next=_release("examples.agents_openai.release_2"),
    unpatched=_release("examples.agents_openai.broken.unpatched_release_2"),
    histories=Path(__file__).resolve().with_name("histories"),
    replay_plugins=("temporalio.contrib.openai_agents:OpenAIAgentsPlugin",),
    replay_data_converter="temporalio.converter:DataConverter",
)


ADAPTER = Adapter(
    name="agents_openai (examples/agents_openai, OpenAI Agents SDK on Temporal)",
    units=[_triage("triage_preconfirmed", True), _triage("triage", False), SESSION],
    env=WorkerEnv(
        temporal_address="SUPPORT_TEMPORAL_ADDRESS",
        namespace="SUPPORT_NAMESPACE",
        task_queue="SUPPORT_TASK_QUEUE",
        llm_base_url="SUPPORT_LLM_BASE_URL",
        llm_api_key="SUPPORT_LLM_API_KEY",
        llm_model="SUPPORT_LLM_MODEL",
        llm_timeout_seconds="SUPPORT_LLM_TIMEOUT",
        notify_url="TICKETS_WEBHOOK_URL",
        fixed={"PYTHONPATH": CHECKOUT},
    ),
    worker_cmd=[sys.executable, "-m", "examples.agents_openai.worker"],
    mix={"triage": 0.5, "triage_preconfirmed": 0.5},
    deployment=DEPLOYMENT,
)
