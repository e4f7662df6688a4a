"""The team's configuration: its own environment variables (prefix SUPPORT_), read by
pydantic-settings. Every field has a default, so the workflow module imports anywhere (a
replay test, a laptop); the worker is pointed at its world by the environment."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class SupportSettings(BaseSettings):
    """What the worker, its agents and its tools read: SUPPORT_<FIELD NAME>."""

    model_config = SettingsConfigDict(env_prefix="SUPPORT_", extra="ignore")

    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    task_queue: str = "support-triage"
    llm_base_url: str = "https://api.openai.com/v1"
    llm_api_key: str = "not-needed-locally"
    llm_model: str = "gpt-4o-mini"
    # One model request's budget on the wire; Temporal's retry policy does the rest.
    llm_timeout_seconds: float = 20.0
    # postgresql://user@host:5432/db in production; sqlite:///path.db on a laptop.
    database_url: str = "sqlite:///support.db"
