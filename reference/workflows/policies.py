"""Every activity's timeouts and retry policy, in one place, each number with its reason.

These are constants on purpose: workflow code must be deterministic, so nothing here may
come from the environment at replay time. Activity names live here too, so workflows can
schedule activities by name without importing the activity modules (and their HTTP, PDF
and database libraries) into the workflow sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from temporalio.common import RetryPolicy


@dataclass(frozen=True)
class ActivityPolicy:
    """An activity's name plus the options `workflow.execute_activity` takes for it."""

    name: str
    start_to_close: timedelta
    retry: RetryPolicy
    heartbeat: timedelta | None = None
    schedule_to_close: timedelta | None = None

    def options(self) -> dict[str, Any]:
        return {
            "start_to_close_timeout": self.start_to_close,
            "schedule_to_close_timeout": self.schedule_to_close,
            "heartbeat_timeout": self.heartbeat,
            "retry_policy": self.retry,
        }


LLM_CALL = ActivityPolicy(
    name="llm_call",
    # The request timeout is at most 50 s (settings.MAX_LLM_TIMEOUT_SECONDS, default 30);
    # 60 s leaves room for connection setup and response parsing.
    start_to_close=timedelta(seconds=60),
    # The activity heartbeats every 5 s while waiting; 15 s without one means the worker
    # died, and the attempt is retried elsewhere instead of waiting out the 60 s.
    heartbeat=timedelta(seconds=15),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        backoff_coefficient=2.0,
        # A provider outage is not fixed by hammering; but a retry-after hint overrides this.
        maximum_interval=timedelta(seconds=30),
        # LLM calls cost money: the contract caps them at 3 attempts.
        maximum_attempts=3,
        # Retrying these can never succeed: fail the workflow at once.
        non_retryable_error_types=["LlmRequestRejected", "LlmCredentialsMissing", "InvalidRequest"],
    ),
)

SAVE_STORY_ARTIFACT = ActivityPolicy(
    name="save_story_artifact",
    # A local file write; 15 s only trips on a wedged disk.
    start_to_close=timedelta(seconds=15),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(seconds=10),
        # Idempotent and cheap, but a disk that fails 5 times is not coming back soon.
        maximum_attempts=5,
        non_retryable_error_types=["InvalidRequest"],
    ),
)

CREATE_PDF = ActivityPolicy(
    name="create_pdf",
    # Rendering a few pages takes well under a second; 30 s allows for a loaded machine.
    start_to_close=timedelta(seconds=30),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        # Rendering is deterministic: if it failed twice, a third try fails the same way.
        maximum_attempts=2,
        non_retryable_error_types=["InvalidRequest"],
    ),
)

STORE_REPORT_METADATA = ActivityPolicy(
    name="store_report_metadata",
    # Connect timeout is 5 s; one insert on top of that fits comfortably in 15 s.
    start_to_close=timedelta(seconds=15),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        backoff_coefficient=2.0,
        # Keep probing a restarting database every few seconds so the report lands soon
        # after it is back...
        maximum_interval=timedelta(seconds=5),
        # ...and give up after roughly a minute and a half of outage rather than forever.
        maximum_attempts=20,
    ),
)

SEND_NOTIFICATION = ActivityPolicy(
    name="send_notification",
    # The HTTP timeout is 10 s; 15 s covers it plus connection setup.
    start_to_close=timedelta(seconds=15),
    # A webhook receiver may be down for a deploy; keep trying for 10 minutes in total,
    # which bounds the attempts instead of a fixed count.
    schedule_to_close=timedelta(minutes=10),
    retry=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=10),
        non_retryable_error_types=["NotificationRejected", "NotificationNotConfigured"],
    ),
)

# The chat session's tool: the same webhook post, but a turn waits for it, so it gives up
# sooner (2 minutes) and the turn is answered with the failure.
POST_CHAT_TOOL = replace(
    SEND_NOTIFICATION, name="post_chat_tool", schedule_to_close=timedelta(minutes=2)
)
