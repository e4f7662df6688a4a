"""The fake LLM, driven by the official openai SDK exactly as a worker drives it.

If these pass, a worker's SDK sees real-looking successes and the very exception types (and
retry hints) it would see from OpenAI, and the judge's call log is exact.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import time

import openai
import pytest

from stormproof.fixtures.fake_llm import (
    Delay,
    DropConnection,
    FakeLlm,
    FaultAdapter,
    MalformedJson,
    RateLimit,
    ServerError,
    Status,
    new_marker,
    reply_for,
    reply_token,
    tag,
)
from tests.fake_llm_clients import KEY


async def chat(client: openai.AsyncOpenAI, prompt: str, **kwargs: object) -> str:
    result = await client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}], **kwargs
    )
    return result.choices[0].message.content or ""


async def test_chat_reply_is_deterministic_and_logged(llm: FakeLlm, client: openai.AsyncOpenAI):
    marker = new_marker()
    prompt = tag(marker, "Tell a story about a lighthouse.")
    result = await client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}]
    )
    reply = result.choices[0].message.content
    assert reply == reply_for(prompt)
    assert reply.startswith(f"Reply {reply_token(prompt)}: ")
    assert reply.isascii() and len(reply) > 200
    assert result.usage is not None and result.usage.total_tokens > result.usage.prompt_tokens > 0

    [call] = llm.calls_for(marker)
    assert (call.endpoint, call.status, call.fault) == ("/v1/chat/completions", 200, None)
    assert (call.prompt, call.reply, call.model) == (prompt, reply, "gpt-4o-mini")
    assert call.had_authorization and call.authorization == "Bearer ****6789"
    assert KEY not in call.model_dump_json()
    assert call.retry_count == "0"  # the SDK says it is attempt 0: its own retries are off
    assert call.finished_monotonic is not None and call.finished_monotonic >= call.monotonic


async def test_responses_endpoint_and_models(llm: FakeLlm, client: openai.AsyncOpenAI):
    marker = new_marker()
    prompt = tag(marker, "Summarise the quarter.")
    result = await client.responses.create(
        model="gpt-4o-mini", input=prompt, instructions="Be brief."
    )
    assert result.output_text == reply_for(prompt)
    assert result.usage is not None and result.usage.output_tokens > 0
    [call] = llm.calls_for(marker)
    assert (call.endpoint, call.prompt) == ("/v1/responses", prompt)
    models = await client.models.list()
    assert [m.id for m in models.data] == ["gpt-4o-mini"]


async def test_responses_faults_and_scripted_answers(llm: FakeLlm, client: openai.AsyncOpenAI):
    """/v1/responses shares the fault script and call log; a scripted answer (a model
    choosing a branch) survives a faulted attempt; the same request again (a lost answer's
    retry) gets the same answer, another (the same text, other instructions) the next."""
    marker, prompt = new_marker(), "How many vacation days do I have left?"
    llm.script(marker, [RateLimit(retry_after=3)])
    llm.answer(marker, ["HR", "FAQ"])
    ask = {"model": "gpt-4o-mini", "input": prompt, "instructions": tag(marker, "HR or FAQ?")}
    with pytest.raises(openai.RateLimitError) as caught:
        await client.responses.create(**ask)
    assert caught.value.response.headers["retry-after"] == "3"
    assert (await client.responses.create(**ask)).output_text == "HR"
    assert (await client.responses.create(**ask)).output_text == "HR"  # a retry: same choice
    agent = {**ask, "instructions": tag(marker, "You are the HR agent.")}
    assert (await client.responses.create(**agent)).output_text == "FAQ"
    calls = llm.calls_for(marker)  # the marker was in the instructions, not the input
    assert {c.endpoint for c in calls} == {"/v1/responses"}
    assert [(c.status, c.fault) for c in calls] == [(429, "rate_limit")] + [(200, None)] * 3
    assert [c.reply for c in calls[1:]] == ["HR", "HR", "FAQ"]


async def test_answers_may_carry_faults(llm: FakeLlm, client: openai.AsyncOpenAI):
    """An adapter's llm_answers may mix faults with texts: the faults fault the marker's
    next requests, in order, and the texts answer the successful ones that follow."""
    marker, prompt = new_marker(), "How many vacation days do I have left?"
    llm.answer(marker, [RateLimit(retry_after=2), "HR", Status(code=400)])
    ask = {"model": "gpt-4o-mini", "input": tag(marker, prompt)}
    with pytest.raises(openai.RateLimitError):
        await client.responses.create(**ask)
    with pytest.raises(openai.BadRequestError):
        await client.responses.create(**ask)
    assert (await client.responses.create(**ask)).output_text == "HR"
    assert [c.status for c in llm.calls_for(marker)] == [429, 400, 200]


def test_reply_is_stable_across_processes():
    """hash() is salted per process; the judge in another xdist worker must agree."""
    prompt = "[sp-0123456789ab] a prompt"
    code = f"from stormproof.fixtures.fake_llm import reply_for; print(reply_for({prompt!r}))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == reply_for(prompt)
    assert reply_for(prompt) != reply_for(prompt + " ")


async def test_rate_limit_carries_retry_hints(llm: FakeLlm, client: openai.AsyncOpenAI):
    marker = new_marker()
    llm.script(marker, [RateLimit(retry_after=2, retry_after_ms=1500)])
    with pytest.raises(openai.RateLimitError) as caught:
        await chat(client, tag(marker, "hi"))
    err = caught.value
    assert err.status_code == 429
    assert err.response.headers["retry-after"] == "2"
    assert err.response.headers["retry-after-ms"] == "1500"
    assert isinstance(err.body, dict) and err.body["code"] == "rate_limit_exceeded"
    assert err.body["type"] == "requests" and err.body["message"].startswith("Rate limit reached")
    # The script is used up: the next attempt succeeds.
    assert await chat(client, tag(marker, "hi")) == reply_for(tag(marker, "hi"))
    assert [(c.status, c.fault) for c in llm.calls_for(marker)] == [
        (429, "rate_limit"),
        (200, None),
    ]


@pytest.mark.parametrize(
    ("fault", "exc_type", "status"),
    [
        (ServerError(), openai.InternalServerError, 500),
        (ServerError(status=503), openai.InternalServerError, 503),
        (Status(code=400), openai.BadRequestError, 400),
        (Status(code=401, error_code="invalid_api_key"), openai.AuthenticationError, 401),
        (Status(code=404, error_code="model_not_found"), openai.NotFoundError, 404),
    ],
)
async def test_status_faults_raise_the_sdk_exception(
    llm: FakeLlm, client: openai.AsyncOpenAI, fault, exc_type, status
):
    marker = new_marker()
    llm.script(marker, [fault])
    with pytest.raises(exc_type) as caught:
        await chat(client, tag(marker, "x"))
    assert caught.value.status_code == status
    assert set(caught.value.body) == {"message", "type", "param", "code"}
    [call] = llm.calls_for(marker)
    assert (call.status, call.fault, call.reply) == (status, fault.kind, None)


async def test_malformed_json_breaks_parsing(llm: FakeLlm, client: openai.AsyncOpenAI):
    marker = new_marker()
    llm.script(marker, [MalformedJson()])
    with pytest.raises(json.JSONDecodeError):
        await chat(client, tag(marker, "x"))
    assert [(c.status, c.fault) for c in llm.calls_for(marker)] == [(200, "malformed_json")]


async def test_dropped_connection_is_a_connection_error(llm: FakeLlm, client: openai.AsyncOpenAI):
    marker = new_marker()
    llm.script(marker, [DropConnection(times=2)])
    for _ in range(2):
        with pytest.raises(openai.APIConnectionError):
            await chat(client, tag(marker, "x"))
    assert await chat(client, tag(marker, "x")) == reply_for(tag(marker, "x"))
    assert [c.fault for c in llm.calls_for(marker)] == ["drop_connection"] * 2 + [None]
    assert [c.status for c in llm.calls_for(marker)] == [None, None, 200]


async def test_delay_then_reply_and_client_timeout(llm: FakeLlm, client: openai.AsyncOpenAI):
    marker = new_marker()
    llm.script(marker, [Delay(seconds=0.3), Delay(seconds=5)])
    started = time.monotonic()
    assert await chat(client, tag(marker, "x")) == reply_for(tag(marker, "x"))
    assert time.monotonic() - started >= 0.3
    with pytest.raises(openai.APITimeoutError):
        await chat(client, tag(marker, "x"), timeout=0.2)
    assert [c.fault for c in llm.calls_for(marker)] == ["delay", "delay"]


async def test_stop_ends_a_held_request_at_once(llm: FakeLlm, client: openai.AsyncOpenAI):
    marker = new_marker()
    llm.fail_always(marker, Delay(seconds=60))
    pending = asyncio.create_task(chat(client, tag(marker, "x")))
    await llm.wait_for_calls(marker, 1, timeout=5, finished=False)
    started = time.monotonic()
    llm.stop()
    with pytest.raises(openai.APIConnectionError):
        await asyncio.wait_for(pending, timeout=5)
    assert time.monotonic() - started < 3
    assert llm.calls_for(marker)[0].status is None


async def test_api_key_is_required_when_configured(llm: FakeLlm):
    marker = new_marker()
    llm.script(marker, [ServerError()])
    async with openai.AsyncOpenAI(base_url=llm.base_url, api_key="sk-wrong", max_retries=0) as c:
        with pytest.raises(openai.AuthenticationError) as caught:
            await chat(c, tag(marker, "x"))
    assert caught.value.body["code"] == "invalid_api_key"
    assert "sk-wrong" not in str(caught.value)
    [call] = llm.calls_for(marker)
    assert (call.status, call.fault, call.authorization) == (401, "invalid_api_key", "Bearer ****")
    assert llm.plan.pending(marker) == 1  # rejected before any scripted fault is consumed


async def test_fail_always_until_lifted(llm: FakeLlm, client: openai.AsyncOpenAI):
    marker = new_marker()
    llm.script(marker, [RateLimit(retry_after=None, retry_after_ms=10)])
    llm.fail_always(marker, ServerError())
    with pytest.raises(openai.RateLimitError):
        await chat(client, tag(marker, "x"))
    for _ in range(3):
        with pytest.raises(openai.InternalServerError):
            await chat(client, tag(marker, "x"))
    llm.fail_always(marker, None)
    await chat(client, tag(marker, "x"))
    assert [c.status for c in llm.calls_for(marker)] == [429, 500, 500, 500, 200]


async def test_markers_attribute_calls(llm: FakeLlm, client: openai.AsyncOpenAI):
    a, b = new_marker(), new_marker()
    await chat(client, tag(a, "one"))
    await chat(client, tag(b, "two"))
    await chat(client, "no marker at all")
    await client.chat.completions.create(  # marker only in the system message
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": f"trace [{a}]"},
            {"role": "user", "content": [{"type": "text", "text": "part one"}]},
        ],
    )
    assert [c.marker for c in llm.calls] == [a, b, None, a]
    assert [c.seq for c in llm.calls] == [1, 2, 3, 4]
    assert len(llm.calls_for(a)) == 2 and len(llm.calls_for(b)) == 1
    assert llm.calls_for(a)[1].prompt == "part one"


async def run_storm(seed: int, n: int = 24) -> list[str | None]:
    with FakeLlm() as server:
        server.storm([ServerError(), RateLimit(retry_after=0)], rate=0.5, seed=seed)
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key="k", max_retries=0) as c:
            for i in range(n):
                with contextlib.suppress(openai.APIStatusError):
                    await chat(c, f"request {i}")
        return [call.fault for call in server.calls]


async def test_storm_is_reproducible_with_a_seed():
    first, again, other = await run_storm(7), await run_storm(7), await run_storm(8)
    assert first == again
    assert first != other
    assert {None, "server_error", "rate_limit"} == set(first)


async def test_storm_scope_and_clear(llm: FakeLlm, client: openai.AsyncOpenAI):
    marker = new_marker()
    llm.storm(ServerError(), rate=1.0, seed=1, scope="unmarked")
    await chat(client, tag(marker, "marked requests are spared"))
    with pytest.raises(openai.InternalServerError):
        await chat(client, "unmarked")
    llm.clear()
    await chat(client, "unmarked")
    assert [c.status for c in llm.calls] == [200, 500, 200]


def test_faults_validate_from_json():
    fault = FaultAdapter.validate_python({"kind": "rate_limit", "retry_after_ms": 250, "times": 3})
    assert fault == RateLimit(retry_after_ms=250, times=3)
    with pytest.raises(ValueError, match="kind"):
        FaultAdapter.validate_python({"kind": "meteor_strike"})
