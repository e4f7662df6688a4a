"""The app's activities: every bit of I/O (template files, the LLM, the agents) lives here,
never in a workflow, so workflows stay deterministic and every retry is Temporal's.

The LLM client is built with `max_retries=0` (seed 003): Temporal owns the retry policy,
so each attempt is one request, recorded in the history. A 429's `retry-after` becomes the
next retry's delay, and a request the provider refuses for good (400, 401, ...) is not
retried at all.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx
import jinja2
import openai
from pydantic import BaseModel, Field
from temporalio import activity
from temporalio.exceptions import ApplicationError

from examples.routing.settings import Agent, RoutingSettings

PROMPTS = Path(__file__).resolve().parent / "prompts"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# The agent call heartbeats this often, so a dead worker's attempt is retried within the
# workflow's heartbeat timeout rather than after the whole start-to-close timeout.
HEARTBEAT_SECONDS = 1.0
_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(PROMPTS), undefined=jinja2.StrictUndefined, autoescape=False
)


class RenderPromptRequest(BaseModel):
    template: str
    context: dict[str, str] = Field(default_factory=dict)


class ResponsesRequest(BaseModel):
    instructions: str
    input: str


class ResponsesResult(BaseModel):
    """What the workflow keeps of a response: its text (ids would churn every history)."""

    output_text: str


class AgentRequest(BaseModel):
    agent: Agent
    message: str


@activity.defn
async def render_prompt(request: RenderPromptRequest) -> str:
    """Render a prompt template from prompts/ (file I/O: an activity, not the workflow)."""

    def render() -> str:
        return _templates.get_template(request.template).render(**request.context).strip()

    return await asyncio.to_thread(render)


@activity.defn
async def create_response(request: ResponsesRequest) -> ResponsesResult:
    """One call of the LLM's Responses API; errors mapped to Temporal's retry semantics."""
    settings = RoutingSettings()
    client = openai.AsyncOpenAI(
        base_url=settings.llm_url,
        api_key=settings.llm_key,
        max_retries=0,
        timeout=settings.llm_timeout_seconds,
    )
    try:
        response = await client.responses.create(
            model=settings.llm_model, instructions=request.instructions, input=request.input
        )
    except openai.RateLimitError as exc:
        delay = _retry_after(exc.response.headers)
        raise ApplicationError(
            f"LLM rate limited (429), retry after {delay}",
            type="RateLimited",
            next_retry_delay=delay,
        ) from exc
    except openai.APIStatusError as exc:
        final = exc.status_code < 500 and exc.status_code not in (408, 409)
        raise ApplicationError(
            f"LLM answered {exc.status_code}: {exc.message}", type="LlmError", non_retryable=final
        ) from exc
    finally:
        await client.close()
    return ResponsesResult(output_text=response.output_text)


def _retry_after(headers: httpx.Headers) -> timedelta | None:
    """The provider's hint: `retry-after-ms`, else `retry-after` in seconds or as an HTTP
    date (RFC 9110 allows both), else None."""
    if (ms := headers.get("retry-after-ms")) and ms.isdigit():
        return timedelta(milliseconds=int(ms))
    value = headers.get("retry-after", "")
    try:
        return timedelta(seconds=float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when - datetime.now(UTC), timedelta(0))


async def post_to_agent(
    url: str, message: str, *, timeout: httpx.Timeout, headers: dict[str, str]
) -> str:
    """POST the message to an agent and return its reply, heartbeating while it thinks."""
    async with httpx.AsyncClient(timeout=timeout) as http:
        call = asyncio.ensure_future(
            http.post(f"{url}/messages", json={"message": message}, headers=headers)
        )
        try:
            while not call.done():
                await asyncio.wait({call}, timeout=HEARTBEAT_SECONDS)
                activity.heartbeat()
        finally:  # a cancelled attempt must not leave the request to fail unobserved
            if not call.done():
                call.cancel()
            call.add_done_callback(_observe)
        try:
            response = call.result()
        except httpx.TimeoutException as exc:  # a short failure, named, without the chain
            name = type(exc).__name__
            raise ApplicationError(
                f"agent {url} gave no answer in time: {name} (read timeout {timeout.read} s)",
                type=name,
            ) from None
        except httpx.TransportError as exc:
            name = type(exc).__name__
            raise ApplicationError(f"agent {url} unreachable: {name}: {exc}", type=name) from None
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise ApplicationError(f"agent {url} answered {response.status_code}", type="AgentBusy")
    if response.status_code >= 400:
        raise ApplicationError(
            f"agent {url} refused the message: {response.status_code} {response.text[:200]}",
            type="AgentRefused",
            non_retryable=True,
        )
    body: dict[str, Any] = response.json()
    return str(body["reply"])


def _observe(call: asyncio.Future[Any]) -> None:
    """Mark a request's failure as seen: the attempt that made it has already given up, and
    the agent's idempotency key makes the retry the same request."""
    if not call.cancelled():
        call.exception()


def idempotency_key() -> str:
    """Stable across this activity's attempts: a retry is the same request to the agent."""
    info = activity.info()
    return f"{info.workflow_id}/{info.activity_id}"


@activity.defn
async def call_agent(request: AgentRequest) -> str:
    """Send the question to the chosen agent; the key lets the agent answer a retry once."""
    settings = RoutingSettings()
    return await post_to_agent(
        settings.agent_url(request.agent),
        request.message,
        timeout=httpx.Timeout(settings.agent_timeout_seconds, connect=5.0),
        headers={IDEMPOTENCY_HEADER: idempotency_key()},
    )


ACTIVITIES = [render_prompt, create_response, call_agent]
