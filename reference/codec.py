"""Payload encryption: prompts and LLM replies never sit in plaintext in Temporal's history.

Workflow inputs, activity arguments and results are persisted by the Temporal server and
shown by its Web UI. An AI workflow's payloads are prompts and generated text, so the
reference encrypts them client-side with AES-256-GCM when `STORMPROOF_PAYLOAD_KEY` is set
(docs/CONTRACT.md section 7 gives the wire format, which any codec server can decode).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, PayloadCodec

KEY_VARIABLE = "STORMPROOF_PAYLOAD_KEY"
ENCODING = b"binary/encrypted"
NONCE_BYTES = 12
MAKE_KEY = "openssl rand -base64 32"


class PayloadKeyError(ValueError):
    """The key setting is unusable; the message names the variable and the fix."""


def key_id(key: bytes) -> str:
    """A public fingerprint of the key, so a reader knows which key a payload needs."""
    return hashlib.sha256(key).hexdigest()[:16]


class AesGcmCodec(PayloadCodec):
    """Encrypts each whole payload (metadata and data) so even the encoding is hidden."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self._key_id = key_id(key).encode()

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        sealed = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            data = nonce + self._aead.encrypt(nonce, payload.SerializeToString(), None)
            metadata = {"encoding": ENCODING, "encryption-key-id": self._key_id}
            sealed.append(Payload(metadata=metadata, data=data))
        return sealed

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        opened = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                opened.append(payload)  # written before encryption was switched on
                continue
            if payload.metadata.get("encryption-key-id") != self._key_id:
                raise PayloadKeyError(
                    f"payload was encrypted with key id "
                    f"{payload.metadata.get('encryption-key-id', b'').decode()!r}, this process "
                    f"has {self._key_id.decode()!r}: set {KEY_VARIABLE} to the key that wrote it"
                )
            nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
            opened.append(Payload.FromString(self._aead.decrypt(nonce, sealed, None)))
        return opened


def parse_key(raw: str) -> bytes:
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise PayloadKeyError(
            f"{KEY_VARIABLE} must be 32 random bytes in base64 (got {len(raw)} characters "
            f"that do not decode to 32 bytes); fix: {KEY_VARIABLE}=$({MAKE_KEY})"
        )
    return key


def data_converter(environ: dict[str, str] | None = None) -> DataConverter:
    """Pydantic models on the wire, sealed with AES-GCM when a payload key is configured."""
    raw = (os.environ if environ is None else environ).get(KEY_VARIABLE, "").strip()
    if not raw:
        return pydantic_data_converter
    return dataclasses.replace(pydantic_data_converter, payload_codec=AesGcmCodec(parse_key(raw)))
