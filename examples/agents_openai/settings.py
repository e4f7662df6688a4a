"""The team's configuration: its own environment variable names, read once per use.

Everything the worker reaches is named here: Temporal (`SUPPORT_TEMPORAL_ADDRESS`,
`SUPPORT_NAMESPACE`, `SUPPORT_TASK_QUEUE`), the OpenAI-compatible LLM (`SUPPORT_LLM_BASE_URL`,
`SUPPORT_LLM_API_KEY`, `SUPPORT_LLM_MODEL`, `SUPPORT_LLM_TIMEOUT`) and the ticketing
webhook (`TICKETS_WEBHOOK_URL`, `TICKETS_WEBHOOK_TIMEOUT`). The openai client's own
`OPENAI_*` variables are not read: one worker, one explicitly configured model client.
A rolling deploy runs the worker as a version of a Worker Deployment
(`SUPPORT_DEPLOYMENT_NAME`, `SUPPORT_BUILD_ID`, `SUPPORT_VERSIONING_BEHAVIOR`: worker.py);
unset, the worker is unversioned.
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
        default_factory=lambda: _env("SUPPORT_TEMPORAL_ADDRESS", "localhost:7233")
    )
    namespace: str = field(default_factory=lambda: _env("SUPPORT_NAMESPACE", "default"))
    task_queue: str = field(default_factory=lambda: _env("SUPPORT_TASK_QUEUE", "support-triage"))
    llm_base_url: str = field(
        default_factory=lambda: _env("SUPPORT_LLM_BASE_URL", "https://api.openai.com/v1")
    )
    llm_api_key: str = field(default_factory=lambda: _env("SUPPORT_LLM_API_KEY", "unset"))
    llm_model: str = field(default_factory=lambda: _env("SUPPORT_LLM_MODEL", "gpt-4o-mini"))
    llm_timeout_seconds: float = field(
        default_factory=lambda: float(_env("SUPPORT_LLM_TIMEOUT", "15"))
    )
    webhook_url: str = field(
        default_factory=lambda: _env("TICKETS_WEBHOOK_URL", "http://localhost:8080/tickets")
    )
    webhook_timeout_seconds: float = field(
        default_factory=lambda: float(_env("TICKETS_WEBHOOK_TIMEOUT", "5"))
    )
    deployment_name: str = field(default_factory=lambda: _env("SUPPORT_DEPLOYMENT_NAME", ""))
    build_id: str = field(default_factory=lambda: _env("SUPPORT_BUILD_ID", ""))
    versioning_behavior: str = field(
        default_factory=lambda: _env("SUPPORT_VERSIONING_BEHAVIOR", "auto-upgrade")
    )
