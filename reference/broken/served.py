"""Served twins: a reference workflow class with one defect, run by the reference worker.

`python -m stormproof.reference.broken NAME` starts the reference worker with
`--workflows stormproof.reference.broken.served:CLASS`, so the class below replaces the
reference workflow of the same Temporal name and everything else (activities, settings,
the other workflows) is the reference's own. Each overrides only the input, policy,
signal or query it breaks. These are defects a worker shows while running, so the
conformance suite judges them; the replay twins (workflows.py) are the ones only replay
can see.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from stormproof.reference.models import (
        DEFAULT_APPROVAL_TIMEOUT_SECONDS,
        ApprovalDecision,
        ChatRequest,
        ChatState,
        LlmCallInput,
        LlmCallOutput,
        ReportProgress,
        ReportStep,
        SaveArtifactInput,
        SaveArtifactOutput,
        StoryRequest,
        StoryResult,
    )
    from stormproof.reference.workflows.chat import ChatSessionWorkflow
    from stormproof.reference.workflows.policies import (
        CREATE_PDF,
        LLM_CALL,
        SAVE_STORY_ARTIFACT,
        ActivityPolicy,
    )
    from stormproof.reference.workflows.report import OutputT, ReportWorkflow
    from stormproof.reference.workflows.story import StoryWorkflow
    from stormproof.reference.workflows.validation import parse_request


def _with_input(request: Any, **fields: Any) -> Any:
    """The raw input with `fields` replaced, as a workflow that ignores them sees it."""
    return {**request, **fields} if isinstance(request, dict) else request


@workflow.defn(name="StoryWorkflow", sandboxed=True)
class CountsWords(StoryWorkflow):
    """BROKEN ON PURPOSE: `characters` counts the reply's words."""

    @workflow.run
    async def run(self, request: Any) -> StoryResult:
        story = parse_request(StoryRequest, request)
        workflow_id = workflow.info().workflow_id
        reply = await workflow.execute_activity(
            LLM_CALL.name,
            LlmCallInput(prompt=story.prompt, purpose="story", workflow_id=workflow_id),
            result_type=LlmCallOutput,
            **LLM_CALL.options(),
        )
        saved = await workflow.execute_activity(
            SAVE_STORY_ARTIFACT.name,
            SaveArtifactInput(workflow_id=workflow_id, title=story.title, text=reply.text),
            result_type=SaveArtifactOutput,
            **SAVE_STORY_ARTIFACT.options(),
        )
        words = len(reply.text.split())
        return StoryResult(
            workflow_id=workflow_id, artifact_path=saved.artifact_path, characters=words
        )


@workflow.defn(name="StoryWorkflow", sandboxed=True)
class NoInputValidation(StoryWorkflow):
    """BROKEN ON PURPOSE: the prompt is never checked, so bad input reaches the LLM."""

    @workflow.run
    async def run(self, request: Any) -> StoryResult:
        prompt = request.get("prompt", "") if isinstance(request, dict) else ""
        unchecked = StoryRequest.model_construct(prompt=str(prompt) or " ", title=None)
        return await super().run(unchecked.model_dump())


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class IgnoresReportId(ReportWorkflow):
    """BROKEN ON PURPOSE: every effect is keyed by the workflow id."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        return await super().run(_with_input(request, report_id=None))


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class SkipsApproval(ReportWorkflow):
    """BROKEN ON PURPOSE: `require_approval` is never read."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        return await super().run(_with_input(request, require_approval=False))


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class IgnoresApprovalTimeout(ReportWorkflow):
    """BROKEN ON PURPOSE: the approval window is the default, whatever the input says."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        window = DEFAULT_APPROVAL_TIMEOUT_SECONDS
        return await super().run(_with_input(request, approval_timeout_seconds=window))


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class RejectMeansApprove(ReportWorkflow):
    """BROKEN ON PURPOSE: `reject` sets the same flag `approve` does."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        return await super().run(request)

    @workflow.signal(name="reject")
    def reject(self, decision: Any = None, *extra: Any) -> None:
        self._decide("reject", True, decision, extra)


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class DropsEarlyDecision(ReportWorkflow):
    """BROKEN ON PURPOSE: a decision is taken only while the report waits for one; an
    approval sent right after the start (a reviewer who knew in advance) is dropped."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        return await super().run(request)

    def _decide(self, signal: str, approved: bool, raw: Any, extra: tuple[Any, ...]) -> None:
        if self._step != ReportStep.AWAITING_APPROVAL:
            self._ignore(signal, "not waiting for a decision yet")
            return
        super()._decide(signal, approved, raw, extra)


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class DecideUnvalidated(ReportWorkflow):
    """BROKEN ON PURPOSE: the `decide` update has no validator and takes what it is sent:
    an empty reviewer approves the report."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        return await super().run(request)

    @workflow.update(name="decide")
    def decide(self, decision: Any = None) -> dict[str, Any]:
        fields = decision if isinstance(decision, dict) else {}
        self._approved = bool(fields.get("approved", True))
        reviewer = str(fields.get("reviewer", ""))
        self._decision = ApprovalDecision.model_construct(reviewer=reviewer, comment=None)
        decided = "approved" if self._approved else "rejected"
        return {"decision": decided, "reviewer": reviewer}


@workflow.defn(name="ChatSessionWorkflow", sandboxed=True)
class ChatForgetsTurns(ChatSessionWorkflow):
    """BROKEN ON PURPOSE: continues as new without its state: the next run numbers its
    turns from 1 again (and so reuses the tool's keys), and the totals forget the past."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        return await super().run(request)

    def _carry(self) -> ChatState | None:
        return None


@workflow.defn(name="ChatSessionWorkflow", sandboxed=True)
class ChatStateInRun(ChatSessionWorkflow):
    """BROKEN ON PURPOSE: the carried state is read at the top of run(), as most code does.
    A turn that reaches the new run before its first task runs its handler first: it is
    numbered from 0, and its count is overwritten when run() starts."""

    def __init__(self) -> None:  # no @workflow.init: the input is not seen here
        self._session = ChatRequest()
        self._state = ChatState()
        self._this_run = 0
        self._lock = asyncio.Lock()
        self._closed = False

    @workflow.run
    async def run(self, request: Any) -> Any:
        self._session = parse_request(ChatRequest, request)
        if self._session.carried is not None:
            carried = self._session.carried
            self._state = carried.model_copy(update={"runs": carried.runs + 1})
        return await super().run(request)


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class StaleProgress(ReportWorkflow):
    """BROKEN ON PURPOSE: `progress` answers with the first step, always."""

    @workflow.run
    async def run(self, request: Any) -> Any:
        return await super().run(request)

    @workflow.query(name="progress")
    def progress(self) -> ReportProgress:
        return ReportProgress(step=ReportStep.LLM_CALL)


class _PolicySwap(ReportWorkflow):
    """Runs one step with another policy; the subclasses say which."""

    swaps: dict[str, ActivityPolicy] = {}

    async def _step_activity(
        self, step: ReportStep, policy: ActivityPolicy, arg: BaseModel, output: type[OutputT]
    ) -> OutputT:
        return await super()._step_activity(step, self.swaps.get(policy.name, policy), arg, output)


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class RetriesPdfFiveTimes(_PolicySwap):
    """BROKEN ON PURPOSE: create_pdf's budget is 5 attempts, not 2."""

    swaps = {
        CREATE_PDF.name: dataclasses.replace(
            CREATE_PDF,
            retry=RetryPolicy(
                initial_interval=timedelta(seconds=1),
                maximum_attempts=5,
                non_retryable_error_types=["InvalidRequest"],
            ),
        )
    }

    @workflow.run
    async def run(self, request: Any) -> Any:
        return await super().run(request)


@workflow.defn(name="ReportWorkflow", sandboxed=True)
class NoHeartbeatTimeout(_PolicySwap):
    """BROKEN ON PURPOSE: llm_call has no heartbeat timeout, so a dead worker is only
    noticed when its 2-minute start_to_close runs out."""

    swaps = {
        LLM_CALL.name: dataclasses.replace(
            LLM_CALL, heartbeat=None, start_to_close=timedelta(minutes=2)
        )
    }

    @workflow.run
    async def run(self, request: Any) -> Any:
        return await super().run(request)


@workflow.defn(name="StoryWorkflow", sandboxed=True)
class ReplayUnsafeStory(StoryWorkflow):
    """BROKEN ON PURPOSE: the wall clock, smuggled past the sandbox, decides a branch.

    "Pause a moment if the story is being resumed late" reads harmless, but a replay (a new
    worker picking the workflow up after the old one died) runs it seconds after the
    history's time, takes the branch, and issues a timer the history never had: the SDK's
    TMPRL1100 non-determinism error, retried forever; only the logs say so.
    """

    @workflow.run
    async def run(self, request: Any) -> StoryResult:
        with workflow.unsafe.sandbox_unrestricted():
            late = datetime.now(UTC) - workflow.now() > timedelta(seconds=2)
        if late:
            await workflow.sleep(0.01)
        return await super().run(request)
