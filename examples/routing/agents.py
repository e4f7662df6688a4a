"""The HR and FAQ agents: one small ASGI app, run twice (`--role hr`, `--role faq`).

Each agent answers `POST /messages {"message": ...}` with `{"agent", "reply"}`, the reply
written by the LLM under its persona prompt, after AGENT_DELAY_SECONDS of think time (a
slow model). A request with an `Idempotency-Key` the agent has seen gets the same answer
without a second LLM call, even while the first is still being worked on: a caller's
retry is answered once. Configuration: AGENT_PORT, AGENT_LLM_URL, AGENT_LLM_KEY,
AGENT_LLM_MODEL, AGENT_DELAY_SECONDS, AGENT_COMPANY.
"""

from __future__ import annotations

import argparse
import asyncio

import jinja2
import openai
import uvicorn
from fastapi import FastAPI, Header
from pydantic import BaseModel
from pydantic_settings import BaseSettings

from examples.routing.activities import PROMPTS


class AgentSettings(BaseSettings):
    """The agent's own variables (prefix AGENT_)."""

    model_config = {"env_prefix": "AGENT_"}

    port: int = 9101
    llm_url: str = "http://localhost:8000/v1"
    llm_key: str = "not-needed-locally"
    llm_model: str = "gpt-4o-mini"
    delay_seconds: float = 0.0
    company: str = "Contoso"


class Message(BaseModel):
    message: str


class Answer(BaseModel):
    agent: str
    reply: str


def create_app(role: str, settings: AgentSettings) -> FastAPI:
    """The agent for `role` ("hr" or "faq"): its persona, its dedup table, its counters."""
    persona = (
        jinja2.Environment(loader=jinja2.FileSystemLoader(PROMPTS), autoescape=False)
        .get_template(f"{role}_agent.jinja2")
        .render(company=settings.company)
    )
    # No SDK retries: a failed answer is a 5xx, and the caller's retry (Temporal's) asks again.
    llm = openai.AsyncOpenAI(base_url=settings.llm_url, api_key=settings.llm_key, max_retries=0)
    answers: dict[str, asyncio.Task[str]] = {}
    stats = {"served": 0, "in_flight": 0, "deduplicated": 0}
    app = FastAPI(title=f"{role} agent")

    async def think(message: str) -> str:
        response = await llm.responses.create(
            model=settings.llm_model, instructions=persona, input=message, timeout=30
        )
        return response.output_text

    @app.get("/health")
    async def health() -> dict[str, object]:
        return {"ok": True, "role": role, **stats}

    @app.post("/messages")
    async def messages(body: Message, idempotency_key: str | None = Header(default=None)) -> Answer:
        stats["in_flight"] += 1
        try:
            # The agent's think time, per request: a slow model answers every caller late.
            await asyncio.sleep(settings.delay_seconds)  # wait-ok: the configured think time
            if idempotency_key is None:
                reply = await think(body.message)
            else:
                if idempotency_key in answers:
                    stats["deduplicated"] += 1
                else:
                    answers[idempotency_key] = asyncio.ensure_future(think(body.message))
                task = answers[idempotency_key]
                try:
                    reply = await asyncio.shield(task)
                except Exception:
                    answers.pop(idempotency_key, None)  # a failed answer may be asked again
                    raise
            stats["served"] += 1
            return Answer(agent=role.upper(), reply=reply)
        finally:
            stats["in_flight"] -= 1

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=["hr", "faq"], required=True)
    args = parser.parse_args()
    settings = AgentSettings()
    app = create_app(args.role, settings)
    uvicorn.run(app, host="127.0.0.1", port=settings.port, log_level="info")


if __name__ == "__main__":
    main()
