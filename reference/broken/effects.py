"""The reference's activities with one defect each, for the worker twins in workers.py.

Each class subclasses the reference activity it breaks and overrides only the broken step,
so a check that rejects the twin is seeing that bug and nothing else. The "memory" family
is one design flaw, deduplication kept in process memory, applied to every effect: it
passes every check that keeps one process alive, and fails the first time a worker dies
between an effect and its completion (suites/chaos/test_f10_effect_then_death.py).
"""

from __future__ import annotations

import asyncio
import shutil
import uuid

from temporalio import activity

from stormproof.reference.activities import (
    ArtifactActivities,
    LlmActivities,
    PdfActivities,
    StorageActivities,
)
from stormproof.reference.activities.artifacts import render_story
from stormproof.reference.activities.files import artifact_path
from stormproof.reference.activities.ledger import Recorded, StepKey
from stormproof.reference.activities.storage import TABLE, Schema
from stormproof.reference.models import (
    CreatePdfInput,
    CreatePdfOutput,
    LlmCallInput,
    LlmCallOutput,
    SaveArtifactInput,
    SaveArtifactOutput,
    StoreMetadataInput,
    StoreMetadataOutput,
)
from stormproof.reference.settings import WorkerSettings

# BROKEN ON PURPOSE: no primary key and no ON CONFLICT, so every retry adds a row.
NON_IDEMPOTENT_SCHEMA = Schema(
    create=f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        report_id TEXT NOT NULL,
        workflow_id TEXT NOT NULL,
        pdf_path TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)""",
    insert=f"""INSERT INTO {TABLE} (report_id, workflow_id, pdf_path, attempt)
        VALUES ({{p}}, {{p}}, {{p}}, {{p}})""",
)
# Stable for the life of one process, new in the next: the memory twin's notification key.
PROCESS_TOKEN = uuid.uuid4().hex[:8]


def random_key(report_id: str) -> str:
    """BROKEN ON PURPOSE: a new key per attempt defeats the receiver's deduplication."""
    return f"report-ready:{report_id}:{uuid.uuid4().hex}"


def run_key(report_id: str) -> str:
    """BROKEN ON PURPOSE: stable across retries and worker processes, new in every run of
    the workflow: an operator's reset notifies again."""
    return f"report-ready:{report_id}:{activity.info().workflow_run_id}"


def process_key(report_id: str) -> str:
    """BROKEN ON PURPOSE: stable across retries in one process, new after a restart."""
    return f"report-ready:{report_id}:{PROCESS_TOKEN}"


class TruncatingLlm(LlmActivities):
    """BROKEN ON PURPOSE: only the prompt's first 40 characters reach the LLM."""

    @activity.defn(name="llm_call")
    async def llm_call(self, request: LlmCallInput) -> LlmCallOutput:
        return await super().llm_call(request.model_copy(update={"prompt": request.prompt[:40]}))


class LoggingLlm(LlmActivities):
    """BROKEN ON PURPOSE: logs the prompt and the reply, as a debugging line left in."""

    @activity.defn(name="llm_call")
    async def llm_call(self, request: LlmCallInput) -> LlmCallOutput:
        activity.logger.info("LLM prompt: %s", request.prompt)
        output = await super().llm_call(request)
        activity.logger.info("LLM reply: %s", output.text)
        return output


class UntitledArtifacts(ArtifactActivities):
    """BROKEN ON PURPOSE: the title never reaches the Markdown."""

    @activity.defn(name="save_story_artifact")
    async def save_story_artifact(self, request: SaveArtifactInput) -> SaveArtifactOutput:
        return await super().save_story_artifact(request.model_copy(update={"title": None}))


class TempLitterArtifacts(ArtifactActivities):
    """BROKEN ON PURPOSE: writes a fixed temporary file, copies it, never removes it."""

    @activity.defn(name="save_story_artifact")
    async def save_story_artifact(self, request: SaveArtifactInput) -> SaveArtifactOutput:
        path = artifact_path(self._stories, request.workflow_id, ".md")
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_text(render_story(request.title, request.text))
        await asyncio.to_thread(shutil.copyfile, temp, path)
        return SaveArtifactOutput(artifact_path=str(path), attempt=activity.info().attempt)


class TextPdf(PdfActivities):
    """BROKEN ON PURPOSE: the "PDF" is the reply as plain text."""

    @activity.defn(name="create_pdf")
    async def create_pdf(self, request: CreatePdfInput) -> CreatePdfOutput:
        path = artifact_path(self._reports, request.report_id, ".pdf")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Report {request.report_id}\n\n{request.text}\n")
        return CreatePdfOutput(pdf_path=str(path), attempt=activity.info().attempt)


class MemoryLedger:
    """BROKEN ON PURPOSE: LLM replies remembered by step, in this process only."""

    def __init__(self) -> None:
        self._replies: dict[StepKey, Recorded] = {}

    async def recall(self, key: StepKey) -> Recorded | None:
        return self._replies.get(key)

    async def record(self, key: StepKey, reply: str, model: str) -> None:
        self._replies.setdefault(key, Recorded(reply=reply, model=model))


class MemoryGuardedStorage(StorageActivities):
    """BROKEN ON PURPOSE: a plain INSERT, guarded by a set of report ids in memory."""

    def __init__(self, settings: WorkerSettings) -> None:
        super().__init__(settings, schema=NON_IDEMPOTENT_SCHEMA)
        self._stored: set[str] = set()

    @activity.defn(name="store_report_metadata")
    async def store_report_metadata(self, request: StoreMetadataInput) -> StoreMetadataOutput:
        if request.report_id in self._stored:
            return StoreMetadataOutput(inserted=False, attempt=activity.info().attempt)
        stored = await super().store_report_metadata(request)
        self._stored.add(request.report_id)
        return stored


class MemoryGuardedArtifacts(ArtifactActivities):
    """BROKEN ON PURPOSE: appends the story, guarded by a set of workflow ids in memory."""

    def __init__(self, settings: WorkerSettings) -> None:
        super().__init__(settings)
        self._written: set[str] = set()

    @activity.defn(name="save_story_artifact")
    async def save_story_artifact(self, request: SaveArtifactInput) -> SaveArtifactOutput:
        path = artifact_path(self._stories, request.workflow_id, ".md")
        if request.workflow_id not in self._written:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as story:
                story.write(render_story(request.title, request.text))
            self._written.add(request.workflow_id)
        return SaveArtifactOutput(artifact_path=str(path), attempt=activity.info().attempt)
