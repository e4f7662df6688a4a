"""The reference's adapter: docs/CONTRACT.md said in the adapter API, judged like any team's.

This is the only place the suites learn the contract's workflow types, inputs and effects
(the conformance suite, the contract's own test, also uses them through its judge). The
judge never imports the reference worker: everything here is names and shapes.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

from stormproof.adapter.deployment import Deployment, Release
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
from stormproof.adapter.updates import UpdateCall
from stormproof.effects.rows import TABLE
from stormproof.fixtures.twins import PATCHED_SPEC, broken_spec

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


# The chat session: TURNS turns, TURNS_PER_RUN a run, so every session continues as new
# twice (three runs); the turns in TOOL_TURNS ask for the tool (a webhook post per turn).
TURNS, TURNS_PER_RUN, TOOL_TURNS = 5, 2, (2, 4)
TOOL_MARK = "[notify]"  # a turn that asks for the tool (docs/CONTRACT.md, rule 2.19)
CHAT_RESULT = {"turns": TURNS, "runs": -(-TURNS // TURNS_PER_RUN)}


def chat_message(ctx: UnitContext, n: int) -> str:
    """Turn n's message: the unit's marked text and the turn, `[notify]` on a tool turn."""
    return f"{ctx.text} (turn {n} of the session){f' {TOOL_MARK}' if n in TOOL_TURNS else ''}"


def _turn_ok(ctx: UnitContext, n: int, reply: Any) -> str | None:
    want = {"turn": n, "notified": n in TOOL_TURNS}
    got = {k: reply.get(k) for k in want} if isinstance(reply, dict) else reply
    return None if got == want else f"turn {n} answered as {got!r}, not {want!r}"


def _closed_ok(ctx: UnitContext, n: int, reply: Any) -> str | None:
    return None if reply == CHAT_RESULT else f"closed as {reply!r}, not {CHAT_RESULT!r}"


def _chat_result_ok(ctx: UnitContext, result: Any) -> str | None:
    return None if result == CHAT_RESULT else f"session ended {result!r}, not {CHAT_RESULT!r}"


CHAT = Unit(
    name="chat",
    workflow_type="ChatSessionWorkflow",
    build_input=lambda ctx: [{"max_turns_per_run": TURNS_PER_RUN}],
    check_result=_chat_result_ok,
    updates=[
        UpdateCall(
            name="turn",
            times=TURNS,
            with_start=True,
            args=lambda ctx, n: [{"message": chat_message(ctx, n)}],
            check_reply=_turn_ok,
        ),
        UpdateCall(name="close", check_reply=_closed_ok),
    ],
    continues_as_new=True,  # TURNS_PER_RUN turns a run: three runs a session
    effects=[
        LlmCalls(activities=["llm_call"], answered_per_unit=TURNS),
        HttpDeliveries(
            name="chat_tool",
            owner_field="workflow_id",
            idempotency_header="Idempotency-Key",
            per_unit=len(TOOL_TURNS),
        ),
    ],
)


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


# The rolling deploy (docs/CONTRACT.md section 1's versioning variables): v2 is the report
# workflow with its two database steps reordered behind workflow.patched; the twin
# `activities_reordered` is the same reorder unpatched. A report is held at its database
# step (the PostgreSQL link cut), so its history already schedules what v2 reorders.
UNPATCHED_SPEC = broken_spec("activities_reordered")
DEPLOYMENT = Deployment(
    name_variable="STORMPROOF_DEPLOYMENT_NAME",
    build_id_variable="STORMPROOF_BUILD_ID",
    behavior_variable="STORMPROOF_VERSIONING_BEHAVIOR",
    unit="report",
    hold_link="postgres",
    hold_activity="store_report_metadata",
    next=Release(args=["--workflows", PATCHED_SPEC], workflows=PATCHED_SPEC),
    unpatched=Release(args=["--workflows", UNPATCHED_SPEC], workflows=UNPATCHED_SPEC),
    histories=Path(str(files("stormproof.suites") / "replay" / "histories" / "ReportWorkflow")),
)

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
        CHAT,  # started only by the rows that send Updates (Unit.updates)
    ],
    env=WorkerEnv(**{k: v for k, v in CONTRACT_VARIABLES.items() if not k.startswith("service:")}),
    mix={"story": 0.5, "report": 0.5},
    ready_workflow="PingWorkflow",
    deployment=DEPLOYMENT,
)
