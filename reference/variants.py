"""Deliberately BROKEN workers: the suite's negative controls.

A check that never fails proves nothing. Each variant here is the reference worker with
exactly one classic durability bug swapped in, so the suite can show that the check aimed
at that bug rejects it. They reuse the real activities through constructor parameters;
nothing else differs. Never deploy these.

    python -m stormproof.reference.variants NAME [--task-queue Q]

- non_idempotent_insert: the metadata table has no primary key and the insert is a plain
  INSERT, so a retried store duplicates the row.
- non_idempotent_notify: a fresh random Idempotency-Key on every attempt, so the webhook
  sink sees more than one key per report.
- sdk_retries: the openai client keeps max_retries=2, so SDK retries stack on Temporal's
  and the LLM sees more calls than the 3-attempt policy allows.
- ignores_retry_after: retryable LLM errors carry no next_retry_delay, so retries ignore
  the server's Retry-After.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from stormproof.reference.activities import LlmActivities, NotifyActivities, StorageActivities
from stormproof.reference.activities import build_activities as _build
from stormproof.reference.activities.storage import TABLE, Schema
from stormproof.reference.settings import WorkerSettings
from stormproof.reference.worker import run

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


def random_key(report_id: str) -> str:
    """BROKEN ON PURPOSE: a new key per attempt defeats the receiver's deduplication."""
    return f"report-ready:{report_id}:{uuid.uuid4().hex}"


def _non_idempotent_insert(settings: WorkerSettings) -> list[Callable[..., Any]]:
    return _build(settings, storage=StorageActivities(settings, schema=NON_IDEMPOTENT_SCHEMA))


def _non_idempotent_notify(settings: WorkerSettings) -> list[Callable[..., Any]]:
    return _build(settings, notify=NotifyActivities(settings, key_for=random_key))


def _sdk_retries(settings: WorkerSettings) -> list[Callable[..., Any]]:
    # BROKEN ON PURPOSE: the SDK retries inside each Temporal attempt (up to 3 x 3 calls).
    return _build(settings, llm=LlmActivities(settings, max_retries=2))


def _ignores_retry_after(settings: WorkerSettings) -> list[Callable[..., Any]]:
    # BROKEN ON PURPOSE: retries on the policy's own schedule despite Retry-After.
    return _build(settings, llm=LlmActivities(settings, honour_retry_after=False))


VARIANTS: dict[str, Callable[[WorkerSettings], list[Callable[..., Any]]]] = {
    "non_idempotent_insert": _non_idempotent_insert,
    "non_idempotent_notify": _non_idempotent_notify,
    "sdk_retries": _sdk_retries,
    "ignores_retry_after": _ignores_retry_after,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in VARIANTS:
        names = ", ".join(VARIANTS)
        print(
            f"usage: python -m stormproof.reference.variants NAME [--task-queue Q]\nNAME: {names}"
        )
        return 0 if args and args[0] in {"-h", "--help"} else 2
    name = args[0]
    return run(
        args[1:],
        activities_factory=VARIANTS[name],
        variant=name,
        description=f"Reference worker with the {name} defect (a negative control).",
    )


if __name__ == "__main__":
    sys.exit(main())
