"""The registry of deliberately broken twins: one entry per twin, one line per verdict.

A check that never fails proves nothing, so every rule of docs/CONTRACT.md has a twin of
the reference with exactly that rule broken (docs/CONTRACT_MATRIX.md pairs each rule with
its check and its twin). Keeping the list here, with the check that must reject each twin
and the bug class it must name, lets a reader (and tests/test_broken_twins.py) see at once
that no twin is orphaned and no twin lives anywhere else. What a twin is (its kind, how it
runs) is twin.py; this module is only the list.
"""

from __future__ import annotations

from stormproof.reference.broken.replay_twins import REPLAY_TWINS
from stormproof.reference.broken.retry_twins import RETRY_TWINS
from stormproof.reference.broken.twin import PACKAGE, Kind, Twin, describe, load
from stormproof.reference.broken.twin import served_twin as _served
from stormproof.reference.broken.twin import worker_twin as _worker

__all__ = ["PACKAGE", "REGISTRY", "TWINS", "Kind", "Twin", "describe", "load"]

_CHAOS = "suites/chaos/test_negative_control.py: verdict invalid"
_DEATH = "suites/chaos/test_negative_control.py: 'duplicate-effect' after a SIGKILL"
_C = "suites/conformance/"

# `rejected_by` names the test files (paths from the checkout's root) that must reject the
# twin, and the bug class they must name (stormproof/diagnosis.py); tests/test_broken_twins.py
# checks each file names the twin. Grouped as docs/CONTRACT.md's sections are.
REGISTRY: tuple[Twin, ...] = (
    # --- 1. the environment ------------------------------------------------------------
    _worker(
        "wrong_task_queue",
        "polls the hard-coded task queue 'reports', whatever STORMPROOF_TASK_QUEUE says",
        f"{_C}test_task_queue.py: 'no-poller' within 15 s, naming both queues",
        argv=("--task-queue", "reports"),
    ),
    _worker(
        "ignores_temporal_address",
        "dials the SDK's default 127.0.0.1:7233, whatever TEMPORAL_ADDRESS says",
        f"{_C}test_task_queue.py: 'no-poller' within 15 s",
        env=(("TEMPORAL_ADDRESS", "127.0.0.1:7233"),),
    ),
    _worker(
        "hardcoded_model",
        "asks for gpt-4o-mini whatever STORMPROOF_LLM_MODEL says",
        f"{_C}test_llm_settings.py: 'input-ignored'",
    ),
    _worker(
        "ignores_llm_timeout",
        "waits 30 s for the LLM whatever STORMPROOF_LLM_TIMEOUT_SECONDS says",
        f"{_C}test_llm_transient.py: 'input-ignored'",
    ),
    _worker(
        "llm_key_unchecked",
        "calls the LLM with a placeholder key when OPENAI_API_KEY is unset",
        f"{_C}test_llm_credentials.py: 'wrong-error-type'",
    ),
    _worker(
        "ignores_database_url",
        "stores rows in SQLite beside the artifacts whatever STORMPROOF_DATABASE_URL says",
        f"{_C}test_report.py: 'lost-effect'",
    ),
    _worker(
        "ignores_notify_url",
        "reads NOTIFY_URL instead of STORMPROOF_NOTIFY_URL, so it has no webhook",
        f"{_C}test_notification.py: 'lost-effect'",
    ),
    _worker(
        "ignores_artifact_dir",
        "writes artifacts under the system's temporary folder, not STORMPROOF_ARTIFACT_DIR",
        f"{_C}test_story.py: 'lost-effect'",
    ),
    # --- 2. workflow inputs, steps and results --------------------------------------------
    _worker(
        "truncates_prompt",
        "sends only the first 40 characters of the prompt to the LLM",
        f"{_C}test_story.py: 'wrong-effect'",
    ),
    _worker(
        "ignores_title",
        "every story's heading is 'Story', whatever its title",
        f"{_C}test_story.py: 'input-ignored'",
    ),
    _worker(
        "leaves_temp_files",
        "copies a fixed temporary file over the story and leaves it beside the artifact",
        f"{_C}test_story.py: 'wrong-effect'",
    ),
    _served(
        "counts_words",
        "CountsWords",
        "a story's result counts the reply's words, not its characters",
        f"{_C}test_story.py: 'wrong-effect'",
    ),
    _served(
        "ignores_report_id",
        "IgnoresReportId",
        "keys the PDF, the row and the notification by the workflow id, never report_id",
        f"{_C}test_report.py: 'input-ignored'",
    ),
    _worker(
        "text_not_pdf",
        "writes the report as plain text under a .pdf name",
        f"{_C}test_report.py: 'wrong-effect'",
    ),
    _served(
        "skips_approval",
        "SkipsApproval",
        "require_approval is ignored: the report completes without waiting",
        f"{_C}test_approval.py: 'input-ignored'",
    ),
    _served(
        "ignores_approval_timeout",
        "IgnoresApprovalTimeout",
        "the approval window is always 24 h, whatever approval_timeout_seconds says",
        f"{_C}test_approval.py: 'input-ignored' for the 10-minute and 90-second windows",
    ),
    _served(
        "reject_means_approve",
        "RejectMeansApprove",
        "the reject signal is handled as approve (a copy-paste slip)",
        f"{_C}test_approval.py: 'approval-signal'",
    ),
    _served(
        "drops_early_decision",
        "DropsEarlyDecision",
        "an approve or reject sent before the report waits for it is dropped",
        f"{_C}test_messages.py: 'message-lost'",
    ),
    _served(
        "decide_unvalidated",
        "DecideUnvalidated",
        "the `decide` update has no validator: an empty reviewer approves the report",
        f"{_C}test_update.py: 'input-validation'",
    ),
    _served(
        "chat_forgets_turns",
        "ChatForgetsTurns",
        "the chat session continues as new without its state: turn numbers start again",
        f"{_C}test_chat.py: 'message-lost'",
    ),
    _served(
        "chat_state_in_run",
        "ChatStateInRun",
        "the chat session reads its carried state in run(): a turn reaching a new run first "
        "is misnumbered and its count overwritten",
        f"{_C}test_chat.py: 'message-lost'",
    ),
    _served(
        "stale_progress",
        "StaleProgress",
        "the progress query keeps answering llm_call",
        f"{_C}test_approval.py: 'progress-query'",
    ),
    _served(
        "no_input_validation",
        "NoInputValidation",
        "sends an empty or oversized prompt to the LLM instead of refusing it",
        f"{_C}test_bad_input.py: 'input-validation'",
    ),
    *RETRY_TWINS,  # retry_twins.py: retries, hints and budgets (sections 2 and 3)
    # --- 5. effects exactly once, also across the worker's death -----------------------------
    _worker(
        "non_idempotent_insert",
        "no primary key and a plain INSERT: a retried store duplicates the row",
        f"{_CHAOS}, duplicated rows >= 1, 'duplicate-effect'",
    ),
    _worker(
        "non_idempotent_notify",
        "a fresh Idempotency-Key per attempt: the sink sees more than one key per report",
        f"{_C}test_notification.py: 'duplicate-effect'; {_CHAOS}, duplicated deliveries >= 1; "
        "suites/chaos/test_f11_fleet.py: 'duplicate-effect' (a frozen replica)",
    ),
    _worker(
        "key_per_run",
        "the Idempotency-Key carries the run id: one per run, so a reset notifies again",
        f"{_C}test_reset.py and suites/chaos/test_f12_workflow_reset.py: 'duplicate-effect'",
    ),
    _worker(
        "memory_dedup",
        "deduplicates in process memory only: LLM replies, stored rows, notification keys "
        "and written stories are all forgotten when the process dies",
        f"{_DEATH} for each effect kind (llm, row, notification, artifact)",
    ),
    _served(
        "replay_unsafe_story",
        "ReplayUnsafeStory",
        "the wall clock decides a branch of StoryWorkflow: a replay after a worker death "
        "issues a timer the history never had (TMPRL1100)",
        "suites/chaos/test_log_scan.py: 'non-determinism' from the log scan, quoting the lines",
    ),
    _served(
        "no_heartbeat_timeout",
        "NoHeartbeatTimeout",
        "llm_call declares no heartbeat timeout and a 2-minute start_to_close",
        "suites/chaos/test_f4_worker_kill.py and suites/chaos/test_f11_fleet.py (a replica "
        "killed): 'stalled-after-worker-death' with its stall time",
    ),
    # --- 6. the process ------------------------------------------------------------------
    _worker(
        "exits_on_cancel",
        "a cancelled LLM call cancels the process's main task: the worker dies",
        "suites/reconnect/test_lifecycle.py: 'worker-exited' (the worker process ended, or "
        "made no progress, after an activity was cancelled)",
    ),
    Twin(
        "gives_up_when_unreachable",
        Kind.PROCESS,
        f"{PACKAGE}.gives_up:main",
        "tries Temporal once at start; when it is not there yet, logs it and exits 0",
        "suites/reconnect/test_late_start.py: 'worker-exited' (gone before Temporal came up)",
    ),
    _worker(
        "exits_at_once_on_sigterm",
        "SIGTERM ends the process at once, dropping its in-flight activity",
        "suites/reconnect/test_lifecycle.py and suites/chaos/test_f11_fleet.py (a rolling "
        "restart): 'no-drain'",
    ),
    Twin(
        "connect_once",
        Kind.API,
        f"{PACKAGE}.api:ConnectOnceBackend",
        "connects once; when Temporal is away it answers 202 and parks work as PENDING",
        "suites/reconnect/test_late_start.py and suites/reconnect/test_restart.py: "
        "'accepted-unstartable-work' (or 'unresponsive' during the restart); "
        "suites/chaos/test_f11_api_fleet.py (an API replica frozen): 'duplicate-effect'",
    ),
    Twin(
        "accepts_before_start",
        Kind.API,
        f"{PACKAGE}.accepts_before_start:AcceptsBeforeStartBackend",
        "answers 202 once a submission is queued in memory; a background task starts it later",
        "suites/chaos/test_f11_api_fleet.py (an API replica SIGKILLed): 'lost-workflow', "
        "the 202s it answered and had not started",
    ),
    Twin(
        "foreign_worker",
        Kind.IMPOSTOR,
        f"{PACKAGE}.foreign:main",
        "another team's service (InvoiceWorkflow, charge_card) polls the worker's task queue",
        "suites/deployment/test_worker_checks.py: the doctor's ping check fails "
        "'wrong_worker', naming the poller billing-service@build-42",
    ),
    # --- 7. payload encryption -----------------------------------------------------------
    _worker(
        "seals_nothing",
        "opens sealed payloads but writes its own in plaintext (the codec on one path only)",
        f"{_C}test_history_privacy.py: 'plaintext-history'",
    ),
    _worker(
        "logs_prompts",
        "logs each prompt and LLM reply at INFO (a debugging line left in)",
        f"{_C}test_log_privacy.py: 'prompt-in-logs', quoting the lines",
    ),
    *REPLAY_TWINS,  # replay_twins.py: workflow code that no longer replays its histories
)

TWINS: dict[str, Twin] = {twin.name: twin for twin in REGISTRY}
