"""Can the replayer's converter read a history's payloads? Asked before replaying it.

A payload the converter cannot read (a codec's sealed bytes, an encoding no converter
registered) makes the workflow fail on its first line during replay, and that failure looks
exactly like a code change. Checking the encodings first turns it into "cannot judge" with
the option that fixes it: `--replay-codec` when none was given, the right key when the codec
fails (the key ids are compared when both sides carry one), `--replay-data-converter` when
the codec's output is still unreadable. Only payloads in an encoding the converter does not
know are passed through the codec, so a plain history costs one set lookup per payload.
"""

from __future__ import annotations

import base64
from typing import Any

from google.protobuf import json_format
from temporalio.api.common.v1 import Payload
from temporalio.converter import CompositePayloadConverter, DataConverter

from stormproof.fixtures.codec import PAYLOAD_KEY_VARIABLE, ContractCodec
from stormproof.replay.formats import Normalised
from stormproof.replay.verdicts import CannotJudge


def _encoding(payload: dict[str, Any]) -> bytes:
    try:
        return base64.b64decode(payload.get("metadata", {}).get("encoding", ""))
    except ValueError:
        return b""


def _key_hint(sealed: list[Payload], codec: object) -> str:
    key = "encryption-key-id"
    ids = sorted({p.metadata[key].decode() for p in sealed if key in p.metadata})
    if not ids:
        return ""
    hint = f"; the history was sealed with key id {', '.join(ids)}"
    if isinstance(codec, ContractCodec):
        hint += f", and {PAYLOAD_KEY_VARIABLE} is key id {codec.key_id.decode()}"
    return hint


async def check_payloads(normalised: Normalised, converter: DataConverter) -> None:
    """CannotJudge when the converter (with its codec) cannot read the history's payloads."""
    inner = getattr(converter.payload_converter, "_inner_payload_converter", None)
    if not isinstance(inner, CompositePayloadConverter):
        return  # a custom converter: only the replay itself can tell
    known = set(inner.converters)
    suspects = [(event, p) for event, p in normalised.payloads if _encoding(p) not in known]
    if not suspects:
        return
    encodings = sorted({_encoding(p).decode(errors="replace") for _, p in suspects})
    where = f"event {suspects[0][0]}" + (f" and {len(suspects) - 1} more" if suspects[1:] else "")
    codec = converter.payload_codec
    if codec is None:
        raise CannotJudge(
            f"pass --replay-codec: its payloads ({where}) are encoded as {encodings}, "
            "which only the payload codec its workers used can read",
            "pass --replay-codec module:attr naming that codec (a PayloadCodec, or a "
            f"function returning one); for histories Stormproof's worker sealed, set "
            f"{PAYLOAD_KEY_VARIABLE} to the key it used",
        )
    sealed = [json_format.ParseDict(p, Payload()) for _, p in suspects]
    try:
        opened = await codec.decode(sealed)
    except Exception as exc:  # the user's codec: any failure is the file's or the key's
        raise CannotJudge(
            f"the payload codec cannot decode its payloads ({where}): "
            f"{type(exc).__name__}{f': {exc}' if str(exc) else ''}{_key_hint(sealed, codec)}",
            "pass the codec (or the key) of the workers that wrote this history",
        ) from None
    readable = {b"", *known}
    left = sorted({p.metadata.get("encoding", b"") for p in opened} - readable)
    if left:
        raise CannotJudge(
            f"after the codec, its payloads are still encoded as "
            f"{[e.decode(errors='replace') for e in left]}, which the data "
            "converter cannot read",
            "pass --replay-data-converter module:attr naming the converter its workers use",
        )
