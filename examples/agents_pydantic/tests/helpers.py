"""What the support-triage app's tests share: its adapter's name, its workflows' spec, its
twins' commands, and how a recorded history is made comparable.

Suite-layer code: it reads the world and the judge, never the app (the app is started as
worker processes; its workflow classes are loaded by `module:attr`, as the replayer loads
any).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from stormproof.replay import payload_texts, scrub

ADAPTER = "examples.agents_pydantic.stormproof_adapter"
WORKFLOWS = "examples.agents_pydantic.workflows:WORKFLOWS"
HISTORIES = Path(__file__).resolve().parent.parent / "histories"
RECORD = "AGENTS_PYDANTIC_RECORD_HISTORIES"
# Run-specific values inside Pydantic AI's payloads, each replaced by a value still valid for
# its type: the model's tool call ids (a hash of the request, which carries the marker), the
# fake LLM's response ids, Pydantic AI's run ids (the workflow's random), the messages' times.
VOLATILE = {
    re.compile(r"call_[0-9a-f]{24}"): "call_{n:024d}",
    re.compile(r"chatcmpl-[0-9A-Za-z]{8,}"): "chatcmpl-{n:08d}",
    re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"): (
        "00000000-0000-4000-8000-{n:012d}"
    ),
    re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)"): (
        "1970-01-01T00:00:00Z"
    ),
}


def twin_argv(name: str) -> list[str]:
    """The worker command of the broken twin `examples/agents_pydantic/broken/<name>.py`."""
    return [sys.executable, "-m", f"examples.agents_pydantic.broken.{name}"]


def scrubbed(history: dict[str, Any], marker: str, tag: str) -> dict[str, Any]:
    """`history` as committed: the run's tag and marker, and each VOLATILE value (numbered in
    order of appearance, so two recordings number them alike), replaced."""
    found: dict[str, str] = {marker: "sp-000000000000", tag: "<tag>"}
    texts = "\n".join(payload_texts(history))
    for pattern, template in VOLATILE.items():
        for value in dict.fromkeys(pattern.findall(texts)):
            found.setdefault(value, template.format(n=len(found)))
    clean = scrub(history, found)
    # scrub() keeps a sticky queue's normalName, which carries this run's queue name.
    return json.loads(json.dumps(clean).replace(tag, "<tag>"))


def shape(history: dict[str, Any] | None) -> dict[str, Any] | None:
    """The history without its payloads' bytes: every event, activity type, timeout and
    retry policy, which is what a code change must not move unnoticed. Pydantic AI's own
    payloads (the messages, the run context) carry values no scrub makes stable (the order
    of a set of tool names, object ids), so the drift guard compares this."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            if "metadata" in value and "data" in value:
                return {**value, "data": "<payload>"}
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return None if history is None else strip(history)
