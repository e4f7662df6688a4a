"""Broken workers: the reference worker with one activity behaviour or one setting swapped.

Each function here is an activities factory named after its twin (registry.py). The worker
around it is the reference's own (`stormproof.reference.worker.run`), and the real
activities are reused through their constructor parameters or a subclass that overrides
one step (effects.py), so nothing but the defect differs and a check that rejects a twin
is seeing the bug, not some other difference. A defect that is a setting (the model, a
timeout, where effects go) is the reference's settings with that one field replaced, as a
worker that read the wrong variable or hard-coded a value would have them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from temporalio import activity

from stormproof.reference import codec
from stormproof.reference.activities import LlmActivities, NotifyActivities, StorageActivities
from stormproof.reference.activities import build_activities as _build
from stormproof.reference.activities.retry_after import parse_retry_after
from stormproof.reference.broken import effects, misclassified
from stormproof.reference.models import LlmCallInput, LlmCallOutput
from stormproof.reference.settings import WorkerSettings

Activities = list[Callable[..., Any]]


def _with(settings: WorkerSettings, **fields: Any) -> WorkerSettings:
    """The settings with `fields` replaced: what a worker reading the wrong variable has."""
    return settings.model_copy(update=fields)


# --- 1. the environment --------------------------------------------------------------------


def wrong_task_queue(settings: WorkerSettings) -> Activities:
    # BROKEN ON PURPOSE by its registry entry's argv: --task-queue reports.
    return _build(settings)


def ignores_temporal_address(settings: WorkerSettings) -> Activities:
    # BROKEN ON PURPOSE by its registry entry's env: TEMPORAL_ADDRESS=127.0.0.1:7233.
    return _build(settings)


def hardcoded_model(settings: WorkerSettings) -> Activities:
    return _build(_with(settings, llm_model="gpt-4o-mini"))


def ignores_llm_timeout(settings: WorkerSettings) -> Activities:
    return _build(_with(settings, llm_timeout_seconds=30.0))


def llm_key_unchecked(settings: WorkerSettings) -> Activities:
    key = settings.openai_api_key or SecretStr("sk-placeholder")
    return _build(_with(settings, openai_api_key=key))


def ignores_database_url(settings: WorkerSettings) -> Activities:
    return _build(_with(settings, database_url_raw=None))


def ignores_notify_url(settings: WorkerSettings) -> Activities:
    return _build(_with(settings, notify_url=os.environ.get("NOTIFY_URL")))


def ignores_artifact_dir(settings: WorkerSettings) -> Activities:
    return _build(_with(settings, artifact_dir=Path(tempfile.gettempdir()) / "stormproof-twin"))


# --- 2. steps and their effects --------------------------------------------------------------


def truncates_prompt(settings: WorkerSettings) -> Activities:
    return _build(settings, llm=effects.TruncatingLlm(settings))


def ignores_title(settings: WorkerSettings) -> Activities:
    return _build(settings, artifacts=effects.UntitledArtifacts(settings))


def leaves_temp_files(settings: WorkerSettings) -> Activities:
    return _build(settings, artifacts=effects.TempLitterArtifacts(settings))


def text_not_pdf(settings: WorkerSettings) -> Activities:
    return _build(settings, pdf=effects.TextPdf(settings))


# --- 3. retries and their hints --------------------------------------------------------------


def no_hint(headers: Mapping[str, str]) -> timedelta | None:
    """BROKEN ON PURPOSE: the server's hint is dropped; the policy's backoff applies."""
    return None


def ms_read_as_seconds(headers: Mapping[str, str]) -> timedelta | None:
    """BROKEN ON PURPOSE: `retry-after-ms` taken for `retry-after`, i.e. as seconds."""
    lowered = {key.lower(): value for key, value in headers.items()}
    if "retry-after-ms" in lowered:
        return parse_retry_after({"retry-after": lowered["retry-after-ms"]})
    return parse_retry_after(headers)


def every_status(status: int) -> bool:
    """BROKEN ON PURPOSE: every error status is worth another attempt."""
    return True


def no_status(status: int) -> bool:
    """BROKEN ON PURPOSE: no error status is worth another attempt."""
    return False


def sdk_retries(settings: WorkerSettings) -> Activities:
    # BROKEN ON PURPOSE: the SDK retries inside each Temporal attempt (up to 3 x 3 calls).
    return _build(settings, llm=LlmActivities(settings, max_retries=2))


def ignores_retry_after(settings: WorkerSettings) -> Activities:
    return _build(settings, llm=LlmActivities(settings, retry_hint=no_hint))


def retry_after_ms_as_seconds(settings: WorkerSettings) -> Activities:
    return _build(settings, llm=LlmActivities(settings, retry_hint=ms_read_as_seconds))


def retries_llm_4xx(settings: WorkerSettings) -> Activities:
    return _build(settings, llm=LlmActivities(settings, retry_status=every_status))


def gives_up_on_llm_5xx(settings: WorkerSettings) -> Activities:
    return _build(settings, llm=LlmActivities(settings, retry_status=no_status))


def gives_up_on_llm_unreachable(settings: WorkerSettings) -> Activities:
    # BROKEN ON PURPOSE: a refused or reset connection to the LLM fails the step for good.
    return _build(settings, llm=LlmActivities(settings, unreachable_is_final=True))


def retries_webhook_4xx(settings: WorkerSettings) -> Activities:
    return _build(settings, notify=NotifyActivities(settings, retry_status=every_status))


def gives_up_on_webhook_5xx(settings: WorkerSettings) -> Activities:
    return _build(settings, notify=NotifyActivities(settings, retry_status=no_status))


def gives_up_on_webhook_reset(settings: WorkerSettings) -> Activities:
    return _build(settings, notify=NotifyActivities(settings, unreachable_is_final=True))


def only_5xx(status: int) -> bool:
    """BROKEN ON PURPOSE: a 429 is a 4xx, so only a server error is worth another attempt."""
    return status >= 500


def gives_up_on_webhook_429(settings: WorkerSettings) -> Activities:
    return _build(settings, notify=NotifyActivities(settings, retry_status=only_5xx))


def gives_up_on_webhook_refused(settings: WorkerSettings) -> Activities:
    return _build(settings, notify=misclassified.RefusedIsFinalNotify(settings))


def gives_up_on_llm_malformed(settings: WorkerSettings) -> Activities:
    return _build(settings, llm=misclassified.MalformedIsFinalLlm(settings))


def gives_up_on_postgres_reset(settings: WorkerSettings) -> Activities:
    return _build(settings, storage=misclassified.ResetIsFinalStorage(settings))


def gives_up_on_silent_postgres(settings: WorkerSettings) -> Activities:
    return _build(settings, storage=misclassified.SilenceIsFinalStorage(settings))


# --- 5. effects exactly once ---------------------------------------------------------------


def non_idempotent_insert(settings: WorkerSettings) -> Activities:
    storage = StorageActivities(settings, schema=effects.NON_IDEMPOTENT_SCHEMA)
    return _build(settings, storage=storage)


def non_idempotent_notify(settings: WorkerSettings) -> Activities:
    return _build(settings, notify=NotifyActivities(settings, key_for=effects.random_key))


def key_per_run(settings: WorkerSettings) -> Activities:
    return _build(settings, notify=NotifyActivities(settings, key_for=effects.run_key))


def memory_dedup(settings: WorkerSettings) -> Activities:
    return _build(
        settings,
        llm=LlmActivities(settings, ledger=effects.MemoryLedger()),
        storage=effects.MemoryGuardedStorage(settings),
        notify=NotifyActivities(settings, key_for=effects.process_key),
        artifacts=effects.MemoryGuardedArtifacts(settings),
    )


# --- 6. the process ------------------------------------------------------------------------


class ExitsOnCancelLlm(LlmActivities):
    """The real LLM call, except that a cancellation escapes into the main task, as code
    that treats "cancelled" as "we are shutting down" does."""

    def __init__(self, settings: WorkerSettings, main_task: asyncio.Task[Any]) -> None:
        super().__init__(settings)
        self._main_task = main_task

    @activity.defn(name="llm_call")
    async def llm_call(self, request: LlmCallInput) -> LlmCallOutput:
        try:
            return await super().llm_call(request)
        except asyncio.CancelledError:
            # BROKEN ON PURPOSE: "cancelled" is not "shut down"; this kills the process.
            print("llm_call cancelled: re-raising CancelledError in the main task", flush=True)
            self._main_task.cancel()
            raise


def exits_on_cancel(settings: WorkerSettings) -> Activities:
    # Called from stormproof.reference.worker.serve, so the current task is the main task.
    main_task = asyncio.current_task()
    assert main_task is not None
    return _build(settings, llm=ExitsOnCancelLlm(settings, main_task))


def exits_at_once_on_sigterm(settings: WorkerSettings) -> Activities:
    # Called from stormproof.reference.worker.serve, whose SIGTERM handler this replaces.
    # BROKEN ON PURPOSE: no drain; whatever is in flight is dropped.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, os._exit, 0)
    return _build(settings)


# --- 7. payload encryption -----------------------------------------------------------------


async def _unsealed(self: codec.AesGcmCodec, payloads: Any) -> list[Any]:
    return list(payloads)


def seals_nothing(settings: WorkerSettings) -> Activities:
    # BROKEN ON PURPOSE: the codec still opens what it reads, but every payload this
    # process writes leaves unsealed (the codec wired on the decode path only).
    codec.AesGcmCodec.encode = _unsealed  # type: ignore[method-assign]
    return _build(settings)


def logs_prompts(settings: WorkerSettings) -> Activities:
    return _build(settings, llm=effects.LoggingLlm(settings))
