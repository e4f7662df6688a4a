"""History files: scrubbing run-specific fields, and loading files with errors that name them.

Committed files are exactly what `temporal workflow show -o json` writes (`{"events":
[...]}`). Loading accepts every export form a team may have (formats.py normalises them
once), so a team's exported histories and ours load the same way; a file that cannot be
judged raises CannotJudge with the cause and the fix.

Scrubbing replaces what differs between two recordings of the same code (times, task and
run ids, identities, sticky queue names, build ids, ports, temp paths, stack traces) with
stable placeholders, so a committed file only changes when the workflow's behaviour does.
Nothing the Replayer checks is touched: event types and ids, commands' attributes,
payloads (only temp paths inside JSON payloads are rewritten) and SDK flags all stay.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio.client import WorkflowHistory

from stormproof.replay import proto
from stormproof.replay.formats import EXPORT_FIX, Normalised, normalise, read
from stormproof.replay.verdicts import CannotJudge

EPOCH = "1970-01-01T00:00:00Z"
_JSON_PLAIN = base64.b64encode(b"json/plain").decode()
_PORT = re.compile(r"\b(127\.0\.0\.1|localhost|\[::1\]):\d+")
_TIME_KEY = re.compile(r"(^eventTime$|Time$)")

# key -> placeholder; run-specific whatever the event.
_PLACEHOLDERS: dict[str, str] = {
    "taskId": "0",
    "identity": "<identity>",
    "requestId": "<request-id>",
    "historySizeBytes": "0",
    "buildId": "<build-id>",
    "binaryChecksum": "<build-id>",
    "sdkVersion": "<sdk-version>",
    "stackTrace": "",
    "originalExecutionRunId": "<run-id>",
    "firstExecutionRunId": "<run-id>",
    "continuedExecutionRunId": "<run-id>",
    "newExecutionRunId": "<run-id>",
    "runId": "<run-id>",
}
# Sets the server stores in whatever order the worker sent them: sorted, so order is stable.
_UNORDERED = {"coreUsedFlags", "langUsedFlags"}


class HistoryFile(BaseModel):
    """One loaded history: where it came from, its workflow type, the parsed history, and
    the normalised JSON (its payloads, SDK flags and notes feed the verdict)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: Path
    workflow_type: str
    history: WorkflowHistory
    normalised: Normalised


def _scrub_string(value: str, replacements: Mapping[str, str]) -> str:
    for old, new in replacements.items():
        value = value.replace(old, new)
    return _PORT.sub(r"\1:<port>", value)


def _scrub_payload(payload: dict[str, Any], replacements: Mapping[str, str]) -> dict[str, Any]:
    """Rewrite temp paths and ports inside a JSON payload, keeping its bytes otherwise."""
    if payload.get("metadata", {}).get("encoding") != _JSON_PLAIN or "data" not in payload:
        return payload
    text = base64.b64decode(payload["data"]).decode()
    scrubbed = _scrub_string(text, replacements)
    return {**payload, "data": base64.b64encode(scrubbed.encode()).decode()}


def _scrub(value: Any, replacements: Mapping[str, str], key: str = "") -> Any:
    if isinstance(value, dict):
        if "metadata" in value and "data" in value:
            return _scrub_payload(value, replacements)
        if value.get("kind") == "TASK_QUEUE_KIND_STICKY":
            return {**value, "name": "<sticky-queue>"}
        return {k: _scrub(v, replacements, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_scrub(v, replacements, key) for v in value]
        return sorted(items) if key in _UNORDERED else items
    if key in _PLACEHOLDERS:
        return _PLACEHOLDERS[key]
    if isinstance(value, str):
        if _TIME_KEY.search(key) and value.endswith("Z"):
            return EPOCH
        return _scrub_string(value, replacements)
    return value


def scrub(history: dict[str, Any], replacements: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`history` (parsed `{"events": [...]}`) with run-specific values made stable.

    `replacements` maps run-specific strings (the recorder's temp dir) to placeholders;
    they are replaced everywhere, including inside JSON payloads.
    """
    ordered = dict(sorted((replacements or {}).items(), key=lambda kv: -len(kv[0])))
    return _scrub(history, ordered)


def payload_texts(value: Any) -> list[str]:
    """Every JSON payload in `value`, decoded: where temp paths would hide from a grep."""
    if isinstance(value, dict):
        if value.get("metadata", {}).get("encoding") == _JSON_PLAIN and "data" in value:
            return [base64.b64decode(value["data"]).decode()]
        return [text for v in value.values() for text in payload_texts(v)]
    if isinstance(value, list):
        return [text for v in value for text in payload_texts(v)]
    return []


def dumps(history: dict[str, Any]) -> str:
    """The committed form: indented, key order as the SDK writes it, newline at the end."""
    return json.dumps(history, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, history: dict[str, Any]) -> None:
    """Write a history as the committed files are written (stable key order, a final
    newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(history))


class Unreplayable:
    """Stands in for the files of a --replay-dir that cannot be listed; the test fails."""

    def __init__(self, message: str) -> None:
        self.message = message


def parse(normalised: Normalised, name: str) -> WorkflowHistory:
    """The SDK's history object for normalised JSON; `name` stands in for a missing id."""
    try:
        events = proto.events(normalised.data)
    except Exception as exc:  # protobuf's ParseError and friends: not part of our API
        raise CannotJudge(f"Temporal cannot parse it: {exc}", EXPORT_FIX) from None
    return WorkflowHistory(normalised.workflow_id or name, events)


def prepare(data: Any, name: str) -> tuple[Normalised, WorkflowHistory]:
    """Normalise parsed JSON of any export form and parse it, or raise CannotJudge."""
    normalised = normalise(data)
    return normalised, parse(normalised, name)


def load(path: Path) -> HistoryFile:
    """One exported history in any form, or CannotJudge with the cause and the fix."""
    normalised, history = prepare(read(path), path.name.split(".")[0])
    return HistoryFile(
        path=path, workflow_type=normalised.workflow_type, history=history, normalised=normalised
    )


def history_files(folder: Path) -> list[Path]:
    """Every `*.json` and `*.gz` under `folder`, sorted; CannotJudge if there are none."""
    if not folder.is_dir():
        raise CannotJudge(
            "--replay-dir is not a directory",
            "pass --replay-dir a folder of exported histories "
            "(`temporal workflow show --workflow-id ID -o json > DIR/ID.json`)",
        )
    found = sorted({*folder.rglob("*.json"), *folder.rglob("*.gz")})
    if not found:
        raise CannotJudge(
            "no *.json (or *.gz) history files in it, so there is nothing to replay",
            "export some with `temporal workflow show --workflow-id ID -o json > "
            f"{folder}/ID.json`, or point --replay-dir at the folder that holds them",
        )
    return found


def relative(path: Path, roots: Iterable[Path]) -> str:
    """`path` relative to the first root containing it, for short test ids and messages."""
    for root in roots:
        if path.is_relative_to(root):
            return str(path.relative_to(root))
    return str(path)
