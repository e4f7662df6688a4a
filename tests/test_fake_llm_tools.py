"""Scripted tool calls on the wire, read back by the official openai SDK.

The shapes an agent framework parses (chat `message.tool_calls` and its streamed deltas,
Responses `function_call` items, `usage`), the determinism rule (the same request again
gets the same calls, ids included; a faulted request consumes no answer), every fault on
a tool-call step, and the marker found anywhere in the request.
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from stormproof.fixtures.fake_llm import (
    Delay,
    DropConnection,
    FakeLlm,
    Fault,
    MalformedJson,
    RateLimit,
    ServerError,
    Status,
    ToolCall,
    ToolCalls,
    new_marker,
    tag,
)

MODEL = "gpt-4o-mini"
LOOKUP = ToolCall(name="lookup_order", arguments={"order_id": 7, "note": "ü"})


async def ask(client: openai.AsyncOpenAI, api: str, prompt: str) -> list[tuple[str, str, str]]:
    """One request on `api` ("chat" or "responses"): the (call id, name, arguments) it got."""
    if api == "responses":
        response = await client.responses.create(model=MODEL, input=prompt)
        assert response.usage is not None and response.usage.output_tokens > 0
        assert response.usage.total_tokens == (
            response.usage.input_tokens + response.usage.output_tokens
        )
        return [
            (o.call_id, o.name, o.arguments) for o in response.output if o.type == "function_call"
        ]
    completion = await client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": prompt}]
    )
    [choice] = completion.choices
    assert completion.usage is not None and completion.usage.completion_tokens > 0
    if choice.message.tool_calls is None:
        return []
    assert (choice.finish_reason, choice.message.content) == ("tool_calls", None)
    return [(t.id, t.function.name, t.function.arguments) for t in choice.message.tool_calls]


@pytest.mark.parametrize("api", ["chat", "responses"])
async def test_a_retried_request_gets_the_same_tool_call(
    llm: FakeLlm, client: openai.AsyncOpenAI, api: str
):
    """Determinism: the same request again (a retry whose answer was lost) is asked for the
    very same call, id included; another request gets the next scripted answer."""
    marker = new_marker()
    both = ToolCalls(calls=[LOOKUP, ToolCall(name="transfer_to_billing")])
    llm.answer(marker, [both, "Done."])
    first = await ask(client, api, tag(marker, "Where is order 7?"))
    assert [(name, json.loads(args)) for _, name, args in first] == [
        ("lookup_order", {"order_id": 7, "note": "ü"}),
        ("transfer_to_billing", {}),
    ]
    assert len({call_id for call_id, _, _ in first}) == 2
    assert await ask(client, api, tag(marker, "Where is order 7?")) == first
    assert await ask(client, api, tag(marker, "Another question.")) == []
    calls = llm.calls_for(marker)
    assert [c.tool_calls for c in calls] == [["lookup_order", "transfer_to_billing"]] * 2 + [[]]
    assert [c.reply for c in calls] == [None, None, "Done."]


FAULTS: list[tuple[Fault, type[Exception] | None, int | None, dict[str, str]]] = [
    (RateLimit(retry_after=2), openai.RateLimitError, 429, {"retry-after": "2"}),
    (RateLimit(retry_after=None, retry_after_ms=1500), openai.RateLimitError, 429, {}),
    (RateLimit(retry_after=3, retry_after_date=True), openai.RateLimitError, 429, {}),
    (ServerError(status=503), openai.InternalServerError, 503, {}),
    (Status(code=400), openai.BadRequestError, 400, {}),
    (MalformedJson(), json.JSONDecodeError, 200, {}),
    (DropConnection(), openai.APIConnectionError, None, {}),
    (Delay(seconds=0.2), None, 200, {}),
]


@pytest.mark.parametrize("api", ["chat", "responses"])
@pytest.mark.parametrize(("fault", "raised", "status", "hints"), FAULTS, ids=lambda v: str(v))
async def test_every_fault_applies_to_a_tool_call_step(
    llm: FakeLlm,
    client: openai.AsyncOpenAI,
    api: str,
    fault: Fault,
    raised: type[Exception] | None,
    status: int | None,
    hints: dict[str, str],
):
    """A step that would ask for a tool is faulted exactly like a text call, and the
    faulted request consumes no answer: the next one is asked for the tool (a Delay only
    holds the answer)."""
    marker = new_marker()
    prompt = tag(marker, "Where is order 7?")
    llm.answer(marker, [fault, LOOKUP])
    if raised is None:
        [got] = await ask(client, api, prompt)
    else:
        with pytest.raises(raised) as caught:
            await ask(client, api, prompt)
        if isinstance(caught.value, openai.RateLimitError):
            headers = caught.value.response.headers
            assert ("retry-after" in headers) == (fault.retry_after is not None)
            assert ("retry-after-ms" in headers) == (fault.retry_after_ms is not None)
        [got] = await ask(client, api, prompt)
    assert got[1] == "lookup_order"
    calls = llm.calls_for(marker)
    faulted = calls[0]
    assert (faulted.fault, faulted.status) == (fault.kind, status)
    if hints:
        assert faulted.retry_hints == hints
    expected = [["lookup_order"]] if raised is None else [[], ["lookup_order"]]
    assert [c.tool_calls for c in calls] == expected, llm.describe_calls()


async def test_streamed_chat_tool_calls_arrive_as_deltas(llm: FakeLlm, client: openai.AsyncOpenAI):
    marker = new_marker()
    llm.answer(marker, [ToolCalls(calls=[LOOKUP, ToolCall(name="transfer_to_billing")])])
    stream = await client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "user", "content": tag(marker, "Where is order 7?")}],
        stream=True,
        stream_options={"include_usage": True},
    )
    calls: dict[int, dict[str, str]] = {}
    finish, usage = None, None
    async for chunk in stream:
        usage = chunk.usage or usage
        for choice in chunk.choices:
            finish = choice.finish_reason or finish
            for delta in choice.delta.tool_calls or []:
                call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
                call["id"] += delta.id or ""
                function = delta.function
                call["name"] += (function.name or "") if function else ""
                call["arguments"] += (function.arguments or "") if function else ""
    assert [(c["name"], json.loads(c["arguments"])) for c in calls.values()] == [
        ("lookup_order", {"order_id": 7, "note": "ü"}),
        ("transfer_to_billing", {}),
    ]
    assert all(c["id"].startswith("call_") for c in calls.values())
    assert finish == "tool_calls"
    assert usage is not None and usage.completion_tokens > 0
    [logged] = llm.calls_for(marker)
    assert (logged.stream, logged.tool_calls) == (True, ["lookup_order", "transfer_to_billing"])


async def test_the_marker_is_found_anywhere_and_tool_outputs_are_counted(
    llm: FakeLlm, client: openai.AsyncOpenAI
):
    """An agent's later step is attributed to the unit even when its marker sits only in a
    tool's output or a call's arguments; the log counts the tool outputs it carries."""
    marker = new_marker()
    items: list[Any] = [
        {"role": "user", "content": "Where is my order?"},
        {
            "type": "function_call",
            "call_id": "call_1",
            "name": "lookup_order",
            "arguments": json.dumps({"ref": f"[{marker}]"}),
        },
        {"type": "function_call_output", "call_id": "call_1", "output": "shipped"},
    ]
    await client.responses.create(model=MODEL, input=items)
    chat: list[Any] = [
        {"role": "user", "content": "Where is my order?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "lookup_order", "arguments": "{}"},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": f"[{marker}] shipped"},
    ]
    await client.chat.completions.create(model=MODEL, messages=chat)
    calls = llm.calls_for(marker)
    assert [(c.endpoint, c.tool_outputs, c.status) for c in calls] == [
        ("/v1/responses", 1, 200),
        ("/v1/chat/completions", 1, 200),
    ]
