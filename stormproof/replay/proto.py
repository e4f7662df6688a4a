"""Normalised history JSON into the SDK's protobuf events, faster than json_format.

`json_format.ParseDict` checks every field in Python and took a tenth of the time to judge
an exported history, which counts when a folder holds thousands (bench/replay.py). The
JSON here is already normalised (formats.py: camelCase names, full enum names), so each
value is converted by its field's type and the message is built by protobuf's C
constructor from nested keyword dicts. Anything unexpected falls back to ParseDict, which
gives the exact error.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from functools import cache
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp
from temporalio.api.history.v1 import History, HistoryEvent

_INTEGERS = {
    FieldDescriptor.TYPE_INT64,
    FieldDescriptor.TYPE_UINT64,
    FieldDescriptor.TYPE_SINT64,
    FieldDescriptor.TYPE_FIXED64,
    FieldDescriptor.TYPE_SFIXED64,
    FieldDescriptor.TYPE_INT32,
    FieldDescriptor.TYPE_UINT32,
    FieldDescriptor.TYPE_SINT32,
    FieldDescriptor.TYPE_FIXED32,
    FieldDescriptor.TYPE_SFIXED32,
}
_FLOATS = {FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _Unexpected(Exception):
    """A value this fast path does not convert; ParseDict takes over."""


@cache
def _by_json_name(desc: Descriptor) -> dict[str, FieldDescriptor]:
    return {f.json_name: f for f in desc.fields}


def _well_known(value: Any, full_name: str) -> Any:
    if full_name == "google.protobuf.Duration":
        duration = Duration()
        duration.FromJsonString(value)
        return duration
    if full_name == "google.protobuf.Timestamp":
        return _timestamp(value)
    raise _Unexpected(full_name)


def _timestamp(text: str) -> Timestamp:
    """RFC 3339 in UTC (`2026-01-02T03:04:05.123456789Z`, as exports write every event's
    time) without strptime, which protobuf's own parser calls and which is slow."""
    whole, _, fraction = text.removesuffix("Z").partition(".")
    if not text.endswith("Z") or (not fraction.isdigit() and fraction):
        stamp = Timestamp()
        stamp.FromJsonString(text)  # an offset or an odd form: the exact parser
        return stamp
    moment = datetime.fromisoformat(whole).replace(tzinfo=UTC)
    seconds = int((moment - _EPOCH).total_seconds())
    return Timestamp(seconds=seconds, nanos=int(fraction[:9].ljust(9, "0")) if fraction else 0)


def _scalar(value: Any, f: FieldDescriptor) -> Any:
    kind = f.type
    if kind == FieldDescriptor.TYPE_MESSAGE:
        full_name = f.message_type.full_name
        if full_name.startswith("google.protobuf."):
            return _well_known(value, full_name)
        return _kwargs(value, f.message_type)
    if kind == FieldDescriptor.TYPE_ENUM:
        return f.enum_type.values_by_name[value].number
    if kind in _INTEGERS:
        return int(value)
    if kind == FieldDescriptor.TYPE_BYTES:
        return base64.b64decode(value)
    if kind in _FLOATS:
        return float(value)
    return value


def _kwargs(value: dict[str, Any], desc: Descriptor) -> dict[str, Any]:
    fields = _by_json_name(desc)
    out: dict[str, Any] = {}
    for key, item in value.items():
        f = fields.get(key)
        if f is None:
            continue  # a field from a newer API: ignored, as ParseDict is told to
        entry = f.message_type
        if entry is not None and entry.GetOptions().map_entry:
            key_field = entry.fields_by_name["key"]
            inner = entry.fields_by_name["value"]
            out[f.name] = {_scalar(k, key_field): _scalar(v, inner) for k, v in item.items()}
        elif f.is_repeated:
            out[f.name] = [_scalar(v, f) for v in item]
        else:
            out[f.name] = _scalar(item, f)
    return out


def events(data: dict[str, Any]) -> list[HistoryEvent]:
    """The protobuf events of normalised history JSON (`{"events": [...]}`)."""
    try:
        return [HistoryEvent(**_kwargs(e, HistoryEvent.DESCRIPTOR)) for e in data["events"]]
    except (_Unexpected, KeyError, TypeError, ValueError, AttributeError):
        history = json_format.ParseDict(data, History(), ignore_unknown_fields=True)
        return list(history.events)
