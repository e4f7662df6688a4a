"""The team's configuration: its own environment variable names, read once per use.

The LLM is reached through the openai client's own variables (OPENAI_BASE_URL,
OPENAI_API_KEY), as the sample does; everything else is the team's (HELLO_WORLD_*,
TEAM_WEBHOOK_URL).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


@dataclass(frozen=True)
class Settings:
    """What the worker and its activities read from the environment."""

    temporal_address: str = field(
        default_factory=lambda: _env("HELLO_WORLD_TEMPORAL", "localhost:7233")
    )
    namespace: str = field(default_factory=lambda: _env("HELLO_WORLD_NAMESPACE", "default"))
    task_queue: str = field(
        default_factory=lambda: _env("HELLO_WORLD_TASK_QUEUE", "hello-world-python-task-queue")
    )
    llm_timeout_seconds: float = field(
        default_factory=lambda: float(_env("HELLO_WORLD_LLM_TIMEOUT", "15"))
    )
    webhook_url: str = field(
        default_factory=lambda: _env("TEAM_WEBHOOK_URL", "http://localhost:8080/hooks/haiku")
    )
    webhook_timeout_seconds: float = field(
        default_factory=lambda: float(_env("TEAM_WEBHOOK_TIMEOUT", "5"))
    )
