"""The judge's readers of the world: one reader per effect, each from the effect's source.

| effect            | reader                                    | source                          |
|-------------------|-------------------------------------------|---------------------------------|
| report rows       | rows.metadata_rows                        | `stormproof_reports`, over SQL  |
| notifications     | notifications.deliveries, ...effects      | the sink's raw delivery log     |
| artifacts         | artifacts.story_artifact, report_pdf, ... | the artifact folder, PDF text   |
| LLM calls         | llm_calls.llm_calls                       | the fake LLM's log, by marker   |
| activity attempts | attempts.activity_attempts                | the workflow's Temporal history |
| failure causes    | failures.failure_types, failure_messages  | a workflow failure's causes     |

The conformance judge (stormproof/conformance/judge.py, suites/conformance) and the chaos observer
(stormproof/chaos/observe.py) both read through these, so an effect, and an attempt, mean the
same in both suites. Only public formats are read (SQL, files, PDF, the servers' logs,
Temporal's history), never a worker's own account, so the judge works for any worker.
"""

from stormproof.effects.artifacts import (
    ArtifactError,
    artifact_files,
    pdf_contains,
    pdf_text,
    report_pdf,
    squash,
    story_artifact,
)
from stormproof.effects.attempts import ActivityAttempts, activity_attempts, fetch_activity_attempts
from stormproof.effects.failures import failure_messages, failure_types
from stormproof.effects.llm_calls import llm_calls
from stormproof.effects.notifications import deliveries, notification_effects
from stormproof.effects.rows import TABLE, MetadataRow, metadata_rows

__all__ = [
    "TABLE",
    "ActivityAttempts",
    "ArtifactError",
    "MetadataRow",
    "activity_attempts",
    "artifact_files",
    "deliveries",
    "failure_messages",
    "failure_types",
    "fetch_activity_attempts",
    "llm_calls",
    "metadata_rows",
    "notification_effects",
    "pdf_contains",
    "pdf_text",
    "report_pdf",
    "squash",
    "story_artifact",
]
