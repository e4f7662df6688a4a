"""How Stormproof judges the routing app: the team's glue, and the only module of the app
that imports Stormproof (and only `stormproof.adapter`).

It says how to start each unit of work (a workflow type and an input carrying the suite's
marker), what a correct result is, what each unit owes exactly once and where the suite
sees it, and which of the team's own variables point the worker at the suite's world.
It imports nothing of the app: the suite starts the app as processes (`worker_cmd`, the
agents as `services`) and talks to it only through Temporal and the world.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stormproof.adapter import (
    Adapter,
    LlmCalls,
    Service,
    ServiceCalls,
    Unit,
    UnitContext,
    WorkerEnv,
    fake_reply,
)

# The HR agent consults the handbook: it answers in 8 s, longer than an HTTP client's
# default 5 s read timeout (seed 003's lesson; the FAQ agent answers in half a second).
HR_DELAY_SECONDS = 8.0
FAQ_DELAY_SECONDS = 0.5
IDEMPOTENCY_HEADER = "Idempotency-Key"
# The app is importable as `examples.routing` from the checkout's root, whatever folder
# pytest runs from: its processes get the root on their import path.
CHECKOUT = str(Path(__file__).resolve().parents[2])


def _question(ctx: UnitContext) -> list[Any]:
    return [ctx.text]


def _translated(ctx: UnitContext, result: Any) -> str | None:
    expected = fake_reply(ctx.text)
    return None if result == expected else f"expected the LLM's text {expected!r}, got {result!r}"


def _routed(agent: str) -> Callable[[UnitContext, Any], str | None]:
    def check(ctx: UnitContext, result: Any) -> str | None:
        expected = f"[routed to {agent}] {fake_reply(ctx.text)}"
        return None if result == expected else f"expected {expected!r}, got {result!r}"

    return check


def _agent(role: str, delay: float) -> Service:
    return Service(
        name=role,
        argv=[sys.executable, "-m", "examples.routing.agents", "--role", role],
        env={
            "AGENT_PORT": "{port}",
            "AGENT_LLM_URL": "{llm_base_url}",
            "AGENT_LLM_KEY": "{llm_api_key}",
            "AGENT_DELAY_SECONDS": str(delay),
            "PYTHONPATH": CHECKOUT,
        },
        ready_path="/health",
        # The contract's webhook rule (the default `final`): only a 4xx is final, and the
        # app fails the routed question with AgentRefused; everything else is retried.
        final_error="AgentRefused",
    )


def _routing(name: str, agent: str, answers: list[str]) -> Unit:
    """Classify (one LLM call), then one call to `agent`, whose own LLM call carries the
    marker too: two answered LLM calls, no more than the two activities' attempts."""
    return Unit(
        name=name,
        workflow_type="RoutingWorkflow",
        build_input=_question,
        llm_answers=lambda ctx: list(answers),
        check_result=_routed(agent),
        effects=[
            LlmCalls(answered_per_unit=2, activities=["create_response", "call_agent"]),
            ServiceCalls(
                name=f"{agent.lower()}_agent_calls",
                service=agent.lower(),
                path="/messages",
                idempotency_header=IDEMPOTENCY_HEADER,
            ),
        ],
    )


ADAPTER = Adapter(
    name="routing (examples/routing, seed 003)",
    units=[
        Unit(
            name="simple",
            workflow_type="SimpleWorkflow",
            build_input=_question,
            check_result=_translated,
            effects=[LlmCalls(answered_per_unit=1, activities=["create_response"])],
        ),
        # The fake LLM's default answer never says "HR": the classifier routes to FAQ.
        _routing("routing", "FAQ", []),
        _routing("routing_hr", "HR", ["HR"]),
    ],
    env=WorkerEnv(
        temporal_address="ROUTING_TEMPORAL_HOST",
        namespace="ROUTING_NAMESPACE",
        task_queue="ROUTING_QUEUE",
        llm_base_url="LLM_URL",
        llm_api_key="LLM_KEY",
        llm_model="LLM_MODEL",
        llm_timeout_seconds="LLM_TIMEOUT_SECONDS",
        services={"hr": "HR_AGENT_URL", "faq": "FAQ_AGENT_URL"},
        fixed={"PYTHONPATH": CHECKOUT},
    ),
    worker_cmd=[sys.executable, "-m", "examples.routing.worker"],
    services=[_agent("hr", HR_DELAY_SECONDS), _agent("faq", FAQ_DELAY_SECONDS)],
    mix={"simple": 0.4, "routing": 0.4, "routing_hr": 0.2},
)
