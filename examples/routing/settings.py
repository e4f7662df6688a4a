"""The team's configuration: its own environment variable names, read by pydantic-settings.

Seed 003 learned that BaseSettings reads only real environment variables unless told about
`.env`, so `env_file=".env"` is set: a developer's local file works, and a process started
with its environment (a supervisor, a test) needs no file at all.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Agent = Literal["HR", "FAQ"]


class RoutingSettings(BaseSettings):
    """What the worker and its activities read; field names are the variables (no prefix)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    routing_temporal_host: str = "localhost:7233"
    routing_namespace: str = "default"
    routing_queue: str = "routing-python-task-queue"
    llm_url: str = Field(description="OpenAI-compatible base URL, e.g. https://.../v1")
    llm_key: str = "not-needed-locally"
    llm_model: str = "gpt-4o-mini"
    llm_timeout_seconds: float = 15.0
    hr_agent_url: str = "http://localhost:9101"
    faq_agent_url: str = "http://localhost:9102"
    # Seed 003's lesson: an LLM-backed agent may take longer than an HTTP client's default
    # 5 s read timeout, so the agent client waits this long for an answer.
    agent_timeout_seconds: float = 60.0

    def agent_url(self, agent: Agent) -> str:
        return (self.hr_agent_url if agent == "HR" else self.faq_agent_url).rstrip("/")
