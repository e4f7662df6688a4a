"""How Stormproof judges the support-triage app: the team's glue, and the only module of the
app that imports Stormproof (`stormproof.adapter`, and `stormproof.world` for the scripted
tool calls and a bounded wait).

One unit, `support_case`: the customer's message carries the suite's marker (every step of
both agents resends it, so the fake LLM attributes each step to the unit), the fake LLM is
scripted through the agent's steps (look the order up, ask billing, billing answers,
propose the ticket, answer the triage), `drive` confirms the ticket once it is shown, and
the case owes five answered model requests (no more requests than Temporal ran attempts of
the two agents' model-request activities) and one ticket row. It imports nothing of the app: the
suite starts the worker by its command and talks to it only through Temporal and the world.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from temporalio.service import RPCError

from stormproof.adapter import Adapter, LlmCalls, Rows, Unit, UnitContext, WorkerEnv
from stormproof.world import ToolCall, wait_for

ORDER_ID = "A-1001"
COMPLAINT = f"I was charged twice for order {ORDER_ID}, please refund one charge."
QUESTION = f"Order {ORDER_ID} shows two charges of 49.90 EUR: may we refund the duplicate?"
BILLING_ANSWER = "Yes: refund the duplicate 49.90 EUR charge; the first one pays the order."
TICKET = {"order_id": ORDER_ID, "title": "Refund duplicate charge", "body": BILLING_ANSWER}
TRIAGE = {
    "category": "billing",
    "priority": "high",
    "order_id": ORDER_ID,
    "summary": "Charged twice; billing approves refunding the duplicate; ticket filed.",
}
STEPS = ["lookup_order", "ask_billing", "file_ticket", "final_result"]
# The activities the two agents' model requests run in (Pydantic AI names them after the
# agent), and the one the ticket desk's tool calls run in (after the toolset's id).
MODEL_REQUESTS = ["agent__triage__model_request", "agent__billing__model_request"]
TICKET_WRITER = "agent__triage__toolset__tickets__call_tool"
SCHEMA = """CREATE TABLE support_tickets (
    ticket_key TEXT PRIMARY KEY, case_id TEXT NOT NULL, order_id TEXT,
    title TEXT NOT NULL, body TEXT NOT NULL, created_at TIMESTAMP
)"""
# The app is importable as `examples.agents_pydantic` from the checkout's root, whatever
# folder pytest runs from: its worker gets the root on its import path.
CHECKOUT = str(Path(__file__).resolve().parents[2])


def case_input(ctx: UnitContext) -> list[Any]:
    return [{"message": f"{COMPLAINT} {ctx.text}"}]


def agent_steps(ctx: UnitContext) -> list[str | ToolCall]:
    """The model's answer to each request, in order: four from the triage agent, one (the
    third request) from the billing agent it delegates to."""
    return [
        ToolCall(name="lookup_order", arguments={"order_id": ORDER_ID}),
        ToolCall(name="ask_billing", arguments={"question": QUESTION}),
        BILLING_ANSWER,
        ToolCall(name="file_ticket", arguments=TICKET),
        ToolCall(name="final_result", arguments=TRIAGE),
    ]


async def confirm(ctx: UnitContext, handle: Any) -> None:
    """A person confirms the ticket once the case shows it (the `stage` query), as the
    support desk's UI would; the Update's fixed id makes a resend (after a fault) the same
    confirmation. A case already closed (expired) is left alone."""

    async def stage() -> str | None:
        found = await handle.query("stage")
        return None if found == "working" else found

    shown = await wait_for(
        stage, what="the ticket to confirm", timeout=600, interval=0.5, retry_on=(RPCError,)
    )
    if shown != "closed":
        await handle.execute_update("confirm", id=f"confirm-{ctx.workflow_id}")


def filed(ctx: UnitContext, result: Any) -> str | None:
    """The case was filed after the agent ran every step, with billing's answer, the
    scripted triage, and the ticket stored under this case's key."""
    expected = {
        "case_id": ctx.workflow_id,
        "status": "filed",
        "triage": TRIAGE,
        "steps": STEPS,
        "billing_answer": BILLING_ANSWER,
    }
    wrong = {k: result.get(k) for k, v in expected.items() if result.get(k) != v}
    key = str(result.get("ticket_key"))
    if not key.startswith(f"{ctx.workflow_id}/"):  # the case's ticket (how keyed: the app's)
        wrong["ticket_key"] = key
    return f"unexpected {wrong} in {result!r}" if wrong else None


ADAPTER = Adapter(
    name="agents_pydantic (examples/agents_pydantic, Pydantic AI on Temporal)",
    units=[
        Unit(
            name="support_case",
            workflow_type="SupportCaseWorkflow",
            build_input=case_input,
            llm_answers=agent_steps,
            drive=confirm,
            check_result=filed,
            effects=[
                LlmCalls(answered_per_unit=5, activities=MODEL_REQUESTS),
                Rows(
                    name="tickets",
                    query="SELECT case_id FROM support_tickets WHERE case_id LIKE :like",
                    schema_sql=SCHEMA,
                    activities=[TICKET_WRITER],
                ),
            ],
        )
    ],
    env=WorkerEnv(
        temporal_address="SUPPORT_TEMPORAL_ADDRESS",
        namespace="SUPPORT_TEMPORAL_NAMESPACE",
        task_queue="SUPPORT_TASK_QUEUE",
        llm_base_url="SUPPORT_LLM_BASE_URL",
        llm_api_key="SUPPORT_LLM_API_KEY",
        llm_model="SUPPORT_LLM_MODEL",
        llm_timeout_seconds="SUPPORT_LLM_TIMEOUT_SECONDS",
        database_url="SUPPORT_DATABASE_URL",
        fixed={"PYTHONPATH": CHECKOUT},
    ),
    worker_cmd=[sys.executable, "-m", "examples.agents_pydantic.worker"],
)
