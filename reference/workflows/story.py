"""`StoryWorkflow`: one LLM call, then the reply saved as Markdown."""

from __future__ import annotations

from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    # Plain data and validation helpers: deterministic, safe to share with the host.
    from stormproof.reference.models import (
        LlmCallInput,
        LlmCallOutput,
        SaveArtifactInput,
        SaveArtifactOutput,
        StoryRequest,
        StoryResult,
    )
    from stormproof.reference.workflows.policies import LLM_CALL, SAVE_STORY_ARTIFACT
    from stormproof.reference.workflows.validation import check_file_stem, parse_request


@workflow.defn(name="StoryWorkflow")
class StoryWorkflow:
    @workflow.run
    async def run(self, request: Any) -> StoryResult:
        # Raw payload in, validated here: see reference/workflows/validation.py for why.
        story = parse_request(StoryRequest, request)
        workflow_id = check_file_stem(workflow.info().workflow_id, "workflow id")

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
        return StoryResult(
            workflow_id=workflow_id,
            artifact_path=saved.artifact_path,
            characters=len(reply.text),
        )
