"""`ReportWorkflow`: LLM -> PDF -> (optional human approval) -> metadata row -> webhook.

Each step is its own activity with its own policy (policies.py), so a flaky webhook is
retried without regenerating the report, and a restart resumes after the last completed
step. The approval wait is a durable timer: it survives worker restarts and, under the
time-skipping test server, a 24 h wait passes in milliseconds.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, RetryState

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, ValidationError

    from stormproof.reference.models import (
        ApprovalDecision,
        CreatePdfInput,
        CreatePdfOutput,
        LlmCallInput,
        LlmCallOutput,
        NotificationInput,
        NotificationOutput,
        ReportProgress,
        ReportRequest,
        ReportResult,
        ReportStatus,
        ReportStep,
        StoreMetadataInput,
        StoreMetadataOutput,
        UpdateDecision,
    )
    from stormproof.reference.workflows.policies import (
        CREATE_PDF,
        LLM_CALL,
        SEND_NOTIFICATION,
        STORE_REPORT_METADATA,
        ActivityPolicy,
    )
    from stormproof.reference.workflows.validation import check_file_stem, parse_request

OutputT = TypeVar("OutputT", bound=BaseModel)
# progress keeps the reasons of the last few dropped decisions, each cut short: a flood of
# bad signals must not grow the workflow's memory or the query's answer without bound.
MAX_IGNORED_KEPT = 5
MAX_REASON_CHARS = 200
CLOSED = (ReportStep.COMPLETED, ReportStep.REJECTED, ReportStep.TIMED_OUT)


def problems_of(exc: ValidationError, whole: str = "decision") -> str:
    """A message's problems, one per field (`reviewer: String should have at least...`);
    `whole` names the message itself when it is not even an object."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or whole}: {error['msg']}"
        for error in exc.errors()
    )


@workflow.defn(name="ReportWorkflow")
class ReportWorkflow:
    def __init__(self) -> None:
        self._step = ReportStep.LLM_CALL
        self._completed: list[ReportStep] = []
        self._attempts: dict[str, int] = {}
        # The first valid approve/reject wins; later signals cannot flip a decision.
        self._approved: bool | None = None
        self._decision: ApprovalDecision | None = None
        self._ignored: list[str] = []

    @workflow.run
    async def run(self, request: Any) -> ReportResult:
        report = parse_request(ReportRequest, request)
        workflow_id = workflow.info().workflow_id
        report_id = check_file_stem(report.report_id or workflow_id, "report id")

        reply = await self._step_activity(
            ReportStep.LLM_CALL,
            LLM_CALL,
            LlmCallInput(prompt=report.prompt, purpose="report", workflow_id=workflow_id),
            LlmCallOutput,
        )
        pdf = await self._step_activity(
            ReportStep.CREATE_PDF,
            CREATE_PDF,
            CreatePdfInput(report_id=report_id, text=reply.text),
            CreatePdfOutput,
        )

        if report.require_approval:
            self._step = ReportStep.AWAITING_APPROVAL
            try:
                await workflow.wait_condition(
                    lambda: self._approved is not None,
                    timeout=timedelta(seconds=report.approval_timeout_seconds),
                )
            except TimeoutError:
                return self._finish(ReportStatus.TIMED_OUT, report_id, pdf.pdf_path)
            self._completed.append(ReportStep.AWAITING_APPROVAL)
            if not self._approved:
                return self._finish(ReportStatus.REJECTED, report_id, pdf.pdf_path)

        await self._step_activity(
            ReportStep.STORE_REPORT_METADATA,
            STORE_REPORT_METADATA,
            StoreMetadataInput(report_id=report_id, workflow_id=workflow_id, pdf_path=pdf.pdf_path),
            StoreMetadataOutput,
        )
        sent = await self._step_activity(
            ReportStep.SEND_NOTIFICATION,
            SEND_NOTIFICATION,
            NotificationInput(
                report_id=report_id,
                workflow_id=workflow_id,
                pdf_path=pdf.pdf_path,
                status=ReportStatus.COMPLETED,
            ),
            NotificationOutput,
        )
        return self._finish(
            ReportStatus.COMPLETED, report_id, pdf.pdf_path, notification_key=sent.idempotency_key
        )

    async def _step_activity(
        self, step: ReportStep, policy: ActivityPolicy, arg: BaseModel, output: type[OutputT]
    ) -> OutputT:
        """Run one step's activity, keeping `progress` truthful on success and failure."""
        self._step = step
        try:
            result = await workflow.execute_activity(
                policy.name, arg, result_type=output, **policy.options()
            )
        except ActivityError as exc:
            # The failure does not say which attempt it was; when the policy ran out we
            # know it was the last one, otherwise at least one attempt was made.
            exhausted = exc.retry_state == RetryState.MAXIMUM_ATTEMPTS_REACHED
            attempts = policy.retry.maximum_attempts if exhausted else 1
            self._attempts[step.value] = max(attempts, self._attempts.get(step.value, 0))
            raise
        self._attempts[step.value] = getattr(result, "attempt", 1)
        self._completed.append(step)
        return result

    def _finish(
        self,
        status: ReportStatus,
        report_id: str,
        pdf_path: str,
        *,
        notification_key: str | None = None,
    ) -> ReportResult:
        self._step = ReportStep(status.value)
        if status == ReportStatus.COMPLETED:
            self._completed.append(ReportStep.COMPLETED)
        return ReportResult(
            report_id=report_id,
            workflow_id=workflow.info().workflow_id,
            status=status,
            pdf_path=pdf_path,
            notification_key=notification_key,
            reviewer=self._decision.reviewer if self._decision else None,
        )

    @workflow.update(name="decide")
    def decide(self, decision: Any = None) -> dict[str, Any]:
        """Approve or reject by Update: validated first (below), so a decision that could
        not be taken is refused to its sender, with the reason, and never enters the
        history; an accepted one decides the report as the signals do and says so."""
        parsed = UpdateDecision.model_validate(decision)
        self._approved = parsed.approved
        self._decision = ApprovalDecision(reviewer=parsed.reviewer, comment=parsed.comment)
        decided = "approved" if parsed.approved else "rejected"
        return {"decision": decided, "reviewer": parsed.reviewer}

    @decide.validator
    def _check_decide(self, decision: Any = None) -> None:
        if self._step in CLOSED:
            raise ValueError(f"the report is already {self._step}")
        if self._approved is not None:
            raise ValueError("a decision was already taken")
        try:
            UpdateDecision.model_validate(decision)
        except ValidationError as exc:
            raise ValueError(f"invalid decision: {problems_of(exc)}") from None

    def _decide(self, signal: str, approved: bool, raw: Any, extra: tuple[Any, ...]) -> None:
        """Take the first valid decision; drop anything else loudly, never failing the task.

        A signal handler that raises fails the workflow task, which Temporal retries
        forever: the report would be stuck on a bad signal. So a missing, extra or
        malformed argument is dropped with a warning and a reason `progress` shows.
        """
        if self._approved is not None:
            self._ignore(signal, "a decision was already taken")
            return
        if extra:
            self._ignore(signal, f"{1 + len(extra)} arguments (expected one decision)")
            return
        try:
            decision = ApprovalDecision.model_validate(raw)
        except ValidationError as exc:
            self._ignore(signal, f"invalid decision: {problems_of(exc)}")
            return
        self._approved, self._decision = approved, decision

    def _ignore(self, signal: str, reason: str) -> None:
        entry = f"{signal}: {reason}"[:MAX_REASON_CHARS]
        workflow.logger.warning("ignoring approval signal: %s", entry)
        self._ignored = [*self._ignored, entry][-MAX_IGNORED_KEPT:]

    @workflow.signal(name="approve")
    def approve(self, decision: Any = None, *extra: Any) -> None:
        self._decide("approve", True, decision, extra)

    @workflow.signal(name="reject")
    def reject(self, decision: Any = None, *extra: Any) -> None:
        self._decide("reject", False, decision, extra)

    @workflow.query(name="progress")
    def progress(self) -> ReportProgress:
        return ReportProgress(
            step=self._step,
            completed_steps=list(self._completed),
            attempts=dict(self._attempts),
            ignored_decisions=list(self._ignored),
        )
