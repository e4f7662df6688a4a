"""Prompts and LLM replies never reach a log line.

An AI workflow's prompts and replies are its users' data. The codec keeps them out of
Temporal's history (`plaintext-history`); logs are the other place they leak, and the
worse one: shipped to a log pipeline, indexed, kept for months, read by anyone on call.
So the judge scans every log line a run's processes wrote for any prompt the fake LLM
received and any reply it sent (the fake LLM's call log has both, so this needs no
knowledge of the worker's code), in any format: text or JSON lines.

What counts as a leak: the whole prompt, its `[marker]` tag (only a prompt carries it;
ids such as `report-<marker>` do not have the brackets), the whole reply, or the reply's
`Reply <token>:` opening, which a log that truncates the reply still shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from stormproof.diagnosis import BugClass, Finding

__all__ = [
    "Exchange",
    "Leak",
    "assert_no_prompts_in_logs",
    "find_leaks",
    "secrets_of",
]

# Enough quoted lines to see the pattern; a full log would drown the message.
SHOWN = 5
LINE_CHARS = 240


class Exchange(Protocol):
    """One LLM call as the fake LLM logged it (fixtures/fake_llm/models.py LlmCall)."""

    marker: str | None
    prompt: str
    reply: str | None


class Leak(BaseModel):
    """One log line that holds a prompt or a reply, with where it was found."""

    log: str
    line_no: int
    what: str
    line: str


def secrets_of(calls: Iterable[Exchange]) -> dict[str, str]:
    """Fragment -> what it is, for every call: the texts no log line may contain."""
    found: dict[str, str] = {}
    for call in calls:
        if call.prompt.strip():
            found[call.prompt.strip()] = "prompt"
        if call.marker:
            found[f"[{call.marker}]"] = "prompt marker"
        if call.reply:
            found[call.reply.strip()] = "reply"
            head = call.reply.split(":", 1)[0]
            if head.startswith("Reply ") and len(head) > len("Reply "):
                found[f"{head}:"] = "reply opening"
    return found


def _variants(fragment: str) -> tuple[str, ...]:
    """The fragment as written raw and as a JSON string body (escaped quotes, unicode)."""
    escaped = json.dumps(fragment)[1:-1]
    return (fragment,) if escaped == fragment else (fragment, escaped)


def find_leaks(logs: Mapping[str, Path], calls: Iterable[Exchange]) -> list[Leak]:
    """Every log line that holds a prompt or a reply of `calls` (whole, or a long enough piece)."""
    secrets = {v: what for fragment, what in secrets_of(calls).items() for v in _variants(fragment)}
    leaks: list[Leak] = []
    if not secrets:
        return leaks
    for name, path in sorted(logs.items()):
        if not path.exists():
            continue
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line_no, line in enumerate(handle, 1):
                for fragment, what in secrets.items():
                    if fragment in line:
                        text = line.rstrip("\n")[:LINE_CHARS]
                        leaks.append(Leak(log=name, line_no=line_no, what=what, line=text))
                        break
    return leaks


def assert_no_prompts_in_logs(logs: Mapping[str, Path], calls: Iterable[Exchange]) -> None:
    """Fails `prompt-in-logs`, quoting the lines, when any log holds a prompt or reply."""
    calls = list(calls)
    leaks = find_leaks(logs, calls)
    if not leaks:
        return
    quoted = "\n".join(f"  {x.log}:{x.line_no} ({x.what}): {x.line}" for x in leaks[:SHOWN])
    more = f"\n  ... and {len(leaks) - SHOWN} more" if len(leaks) > SHOWN else ""
    raise Finding(
        BugClass.PROMPT_IN_LOGS,
        f"{len(leaks)} log line(s) carry a prompt or an LLM reply "
        f"(of {len(calls)} LLM call(s) scanned):\n{quoted}{more}\n"
        "fix: log ids, step names and error classes, never the payload's text",
    )
