"""The registry's retry twins: workers that retry what the contract says is final, give up
on what it says is transient, or misread a retry hint, each with the check that must
reject it. Kept apart from registry.py only for length; registry.REGISTRY lists them with
the others, in docs/CONTRACT.md's order (sections 2 and 3)."""

from __future__ import annotations

from stormproof.reference.broken.twin import Twin
from stormproof.reference.broken.twin import served_twin as _served
from stormproof.reference.broken.twin import worker_twin as _worker

_C = "suites/conformance/"
_CHAOS = "suites/chaos/test_negative_control.py: verdict invalid"

RETRY_TWINS: tuple[Twin, ...] = (
    _worker(
        "sdk_retries",
        "the openai client keeps max_retries=2: SDK retries stack on Temporal's",
        f"{_C}test_retries_exhausted.py: 'wasted-llm-call'; {_CHAOS}, wasted LLM calls >= 1",
    ),
    _served(
        "pdf_retried_too_often",
        "RetriesPdfFiveTimes",
        "create_pdf may take 5 attempts where the contract allows 2",
        f"{_C}test_retries_exhausted.py: 'retry-budget'",
    ),
    _worker(
        "ignores_retry_after",
        "retryable LLM errors carry no next_retry_delay: Retry-After is ignored",
        f"{_C}test_llm_rate_limit.py: 'retry-hint-ignored', too early",
    ),
    _worker(
        "retry_after_ms_as_seconds",
        "reads retry-after-ms as seconds: a 12.5 s hint becomes 5 minutes (its cap)",
        f"{_C}test_llm_rate_limit.py: 'retry-hint-ignored', too late",
    ),
    _worker(
        "gives_up_on_llm_5xx",
        "an LLM 503 fails the step instead of being retried",
        f"{_C}test_llm_transient.py: 'retry-classification'",
    ),
    _worker(
        "gives_up_on_llm_unreachable",
        "a refused or reset connection to the LLM fails the step instead of being retried",
        f"{_C}test_llm_unreachable.py: 'retry-classification'",
    ),
    _worker(
        "retries_llm_4xx",
        "every LLM error status is retried, a 400 too",
        f"{_C}test_llm_rejected.py: 'retry-classification'",
    ),
    _worker(
        "retries_webhook_4xx",
        "every webhook error status is retried, a 422 too",
        f"{_C}test_notification.py: 'retry-classification'",
    ),
    _worker(
        "gives_up_on_webhook_5xx",
        "a webhook 5xx fails the workflow instead of being retried",
        f"{_C}test_notification.py: 'retry-classification'",
    ),
    _worker(
        "gives_up_on_webhook_reset",
        "a connection the webhook reset (or refused) fails the workflow instead of a retry",
        f"{_C}test_notification.py: 'retry-classification'",
    ),
    _worker(
        "gives_up_on_webhook_429",
        "a webhook 429 is taken for a 4xx: only a 5xx is retried, a 429 fails the workflow",
        f"{_C}test_notification.py: 'retry-classification'",
    ),
    _worker(
        "gives_up_on_webhook_refused",
        "a refused webhook connection is read as a wrong URL: the workflow fails at once",
        f"{_C}test_notification.py: 'retry-classification'",
    ),
    _worker(
        "gives_up_on_llm_malformed",
        "an LLM reply that is not a chat completion is taken for a rejected request: final",
        f"{_C}test_llm_transient.py: 'retry-classification'",
    ),
    _worker(
        "gives_up_on_postgres_reset",
        "a PostgreSQL connection dropped mid-statement (OperationalError) fails the step for good",
        f"{_C}test_postgres_faults.py: 'retry-classification'",
    ),
    _worker(
        "gives_up_on_silent_postgres",
        "a statement PostgreSQL leaves unanswered for 3 s fails the step for good",
        f"{_C}test_postgres_faults.py: 'retry-classification'",
    ),
)
