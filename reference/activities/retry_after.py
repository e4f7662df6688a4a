"""Turn a server's Retry-After hint into the delay Temporal waits before the next attempt.

Both the LLM and the webhook may answer "slow down, try again in N". Temporal owns the
retries, so the hint is handed to it as `ApplicationError.next_retry_delay`, which replaces
the policy's backoff for that one attempt. Hammering a rate-limited server on the
policy's 1 s schedule is exactly the behaviour the suite's ignores_retry_after control
exhibits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

# A hint longer than this is clamped: an hour-long Retry-After would otherwise park the
# workflow silently; a few minutes is long enough to let a real rate limit clear.
MAX_HONOURED_DELAY = timedelta(minutes=5)


def parse_retry_after(headers: Mapping[str, str], now: datetime | None = None) -> timedelta | None:
    """Return the delay asked for by `retry-after-ms` or `retry-after`, or None.

    `retry-after-ms` (OpenAI's millisecond variant) wins because it is more precise;
    `retry-after` may be seconds or an HTTP date. Unparseable or negative values are
    ignored rather than trusted.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    delay: timedelta | None = None
    if (raw_ms := lowered.get("retry-after-ms")) is not None:
        try:
            delay = timedelta(milliseconds=float(raw_ms))
        except ValueError:
            delay = None
    if delay is None and (raw := lowered.get("retry-after")) is not None:
        delay = _parse_seconds_or_date(raw.strip(), now or datetime.now(UTC))
    if delay is None or delay < timedelta(0):
        return None
    return min(delay, MAX_HONOURED_DELAY)


def _parse_seconds_or_date(raw: str, now: datetime) -> timedelta | None:
    try:
        return timedelta(seconds=float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))
