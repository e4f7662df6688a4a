"""Payloads as the Web UI's "decoded" Download writes them, turned back into real payloads.

A payload in history is `{"metadata": {"encoding": <base64>}, "data": <base64>}`. The
Web UI can download a history with its payloads decoded for reading: metadata as plain
text and `data` as the JSON value itself (`{"metadata": {"encoding": "json/plain"},
"data": {"prompt": "..."}}`); older UIs kept only the value. The SDK parses neither
correctly: the payload comes out empty, and replay then reports a divergence in code
that is fine.

Re-encoding is sound when the payload said how it was encoded and that encoding is JSON
(`json/plain`, `json/protobuf`) or `binary/null`: writing the value back as JSON gives
bytes the data converter reads as the same value. Anything else (binary data, a bare
value whose encoding the UI dropped) cannot be rebuilt, and the message says exactly why.
Memo, header and search-attribute values are written by the SDKs as `json/plain`, so a
bare value there is re-encoded as such.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from stormproof.replay.verdicts import CannotJudge

PAYLOAD_MESSAGE = "temporal.api.common.v1.Payload"
REENCODED = (
    "its payloads were decoded by the Web UI download: re-encoded them as the JSON "
    "converter writes them"
)
_ENCODING_NAME = re.compile(r"[\w.+-]+/[\w.+-]+")
_JSON_ENCODINGS = {"json/plain", "json/protobuf"}
_DOWNLOAD_FIX = (
    "download it again with payloads left encoded (the Web UI's Download without "
    "decoding), or export it with `temporal workflow show --workflow-id ID -o json`"
)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _is_raw(payload: dict[str, Any]) -> bool:
    """True when `payload` is as the server stores it: base64 metadata and data."""
    metadata = payload.get("metadata")
    if not isinstance(metadata, dict):
        return False
    encoding = metadata.get("encoding")
    if encoding is None:
        data = payload.get("data", "")
        return isinstance(data, str) and _decodes(data) is not None
    text = _decodes(encoding) if isinstance(encoding, str) else None
    return text is not None and _ENCODING_NAME.fullmatch(text) is not None


def _decodes(value: str) -> str | None:
    try:
        return base64.b64decode(value, validate=True).decode("ascii")
    except (binascii.Error, ValueError):
        return None


def _encode(value: Any, metadata: dict[str, str], where: str) -> dict[str, Any]:
    encoding = metadata.get("encoding", "")
    if encoding in _JSON_ENCODINGS:
        data = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    elif encoding == "binary/null" and value is None:
        data = b""
    else:
        raise CannotJudge(
            f"the payloads were decoded by the UI download: {where} has a payload decoded "
            f"from {encoding!r}, whose original bytes cannot be rebuilt from the decoded text",
            _DOWNLOAD_FIX,
        )
    return {"metadata": {k: _b64(v.encode()) for k, v in metadata.items()}, "data": _b64(data)}


def decoded_payload(value: Any, where: str, in_map: bool, notes: set[str]) -> dict[str, Any]:
    """`value` as a raw payload: unchanged when it is one, re-encoded when that is sound."""
    if isinstance(value, dict) and "metadata" in value:
        if _is_raw(value):
            return value
        metadata = value["metadata"]
        if not isinstance(metadata, dict):
            cause = f"{where} has a payload whose metadata is not an object"
            raise CannotJudge(cause, _DOWNLOAD_FIX)
        encoded = _encode(value.get("data"), {k: str(v) for k, v in metadata.items()}, where)
        notes.add(REENCODED)
        return encoded
    if in_map:
        notes.add(REENCODED)
        return _encode(value, {"encoding": "json/plain"}, where)
    raise CannotJudge(
        f"the payloads were decoded by the UI download: {where} holds a bare value where a "
        "payload should be, and the UI dropped its encoding, so the bytes the workflow read "
        "cannot be rebuilt",
        _DOWNLOAD_FIX,
    )
