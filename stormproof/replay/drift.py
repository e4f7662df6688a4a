"""The guard: a history recorded now must equal the committed one, after scrubbing.

Replay alone misses changes the SDK does not check, such as a timer's duration or an
activity's timeout or retry policy: the old history still replays, yet new runs behave
differently. Comparing a fresh recording with the committed file catches those too
(the approach of temporalio/features' history checks), and the diff shows the change.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stormproof.replay.histories import dumps

HEADLINE = "history changed: re-record with `stormproof record-histories` if intended"
MAX_DIFF_LINES = 60


def history_diff(name: str, committed: dict[str, Any], fresh: dict[str, Any]) -> str:
    """A unified diff of the two indented files, or "" when they are equal."""
    if committed == fresh:
        return ""
    lines = list(
        difflib.unified_diff(
            dumps(committed).splitlines(),
            dumps(fresh).splitlines(),
            fromfile=f"{name} (committed)",
            tofile=f"{name} (recorded now)",
            n=4,
            lineterm="",
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"... {len(lines) - MAX_DIFF_LINES} more diff lines"]
    return "\n".join(lines)


def drift_report(
    committed: Mapping[str, dict[str, Any] | None], fresh: Mapping[str, dict[str, Any]]
) -> str:
    """ "" when every fresh history equals its committed file; else the headline and diffs.

    Keys are file names; a None committed value means the file does not exist yet.
    """
    parts: list[str] = []
    for name in sorted(fresh):
        old = committed.get(name)
        if old is None:
            parts.append(f"{name}: no committed file yet")
            continue
        diff = history_diff(name, old, fresh[name])
        if diff:
            parts.append(diff)
    return "\n\n".join([HEADLINE, *parts]) if parts else ""


def read_committed(path: Path) -> dict[str, Any] | None:
    """The committed history at `path` as JSON, or None when there is none."""
    return json.loads(path.read_text()) if path.is_file() else None
