"""`save_story_artifact`: the story's Markdown file, `<artifact dir>/stories/<workflow id>.md`.

The content is a pure function of the input (title heading, then the reply verbatim), so
a retried or re-run attempt rewrites the very same bytes: idempotent without a lock.
"""

from __future__ import annotations

import asyncio

from temporalio import activity

from stormproof.reference.activities.files import artifact_path, atomic_write_bytes
from stormproof.reference.models import SaveArtifactInput, SaveArtifactOutput
from stormproof.reference.settings import WorkerSettings

DEFAULT_TITLE = "Story"


def render_story(title: str | None, text: str) -> str:
    """Markdown for one story; the reply is kept byte for byte so the judge can find it."""
    heading = (title or DEFAULT_TITLE).replace("\n", " ").strip() or DEFAULT_TITLE
    return f"# {heading}\n\n{text}\n"


class ArtifactActivities:
    def __init__(self, settings: WorkerSettings) -> None:
        self._stories = settings.artifact_dir / "stories"

    @activity.defn(name="save_story_artifact")
    async def save_story_artifact(self, request: SaveArtifactInput) -> SaveArtifactOutput:
        path = artifact_path(self._stories, request.workflow_id, ".md")
        data = render_story(request.title, request.text).encode("utf-8")
        # File I/O and fsync block; keep them off the worker's event loop.
        await asyncio.to_thread(atomic_write_bytes, path, data)
        return SaveArtifactOutput(artifact_path=str(path), attempt=activity.info().attempt)
