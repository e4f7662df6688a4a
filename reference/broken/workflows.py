"""Workflow twins: deliberately NON-DETERMINISTIC versions of ReportWorkflow.

Each is the real ReportWorkflow (same registered name, same code) with one classic
"harmless-looking" edit that breaks workflows already running; the replay suite loads
them by name (`stormproof.reference.broken:NAME`, see registry.py) and shows the committed
histories catch every one. They override only the step they break, so the rest is the
reference's own code. Never register these on a real worker.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from stormproof.reference.models import (
        NotificationInput,
        NotificationOutput,
        ReportStatus,
        ReportStep,
    )
    from stormproof.reference.workflows.policies import SEND_NOTIFICATION, ActivityPolicy
    from stormproof.reference.workflows.report import OutputT, ReportWorkflow


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class NotifiesBeforeStoring(ReportWorkflow):
    """BROKEN ON PURPOSE: activities reordered, the webhook is sent before the row is stored."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        self._sent: Any = None
        return await super().run(request)

    def _notify_first(self) -> bool:
        return True

    async def _step_activity(
        self, step: ReportStep, policy: ActivityPolicy, arg: BaseModel, output: type[OutputT]
    ) -> OutputT:
        if step == ReportStep.STORE_REPORT_METADATA and self._notify_first():
            early = NotificationInput(
                report_id=arg.report_id,  # type: ignore[attr-defined]
                workflow_id=arg.workflow_id,  # type: ignore[attr-defined]
                pdf_path=arg.pdf_path,  # type: ignore[attr-defined]
                status=ReportStatus.COMPLETED,
            )
            self._sent = await super()._step_activity(
                ReportStep.SEND_NOTIFICATION, SEND_NOTIFICATION, early, NotificationOutput
            )
        if step == ReportStep.SEND_NOTIFICATION and self._sent is not None:
            return self._sent
        return await super()._step_activity(step, policy, arg, output)


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class SkipsNotification(ReportWorkflow):
    """BROKEN ON PURPOSE: an activity removed, the webhook step is gone."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        return await super().run(request)

    async def _step_activity(
        self, step: ReportStep, policy: ActivityPolicy, arg: BaseModel, output: type[OutputT]
    ) -> OutputT:
        if step == ReportStep.SEND_NOTIFICATION:
            return output.model_validate({"idempotency_key": "none", "status_code": 0})
        return await super()._step_activity(step, policy, arg, output)


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class ReadsWallClock(ReportWorkflow):
    """BROKEN ON PURPOSE: `datetime.now()` in workflow code (the sandbox refuses it)."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        self._started_at = datetime.now(UTC)
        return await super().run(request)


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class RollsDice(ReportWorkflow):
    """BROKEN ON PURPOSE: `random` in workflow code (the sandbox refuses it)."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        self._audit_sample = random.random() < 0.1
        return await super().run(request)


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class WallClockOutsideSandbox(ReportWorkflow):
    """BROKEN ON PURPOSE: `datetime.now()` smuggled past the sandbox decides a branch.

    "Skip approval for reports older than an hour" reads fine, but at replay the wall
    clock is later than the history's time, so replay takes the other branch.
    """

    @workflow.run
    async def run(self, request: Any) -> Any:
        with workflow.unsafe.sandbox_unrestricted():
            stale = datetime.now(UTC) - workflow.now() > timedelta(hours=1)
        if stale and isinstance(request, dict):
            request = {**request, "require_approval": False}
        return await super().run(request)


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class LongerApprovalTimer(ReportWorkflow):
    """BROKEN ON PURPOSE: the approval timer's duration changed (doubled)."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        if isinstance(request, dict) and "approval_timeout_seconds" in request:
            request = {
                **request,
                "approval_timeout_seconds": request["approval_timeout_seconds"] * 2,
            }
        return await super().run(request)
