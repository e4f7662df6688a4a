"""The reference's adapter: docs/CONTRACT.md said in the adapter API, judged like any team's.

This is the only place the suites learn the contract's workflow types, inputs and effects
(the conformance suite, the contract's own test, also uses them through its judge). The
judge never imports the reference worker: everything here is names and shapes.
"""

from __future__ import annotations

from typing import Any

from stormproof.adapter.env import CONTRACT_VARIABLES
from stormproof.adapter.models import (
    Adapter,
    Files,
    HttpDeliveries,
    LlmCalls,
    Rows,
    Unit,
    UnitContext,
    WorkerEnv,
)
from stormproof.effects.rows import TABLE

COMPLETED = {"status": "completed"}
APPROVER = {"reviewer": "stormproof-chaos", "comment": None}
REPORT_SCHEMA = f"""CREATE TABLE {TABLE} (
    report_id TEXT, workflow_id TEXT, pdf_path TEXT, attempt INTEGER)"""


def _story_input(ctx: UnitContext) -> list[Any]:
    return [{"prompt": ctx.text, "title": None}]


def _report_input(approval: bool):
    def build(ctx: UnitContext) -> list[Any]:
        return [{"prompt": ctx.text, "report_id": None, "require_approval": approval}]

    return build


def _completed(ctx: UnitContext, result: Any) -> str | None:
    status = result.get("status") if isinstance(result, dict) else None
    return None if status in (None, "completed") else f"status {status!r}, not 'completed'"


async def _approve(ctx: UnitContext, handle: Any) -> None:
    """Approve as soon as the report waits: a signal before that is buffered by Temporal."""
    await handle.signal("approve", APPROVER)


def _report_effects() -> list[Any]:
    return [
        LlmCalls(activities=["llm_call"]),
        Files(name="artifacts", glob="reports/{workflow_id}.pdf", only_if_result=COMPLETED),
        Rows(
            query=f"SELECT report_id FROM {TABLE} WHERE report_id LIKE :like",
            schema_sql=REPORT_SCHEMA,
            only_if_result=COMPLETED,
            activities=["store_report_metadata"],
        ),
        HttpDeliveries(
            owner_field="report_id",
            idempotency_header="Idempotency-Key",
            only_if_result=COMPLETED,
        ),
    ]


ADAPTER = Adapter(
    name="reference (docs/CONTRACT.md)",
    units=[
        Unit(
            name="story",
            workflow_type="StoryWorkflow",
            build_input=_story_input,
            effects=[
                LlmCalls(activities=["llm_call"]),
                Files(name="artifacts", glob="stories/{workflow_id}.md"),
            ],
        ),
        Unit(
            name="report",
            workflow_type="ReportWorkflow",
            build_input=_report_input(False),
            check_result=_completed,
            effects=_report_effects(),
        ),
        Unit(
            name="report_approval",
            workflow_type="ReportWorkflow",
            build_input=_report_input(True),
            check_result=_completed,
            drive=_approve,
            effects=_report_effects(),
        ),
    ],
    env=WorkerEnv(**{k: v for k, v in CONTRACT_VARIABLES.items() if not k.startswith("service:")}),
    mix={"story": 0.5, "report": 0.5},
    ready_workflow="PingWorkflow",
)
