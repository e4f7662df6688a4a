"""The support-triage adapter loads, says what the team's worker reads, scripts every step
of both agents, and its result check can fail. No server starts here: these are the
adapter's own unit tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from examples.agents_pydantic.tests.helpers import ADAPTER
from stormproof.adapter import LlmCalls, Rows, UnitContext, load_adapter
from stormproof.world import ToolCall, new_marker, tag

SUPPORT = load_adapter(ADAPTER)
UNIT = SUPPORT.unit("support_case")


def _context() -> UnitContext:
    marker = new_marker()
    return UnitContext(
        workflow_id="t-1",
        marker=marker,
        text=tag(marker, "Where is my refund?"),
        task_queue="q",
        artifact_dir=Path("/nonexistent"),
    )


def _filed(ctx: UnitContext) -> dict[str, Any]:
    """The result of a case that ran as scripted, as the suite's client decodes it."""
    steps = UNIT.llm_answers(ctx) if UNIT.llm_answers else []
    calls = [s for s in steps if isinstance(s, ToolCall)]
    return {
        "case_id": ctx.workflow_id,
        "status": "filed",
        "triage": calls[-1].arguments,
        "ticket_key": f"{ctx.workflow_id}/call_0123",
        "steps": [c.name for c in calls],  # each tool the model asked for, in order
        "billing_answer": next(s for s in steps if isinstance(s, str)),
    }


def test_the_teams_variables_and_effects() -> None:
    names = SUPPORT.env.names()
    assert names["temporal_address"] == "SUPPORT_TEMPORAL_ADDRESS"
    assert (names["llm_base_url"], names["database_url"]) == (
        "SUPPORT_LLM_BASE_URL",
        "SUPPORT_DATABASE_URL",
    )
    llm, rows = UNIT.effects
    assert isinstance(llm, LlmCalls) and isinstance(rows, Rows)
    assert llm.answered_per_unit == 5
    assert llm.activities == ["agent__triage__model_request", "agent__billing__model_request"]
    assert rows.activities == ["agent__triage__toolset__tickets__call_tool"]


def test_the_marker_is_in_the_prompt_and_every_step_is_scripted() -> None:
    ctx = _context()
    [request] = UNIT.build_input(ctx)
    assert ctx.text in request["message"]
    steps = UNIT.llm_answers(ctx) if UNIT.llm_answers else []
    names = [s.name if isinstance(s, ToolCall) else "text" for s in steps]
    assert names == ["lookup_order", "ask_billing", "text", "file_ticket", "final_result"]


def test_the_result_check_accepts_a_filed_case_and_rejects_others() -> None:
    ctx = _context()
    check = UNIT.check_result
    assert check is not None
    right = _filed(ctx)
    assert check(ctx, right) is None
    wrongs = {
        "status": "expired",
        "ticket_key": "t-2/call_0123",
        "steps": ["lookup_order", "file_ticket", "final_result"],
        "billing_answer": "No refund.",
    }
    for key, value in wrongs.items():
        wrong = copy.deepcopy(right)
        wrong[key] = value
        assert check(ctx, wrong), f"a result with {key}={value!r} was accepted"
    wrong = copy.deepcopy(right)
    wrong["triage"]["priority"] = "low"
    assert check(ctx, wrong), "a different triage was accepted"
