"""Exactly once across runs: an operator's reset (docs/CONTRACT.md, section 5).

After a bug fix an operator resets workflows (`temporal workflow reset`): a new run of the
same workflow id re-runs every step after the chosen point. The report is reset to its
first workflow task and to the point after each completed step, and every effect must
stay single: one answered LLM call (the ledger follows the workflow and the question, not
the run), one row, one notification effect, the PDF in place. The time-skipping server
does not implement resets, so each test runs on a dev server of its own (`dev_world`).
The key_per_run twin, whose Idempotency-Key carries the run id, is `duplicate-effect` on
the first reset.
"""

from __future__ import annotations

import pytest

from stormproof.conformance import Run
from stormproof.conformance.checks import (
    assert_llm_calls,
    assert_one_notification,
    assert_one_row,
    assert_report_completed,
)
from stormproof.conformance.dev_world import DevWorld
from stormproof.conformance.reset import FIRST_TASK, reset_points, reset_to
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.world import broken_argv

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process]
POINTS = [
    FIRST_TASK,
    "after-llm_call",
    "after-create_pdf",
    "after-store_report_metadata",
    "after-send_notification",
]


async def reset_completed_report(world: DevWorld, run: Run, point: str) -> None:
    """Let the report complete, reset it to `point`, and let the new run complete."""
    assert_report_completed(await run.result(), run)
    points = await reset_points(run.handle)
    expect(point in points, BugClass.WRONG_EFFECT, f"{run.workflow_id}: no {point} in {points}")
    again = await reset_to(world.client, run.handle, points[point], f"stormproof: {point}")
    result = await again.result()
    expect(
        result["status"] == "completed",
        BugClass.LOST_WORKFLOW,
        f"{run.workflow_id}: the run after a reset to {point} ended {result}",
    )


@pytest.mark.parametrize("point", POINTS)
async def test_a_reset_keeps_every_effect_once(dev_world: DevWorld, point: str) -> None:
    worker = await dev_world.factory.start("worker")
    run = await dev_world.judge.start_report(worker)
    await reset_completed_report(dev_world, run, point)
    assert_llm_calls(dev_world.judge, run, 1, f"a reset to {point} asks the same question")
    assert_one_row(dev_world.judge, run)
    assert_one_notification(dev_world.judge, run)


@pytest.mark.negative_control
async def test_negative_control_key_per_run(dev_world: DevWorld) -> None:
    broken = await dev_world.factory.start("broken", argv=broken_argv("key_per_run"))
    run = await dev_world.judge.start_report(broken)
    await reset_completed_report(dev_world, run, "after-store_report_metadata")
    with rejected_as(BugClass.DUPLICATE_EFFECT):
        assert_one_notification(dev_world.judge, run)
