"""The reference's codec and the judge's, written apart, agree on CONTRACT.md section 7."""

from __future__ import annotations

import pytest
from temporalio.api.common.v1 import Payload

from stormproof.fixtures.codec import ContractCodec, new_payload_key
from stormproof.reference.codec import AesGcmCodec, PayloadKeyError, data_converter, parse_key

PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=b'{"prompt": "secret plans"}')


@pytest.mark.parametrize("direction", ["reference-to-judge", "judge-to-reference"])
async def test_codecs_interoperate(direction: str):
    key = new_payload_key()
    reference, judge = AesGcmCodec(parse_key(key)), ContractCodec(key)
    writer, reader = (reference, judge) if direction == "reference-to-judge" else (judge, reference)
    sealed = await writer.encode([PLAIN])
    assert b"secret plans" not in sealed[0].SerializeToString()
    assert sealed[0].metadata["encoding"] == b"binary/encrypted"
    assert await reader.decode(sealed) == [PLAIN]


async def test_wrong_key_is_named_not_garbled():
    sealed = await AesGcmCodec(parse_key(new_payload_key())).encode([PLAIN])
    with pytest.raises(PayloadKeyError, match="STORMPROOF_PAYLOAD_KEY"):
        await AesGcmCodec(parse_key(new_payload_key())).decode(sealed)


def test_bad_key_names_the_variable_and_the_fix():
    with pytest.raises(PayloadKeyError, match=r"STORMPROOF_PAYLOAD_KEY.*openssl rand -base64 32"):
        data_converter({"STORMPROOF_PAYLOAD_KEY": "too-short"})


def test_no_key_means_plain_pydantic_payloads():
    assert data_converter({}).payload_codec is None
