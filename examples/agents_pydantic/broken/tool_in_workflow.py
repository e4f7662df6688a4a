"""Broken twin (workflow code): `lookup_order` runs in the workflow, not in an activity.

The team's "optimisation": a read-only lookup needs no activity, so the tool is marked
`metadata={"temporal": False}`; the sandbox then refused its `open()`, and the read was
wrapped in `sandbox_unrestricted()` to get past it. New cases run, but every case already
in flight has `agent__triage__toolset__orders__call_tool` in its history where this code
asks for the next model request, and the file read would not be replayed but redone.
Loaded as `examples.agents_pydantic.broken.tool_in_workflow:WORKFLOWS`; rejected by
examples/agents_pydantic/tests/test_replay.py as `non-determinism` on the committed
histories.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic_ai import Agent, FunctionToolset

    from examples.agents_pydantic import workflows as app
    from examples.agents_pydantic.agents import build_agents, chat_model
    from examples.agents_pydantic.models import CaseOutcome, Order, SupportDeps, SupportRequest
    from examples.agents_pydantic.settings import SupportSettings
    from examples.agents_pydantic.store import ORDERS

inline = FunctionToolset[SupportDeps](id="orders")


@inline.tool_plain(metadata={"temporal": False})
async def lookup_order(order_id: str) -> Order | str:
    """Look up an order by its id (e.g. A-1001): customer, item, total, charges, status."""
    with workflow.unsafe.sandbox_unrestricted():  # the bug: I/O in workflow code
        found = json.loads(ORDERS.read_text()).get(order_id)
    return f"There is no order {order_id}." if found is None else Order.model_validate(found)


TWIN = build_agents(chat_model(SupportSettings()), lookup=inline)


@workflow.defn(name="SupportCaseWorkflow")
class SupportCaseWorkflow(app.SupportCaseWorkflow):
    triage: ClassVar[Agent[SupportDeps, Any]] = TWIN.triage

    @workflow.run
    async def run(self, request: SupportRequest) -> CaseOutcome:
        return await super().run(request)


WORKFLOWS = [SupportCaseWorkflow]
