"""Every export form of a workflow history, normalised once into the CLI's current JSON.

Teams export histories with whatever they have at hand, and each tool wrote its own JSON:
- the CLI today: `{"events": [...]}`, camelCase fields, `EVENT_TYPE_...` enum names;
- older exports (tctl, early Web UI): PascalCase enums (`WorkflowExecutionStarted`);
- UPPER_CASE enums without their prefix (`WORKFLOW_EXECUTION_STARTED`);
- integer enums (`"eventType": 1`), as protobuf writes them when asked to;
- snake_case fields (`event_id`), as protobuf writes them with the proto names kept;
- explicit nulls for unset fields (`"parentWorkflowExecution": null`), as exports from
  other languages' JSON writers have them, and which protobuf (so the SDK) reads as unset;
- the Web UI's Download, raw or with decoded payloads (ui_payloads.py re-encodes those);
- a bare list of events, or the API's `{"history": {"events": [...]}}` response;
- events in reverse order (a descending export);
- any of these gzip'd.

The SDK parses some of these and silently mangles others: an enum it cannot map becomes
"unspecified", and replay then reports a divergence in code that is fine. So the file is
rewritten here, once, into the one form the SDK reads exactly, by walking the History
protobuf's own descriptors: every field, map and enum of the API is covered, not a
hand-kept list. What cannot be made sound, and what the SDK's core would refuse
(structure.py), is a CannotJudge naming the event and the fix.
"""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from temporalio.api.history.v1 import HistoryEvent

from stormproof.replay import structure
from stormproof.replay.structure import EXPORT_FIX
from stormproof.replay.ui_payloads import PAYLOAD_MESSAGE, decoded_payload
from stormproof.replay.verdicts import CannotJudge

# Payloads under these fields never pass through a payload codec (the SDK's default
# header behaviour; search attributes are indexed by the server), so they are not checked.
_OUTSIDE_CODEC = {"header", "search_attributes"}
_GZIP_MAGIC = b"\x1f\x8b"
_NULL_VALUES = {"google.protobuf.Value", "google.protobuf.NullValue"}


@dataclass
class Normalised:
    """A history in the CLI's current JSON, and what was learnt on the way there."""

    data: dict[str, Any]
    workflow_type: str
    workflow_id: str
    notes: list[str] = field(default_factory=list)
    # Payloads a codec may have written: (event id, payload as JSON) for the preflight check.
    payloads: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    core_flags: set[int] = field(default_factory=set)
    completed_tasks: int = 0


@dataclass
class _Walk:
    event_id: int = 0
    outside_codec: int = 0
    notes: set[str] = field(default_factory=set)
    payloads: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def read(path: Path) -> Any:
    """The parsed JSON of `path`, gunzipped first when it is gzip'd (whatever its name)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CannotJudge(f"the file cannot be read: {exc.strerror}", "check the path") from None
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise CannotJudge(f"it is gzip'd but cannot be unpacked ({exc})", EXPORT_FIX) from None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CannotJudge("it is not UTF-8 text, so not a JSON export", EXPORT_FIX) from None
    except json.JSONDecodeError as exc:
        raise CannotJudge(
            f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})", EXPORT_FIX
        ) from None


def _squash(name: str) -> str:
    """One spelling for snake_case, camelCase, PascalCase and UPPER_CASE names."""
    return name.replace("_", "").lower()


@cache
def _fields(desc: Descriptor) -> dict[str, FieldDescriptor]:
    found: dict[str, FieldDescriptor] = {}
    for f in desc.fields:
        found[f.json_name] = found[f.name] = found[_squash(f.name)] = f
    return found


@cache
def _enum_values(enum: EnumDescriptor) -> tuple[str, dict[str, str]]:
    """The enum's common prefix (`EVENT_TYPE_`) and squashed short name -> full name."""
    names = [v.name for v in enum.values]
    prefix = names[0]
    for name in names[1:]:
        while not name.startswith(prefix):
            prefix = prefix[:-1]
    prefix = prefix[: prefix.rfind("_") + 1] if len(names) > 1 else ""
    return _squash(prefix), {_squash(n.removeprefix(prefix)): n for n in names}


def _enum(value: Any, f: FieldDescriptor, walk: _Walk) -> str:
    enum = f.enum_type
    if isinstance(value, int) and not isinstance(value, bool):
        known = enum.values_by_number.get(value)
        if known is not None:
            return known.name
    elif isinstance(value, str):
        prefix, table = _enum_values(enum)
        squashed = _squash(value)
        short = squashed[len(prefix) :] if squashed.startswith(prefix) else squashed
        if short in table or squashed in table:
            return table.get(short) or table[squashed]
    raise CannotJudge(
        f"event {walk.event_id}: {f.json_name} is {value!r}, not a {enum.name} this SDK knows",
        f"{EXPORT_FIX}; if the server is newer than the SDK, upgrade temporalio",
    )


def _single(value: Any, f: FieldDescriptor, walk: _Walk, in_map: bool = False) -> Any:
    if f.type == FieldDescriptor.TYPE_ENUM:
        return _enum(value, f, walk)
    if f.type != FieldDescriptor.TYPE_MESSAGE:
        return value
    full_name = f.message_type.full_name
    if full_name.startswith("google.protobuf."):  # Duration, Timestamp...: JSON as is
        return value
    if full_name == PAYLOAD_MESSAGE:
        payload = decoded_payload(value, f"event {walk.event_id}", in_map, walk.notes)
        if not walk.outside_codec:
            walk.payloads.append((walk.event_id, payload))
        return payload
    return _message(value, f.message_type, walk)


def _field(value: Any, f: FieldDescriptor, walk: _Walk) -> Any:
    entry = f.message_type
    if entry is not None and entry.GetOptions().map_entry:
        if not isinstance(value, dict):
            raise _shape(walk, f.json_name, "an object", value)
        inner = entry.fields_by_name["value"]
        return {k: _single(v, inner, walk, in_map=True) for k, v in value.items()}
    if f.is_repeated:
        if not isinstance(value, list):
            raise _shape(walk, f.json_name, "a list", value)
        return [_single(v, f, walk) for v in value]
    return _single(value, f, walk)


def _shape(walk: _Walk, name: str, expected: str, value: Any) -> CannotJudge:
    found = type(value).__name__
    cause = f"event {walk.event_id}: {name} is a JSON {found}, not {expected}"
    return CannotJudge(cause, EXPORT_FIX)


def _holds_null(f: FieldDescriptor) -> bool:
    """True for the two fields whose JSON null is a value (google.protobuf.Value and
    NullValue); any other field written as null is unset."""
    kind = f.message_type or f.enum_type
    return kind is not None and kind.full_name in _NULL_VALUES


def _message(value: Any, desc: Descriptor, walk: _Walk) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _shape(walk, desc.name, "an object", value)
    known = _fields(desc)
    out: dict[str, Any] = {}
    for key, item in value.items():
        f = known.get(key) or known.get(_squash(key))
        if f is None:  # a field from a newer API: kept, and the parser skips it
            out[key] = item
            continue
        if item is None and not _holds_null(f):
            continue  # JSON null is an unset field, as protobuf (and so the SDK) reads it
        outside = f.name in _OUTSIDE_CODEC
        walk.outside_codec += outside
        out[f.json_name] = _field(item, f, walk)
        walk.outside_codec -= outside
    return out


def _events_of(data: Any) -> list[Any]:
    if isinstance(data, dict) and isinstance(data.get("history"), dict):
        data = data["history"]  # the API's GetWorkflowExecutionHistory response
    events = data.get("events") if isinstance(data, dict) else data
    if isinstance(events, list) and events:
        return events
    shape = f"a JSON {type(data).__name__}"
    if isinstance(data, dict):
        shape += f" with keys {sorted(data)[:6]}"
    elif isinstance(data, list):
        shape = "an empty list"
    raise CannotJudge(
        "not a Temporal workflow history: expected an object with a non-empty 'events' "
        f"list (or a list of events), found {shape}",
        f"{EXPORT_FIX}, or remove it from the directory",
    )


def _event(raw: Any, index: int, walk: _Walk) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CannotJudge(f"event #{index + 1} is a JSON {type(raw).__name__}", EXPORT_FIX)
    fields = _fields(HistoryEvent.DESCRIPTOR)
    if not any(k in fields or _squash(k) in fields for k in raw):
        raise CannotJudge(
            f"event #{index + 1} has none of a HistoryEvent's fields (keys {sorted(raw)[:6]})",
            EXPORT_FIX,
        )
    ident = raw.get("eventId", raw.get("event_id", raw.get("EventId")))
    try:
        walk.event_id = int(ident)
    except (TypeError, ValueError):
        raise CannotJudge(f"event #{index + 1} has no event id ({ident!r})", EXPORT_FIX) from None
    event = _message(raw, HistoryEvent.DESCRIPTOR, walk)
    structure.event_type(event, walk.event_id)
    return event


def normalise(data: Any) -> Normalised:
    """`data` (parsed JSON of any export form) as the CLI's current JSON, or CannotJudge."""
    walk = _Walk()
    events = [_event(raw, i, walk) for i, raw in enumerate(_events_of(data))]
    notes: list[str] = []
    events = structure.in_order(events, notes)
    started = structure.started_attributes(events[0])
    result = Normalised(
        data={"events": events},
        workflow_type=str(started["workflowType"]["name"]),
        workflow_id=str(started.get("workflowId") or ""),
        notes=notes + sorted(walk.notes),
        payloads=walk.payloads,
    )
    for event in events:
        completed = event.get("workflowTaskCompletedEventAttributes")
        if completed is not None:
            result.completed_tasks += 1
            flags = (completed.get("sdkMetadata") or {}).get("coreUsedFlags") or []
            result.core_flags.update(int(f) for f in flags)
    return result
