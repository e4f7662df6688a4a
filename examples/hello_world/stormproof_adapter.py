"""How Stormproof judges the hello-world app: the team's glue, and the only module of the
app that imports Stormproof (and only `stormproof.adapter`).

One unit: HelloWorld with the suite's sentence as its input. It owes one answered LLM
call (no more calls than Temporal ran attempts of `create`) and one notification to the
team's webhook, found by its `workflow_id` field and counted once per Idempotency-Key.
The app is started as a process (`worker_cmd`) reading its own variables.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from stormproof.adapter import (
    Adapter,
    HttpDeliveries,
    LlmCalls,
    Unit,
    UnitContext,
    WorkerEnv,
    fake_reply,
)

# The app is importable as `examples.hello_world` from the checkout's root, whatever folder
# pytest runs from: its worker gets the root on its import path.
CHECKOUT = str(Path(__file__).resolve().parents[2])


def _prompt(ctx: UnitContext) -> list[Any]:
    return [ctx.text]


def _haiku(ctx: UnitContext, result: Any) -> str | None:
    expected = fake_reply(ctx.text)
    return None if result == expected else f"expected the LLM's text {expected!r}, got {result!r}"


ADAPTER = Adapter(
    name="hello_world (examples/hello_world, after ai-cookbook's hello world)",
    units=[
        Unit(
            name="haiku",
            workflow_type="HelloWorld",
            build_input=_prompt,
            check_result=_haiku,
            effects=[
                LlmCalls(answered_per_unit=1, activities=["create"]),
                HttpDeliveries(
                    name="team_notification",
                    owner_field="workflow_id",
                    idempotency_header="Idempotency-Key",
                ),
            ],
        )
    ],
    env=WorkerEnv(
        temporal_address="HELLO_WORLD_TEMPORAL",
        namespace="HELLO_WORLD_NAMESPACE",
        task_queue="HELLO_WORLD_TASK_QUEUE",
        llm_base_url="OPENAI_BASE_URL",
        llm_api_key="OPENAI_API_KEY",
        llm_timeout_seconds="HELLO_WORLD_LLM_TIMEOUT",
        notify_url="TEAM_WEBHOOK_URL",
        fixed={"PYTHONPATH": CHECKOUT},
    ),
    worker_cmd=[sys.executable, "-m", "examples.hello_world.worker"],
)
