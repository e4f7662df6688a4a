"""History files: scrubbing run-specific fields, and loading files with errors that name them.

The files are exactly what `temporal workflow show -o json` and the Web UI's download
write (`{"events": [...]}`), so a team's exported histories and ours load the same way.

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


class HistoryFileError(Exception):
    """A file that cannot be replayed; the message names the file and the fix."""


class HistoryFile(BaseModel):
    """One loaded history file: where it came from, its workflow type, the parsed history."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: Path
    workflow_type: str
    history: WorkflowHistory


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
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(history))


def _workflow_type(path: Path, data: Any) -> str:
    fix = (
        "fix: export it with `temporal workflow show --workflow-id ID -o json > FILE` "
        "or the Web UI's Download, or remove it from the directory"
    )
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or not events:
        shape = f"a JSON {type(data).__name__}"
        if isinstance(data, dict):
            shape += f" with keys {sorted(data)[:6]}"
        raise HistoryFileError(
            f"{path}: not a Temporal workflow history: expected an object with a non-empty "
            f"'events' list, found {shape}; {fix}"
        )
    first = events[0] if isinstance(events[0], dict) else {}
    started = first.get("workflowExecutionStartedEventAttributes")
    name = (started or {}).get("workflowType", {}).get("name")
    if not name:
        raise HistoryFileError(
            f"{path}: not a complete workflow history: its first event is "
            f"{first.get('eventType', 'not an event')!r}, not WorkflowExecutionStarted "
            f"with a workflow type; {fix}"
        )
    return str(name)


class Unreplayable:
    """Stands in for the files of a --replay-dir that cannot be listed; the test fails."""

    def __init__(self, message: str) -> None:
        self.message = message


def load(path: Path) -> HistoryFile:
    """Parse one exported history, or raise HistoryFileError naming the file and the fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HistoryFileError(f"{path}: cannot be read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HistoryFileError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            "fix: re-export it with `temporal workflow show --workflow-id ID -o json`"
        ) from None
    workflow_type = _workflow_type(path, data)
    try:
        history = WorkflowHistory.from_json(path.stem, data)
    except Exception as exc:  # protobuf's ParseError and friends: not part of our API
        raise HistoryFileError(
            f"{path}: looks like a history but Temporal cannot parse it: "
            f"{type(exc).__name__}: {exc}; fix: re-export it with "
            "`temporal workflow show --workflow-id ID -o json`"
        ) from None
    return HistoryFile(path=path, workflow_type=workflow_type, history=history)


def history_files(folder: Path) -> list[Path]:
    """Every `*.json` under `folder`, sorted; an error naming the folder if there are none."""
    if not folder.is_dir():
        raise HistoryFileError(
            f"{folder}: not a directory; fix: pass --replay-dir a folder of exported "
            "histories (`temporal workflow show --workflow-id ID -o json > DIR/ID.json`)"
        )
    found = sorted(folder.rglob("*.json"))
    if not found:
        raise HistoryFileError(
            f"{folder}: no *.json history files in it, so there is nothing to replay; fix: "
            "export some with `temporal workflow show --workflow-id ID -o json > "
            f"{folder}/ID.json`, or point --replay-dir at the folder that holds them"
        )
    return found


def relative(path: Path, roots: Iterable[Path]) -> str:
    """`path` relative to the first root containing it, for short test ids and messages."""
    for root in roots:
        if path.is_relative_to(root):
            return str(path.relative_to(root))
    return str(path)
