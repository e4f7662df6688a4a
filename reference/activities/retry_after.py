"""Turn a server's Retry-After hint into the delay Temporal waits before the next attempt.

Both the LLM and the webhook may answer "slow down, try again in N". Temporal owns the
retries, so the hint is handed to it as `ApplicationError.next_retry_delay`, which replaces
the policy's backoff for that one attempt. Hammering a rate-limited server on the
policy's 1 s schedule is exactly the behaviour the suite's ignores_retry_after control
exhibits.
"""

from __future__ import annotations

import math
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
        delay = _finite_delay(raw_ms, scale=0.001)
    if delay is None and (raw := lowered.get("retry-after")) is not None:
        delay = _parse_seconds_or_date(raw.strip(), now or datetime.now(UTC))
    if delay is None or delay < timedelta(0):
        return None
    return min(delay, MAX_HONOURED_DELAY)


def _finite_delay(raw: str, scale: float) -> timedelta | None:
    """`raw` as a number of units of `scale` seconds; None unless it is a finite number.

    A huge value is clamped here, before timedelta would overflow on it (`1e15` seconds),
    and `inf`/`nan` are not a delay at all, so the error keeps its type and its retry.
    """
    try:
        seconds = float(raw) * scale
    except ValueError:
        return None
    if not math.isfinite(seconds):
        return None
    return timedelta(seconds=min(seconds, MAX_HONOURED_DELAY.total_seconds() + 1))


def _parse_seconds_or_date(raw: str, now: datetime) -> timedelta | None:
    if (delay := _finite_delay(raw, scale=1.0)) is not None:
        return delay
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))
