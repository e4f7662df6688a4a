"""The reference worker's activities, one module per side effect.

Each module exposes a small class holding the settings the activity needs; its bound
`@activity.defn` method is what the worker registers. Classes (rather than module-level
functions reading globals) let a broken twin (reference/broken/workers.py) swap one
behaviour in for a negative control without copying the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stormproof.reference.activities.artifacts import ArtifactActivities
from stormproof.reference.activities.llm import LlmActivities
from stormproof.reference.activities.notify import NotifyActivities
from stormproof.reference.activities.pdf import PdfActivities
from stormproof.reference.activities.storage import StorageActivities
from stormproof.reference.settings import WorkerSettings

__all__ = [
    "ArtifactActivities",
    "LlmActivities",
    "NotifyActivities",
    "PdfActivities",
    "StorageActivities",
    "build_activities",
]


def build_activities(
    settings: WorkerSettings,
    *,
    llm: LlmActivities | None = None,
    storage: StorageActivities | None = None,
    notify: NotifyActivities | None = None,
    artifacts: ArtifactActivities | None = None,
    pdf: PdfActivities | None = None,
) -> list[Callable[..., Any]]:
    """Every activity the workflows schedule, with optional replacements for broken twins."""
    llm = llm or LlmActivities(settings)
    storage = storage or StorageActivities(settings)
    notify = notify or NotifyActivities(settings)
    return [
        llm.llm_call,
        (artifacts or ArtifactActivities(settings)).save_story_artifact,
        (pdf or PdfActivities(settings)).create_pdf,
        storage.store_report_metadata,
        notify.send_notification,
        notify.post_chat_tool,
    ]
