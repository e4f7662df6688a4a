"""The fake LLM drives the real agent frameworks: the OpenAI Agents SDK and Pydantic AI.

No Temporal here: each framework's own loop (model, tool, model, ...) runs against the fake
through the official openai client, with its retries off and the Agents SDK's tracing off,
so nothing leaves loopback. A scripted `ToolCall` makes the framework run the tool with
those arguments, a `transfer_to_<agent>` call is a handoff, a scripted text ends the run,
and a JSON text is the structured output; the fake's log shows every step of the run under
the unit's marker, with the tools each reply asked for and the tool outputs each request
carried. If these pass, the example apps built on either framework can be judged.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import openai
import pytest
from agents import (
    Agent,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    set_tracing_disabled,
)
from pydantic import BaseModel
from pydantic_ai import Agent as PydanticAgent
from pydantic_ai import NativeOutput
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.models.openai import OpenAIResponsesModel as PydanticResponsesModel
from pydantic_ai.providers.openai import OpenAIProvider

from stormproof.fixtures.fake_llm import (
    FakeLlm,
    LlmCall,
    RateLimit,
    ToolCall,
    ToolCalls,
    new_marker,
    tag,
)

MODEL = "gpt-4o-mini"
CHAT, RESPONSES = "/v1/chat/completions", "/v1/responses"


@pytest.fixture(autouse=True, scope="module")
def _no_tracing() -> None:
    set_tracing_disabled(True)  # the Agents SDK would export traces to OpenAI otherwise


def steps(calls: list[LlmCall]) -> list[tuple[str, int | None, list[str], int, str | None]]:
    """Each logged call as (endpoint, status, tools asked for, tool outputs carried, text)."""
    return [(c.endpoint, c.status, c.tool_calls, c.tool_outputs, c.reply) for c in calls]


def spy(create: Any, sent: list[dict[str, Any]]) -> Any:
    """Wrap an SDK `create` method to keep the keyword arguments of every request."""

    async def recorded(**kwargs: Any) -> Any:
        sent.append(kwargs)
        return await create(**kwargs)

    return recorded


def triage_agents(model: Any, ran: list[int]) -> Agent[Any]:
    """A triage agent with a tool and a handoff to a billing agent, both on `model`."""

    @function_tool
    def lookup_order(order_id: int) -> str:
        """Where an order is."""
        ran.append(order_id)
        return f"order {order_id} shipped"

    billing = Agent(name="Billing", instructions="You settle refunds.", model=model)
    return Agent(
        name="Triage",
        instructions="Look the order up, then hand over to billing.",
        model=model,
        tools=[lookup_order],
        handoffs=[billing],
    )


@pytest.mark.parametrize(
    ("model_type", "endpoint"),
    [(OpenAIResponsesModel, RESPONSES), (OpenAIChatCompletionsModel, CHAT)],
)
async def test_openai_agents_tool_then_handoff_then_text(
    llm: FakeLlm, client: openai.AsyncOpenAI, model_type: Any, endpoint: str
):
    marker, ran = new_marker(), []
    llm.answer(
        marker,
        [
            ToolCall(name="lookup_order", arguments={"order_id": 7}),
            ToolCall(name="transfer_to_billing"),
            "Refund issued for order 7.",
        ],
    )
    triage = triage_agents(model_type(model=MODEL, openai_client=client), ran)
    result = await Runner.run(triage, tag(marker, "Where is my order 7? I want a refund."))
    assert ran == [7], "the tool ran once, with the scripted arguments"
    assert result.last_agent.name == "Billing", "the handoff happened"
    assert result.final_output == "Refund issued for order 7."
    assert steps(llm.calls_for(marker)) == [
        (endpoint, 200, ["lookup_order"], 0, None),
        (endpoint, 200, ["transfer_to_billing"], 1, None),
        (endpoint, 200, [], 2, "Refund issued for order 7."),
    ], llm.describe_calls()


class Refund(BaseModel):
    order_id: int
    approved: bool


@pytest.mark.parametrize(
    ("model_type", "endpoint"),
    [(OpenAIResponsesModel, RESPONSES), (OpenAIChatCompletionsModel, CHAT)],
)
async def test_openai_agents_structured_output(
    llm: FakeLlm, client: openai.AsyncOpenAI, model_type: Any, endpoint: str
):
    """A JSON text answers a request that asked for a json_schema (`text.format` on the
    Responses API, `response_format` on chat): the SDK parses it into the output type."""
    sent: list[dict[str, Any]] = []
    if endpoint == RESPONSES:
        client.responses.create = spy(client.responses.create, sent)  # type: ignore[method-assign]
    else:
        completions = client.chat.completions
        completions.create = spy(completions.create, sent)  # type: ignore[method-assign]
    marker = new_marker()
    llm.answer(marker, ['{"order_id": 7, "approved": true}'])
    agent = Agent(
        name="Refunds",
        instructions="Decide.",
        model=model_type(model=MODEL, openai_client=client),
        output_type=Refund,
    )
    result = await Runner.run(agent, tag(marker, "Refund order 7?"))
    assert result.final_output == Refund(order_id=7, approved=True)
    [request] = sent
    asked = request["text"]["format"] if endpoint == RESPONSES else request["response_format"]
    assert asked["type"] == "json_schema"
    assert steps(llm.calls_for(marker)) == [
        (endpoint, 200, [], 0, '{"order_id": 7, "approved": true}')
    ]


class Weather(BaseModel):
    city: str
    celsius: int


def weather_agent(model: Any, output_type: Any, seen: list[str]) -> PydanticAgent[None, Any]:
    agent = PydanticAgent(model, output_type=output_type, instructions="Report the weather.")

    @agent.tool_plain
    def temperature(city: str) -> int:
        """The temperature in `city`, in degrees Celsius."""
        seen.append(city)
        return 21

    return agent


@pytest.mark.parametrize(
    ("model_type", "endpoint"), [(OpenAIChatModel, CHAT), (PydanticResponsesModel, RESPONSES)]
)
@pytest.mark.parametrize("native", [False, True], ids=["output-tool", "native-output"])
async def test_pydantic_ai_tool_and_structured_output(
    llm: FakeLlm, client: openai.AsyncOpenAI, model_type: Any, endpoint: str, native: bool
):
    """Pydantic AI's default structured output is a `final_result` tool call; with
    NativeOutput the request asks for a json_schema and a JSON text answers it."""
    sent: list[dict[str, Any]] = []
    if endpoint == RESPONSES:
        client.responses.create = spy(client.responses.create, sent)  # type: ignore[method-assign]
    else:
        completions = client.chat.completions
        completions.create = spy(completions.create, sent)  # type: ignore[method-assign]
    marker, seen = new_marker(), []
    final: str | ToolCall = (
        '{"city": "Oslo", "celsius": 21}'
        if native
        else ToolCall(name="final_result", arguments={"city": "Oslo", "celsius": 21})
    )
    llm.answer(marker, [ToolCall(name="temperature", arguments={"city": "Oslo"}), final])
    model = model_type(MODEL, provider=OpenAIProvider(openai_client=client))
    agent = weather_agent(model, NativeOutput(Weather) if native else Weather, seen)
    result = await agent.run(tag(marker, "How warm is it in Oslo?"))
    assert result.output == Weather(city="Oslo", celsius=21)
    assert seen == ["Oslo"]
    last = (endpoint, 200, [], 1, final) if native else (endpoint, 200, ["final_result"], 1, None)
    assert steps(llm.calls_for(marker)) == [(endpoint, 200, ["temperature"], 0, None), last]
    if native:
        asked = sent[-1]["text"]["format"] if endpoint == RESPONSES else sent[-1]["response_format"]
        assert asked["type"] == "json_schema"


async def test_pydantic_ai_streams_parallel_tool_calls(llm: FakeLlm, client: openai.AsyncOpenAI):
    """With an event stream handler (what TemporalAgent streams through) Pydantic AI asks
    chat completions with stream=true: tool calls arrive as `delta.tool_calls`."""
    marker, seen, events = new_marker(), [], []
    both = [ToolCall(name="temperature", arguments={"city": c}) for c in ("Oslo", "Bergen")]
    done = ToolCall(name="final_result", arguments={"city": "Bergen", "celsius": 21})
    llm.answer(marker, [ToolCalls(calls=both), done])

    async def handler(ctx: Any, stream: AsyncIterator[Any]) -> None:
        events.extend([type(e).__name__ async for e in stream])

    model = OpenAIChatModel(MODEL, provider=OpenAIProvider(openai_client=client))
    agent = weather_agent(model, Weather, seen)
    result = await agent.run(tag(marker, "Oslo or Bergen?"), event_stream_handler=handler)
    assert result.output == Weather(city="Bergen", celsius=21)
    assert seen == ["Oslo", "Bergen"]
    assert "FunctionToolCallEvent" in events
    calls = llm.calls_for(marker)
    assert [c.stream for c in calls] == [True, True]
    assert steps(calls) == [
        (CHAT, 200, ["temperature", "temperature"], 0, None),
        (CHAT, 200, ["final_result"], 2, None),
    ]


async def test_a_rate_limit_before_the_tool_call_consumes_no_answer(
    llm: FakeLlm, client: openai.AsyncOpenAI
):
    """The negative control: a 429 scripted before the tool call reaches the agent's run
    as the SDK's RateLimitError with its hint; the next run still gets the tool call."""
    marker, ran = new_marker(), []
    llm.answer(
        marker,
        [RateLimit(retry_after=2), ToolCall(name="lookup_order", arguments={"order_id": 9}), "Ok."],
    )
    triage = triage_agents(OpenAIResponsesModel(model=MODEL, openai_client=client), ran)
    with pytest.raises(openai.RateLimitError) as caught:
        await Runner.run(triage, tag(marker, "Where is order 9?"))
    assert caught.value.response.headers["retry-after"] == "2"
    assert ran == []
    result = await Runner.run(triage, tag(marker, "Where is order 9?"))
    assert (ran, result.final_output) == ([9], "Ok.")
    calls = llm.calls_for(marker)
    assert [(c.status, c.fault, c.tool_calls) for c in calls] == [
        (429, "rate_limit", []),
        (200, None, ["lookup_order"]),
        (200, None, []),
    ]
    assert calls[0].retry_hints == {"retry-after": "2"}
