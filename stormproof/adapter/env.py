"""The worker's environment in the team's own variable names.

The world (fixtures/endpoints.py) builds the contract's environment; a team's worker reads
other names (`TEMPORAL_HOST`, `LLM_URL`, `HR_AGENT_URL`...). Rather than teach the world
every team's names, the suite wraps the world's endpoints here and renames each contract
variable to the one the adapter's WorkerEnv gives, dropping those the worker does not read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field

from stormproof.adapter.models import Adapter
from stormproof.fixtures.endpoints import WorldEndpoints

# endpoint -> the contract's variable for it (docs/CONTRACT.md section 1)
CONTRACT_VARIABLES: Mapping[str, str] = {
    "temporal_address": "TEMPORAL_ADDRESS",
    "namespace": "TEMPORAL_NAMESPACE",
    "task_queue": "STORMPROOF_TASK_QUEUE",
    "llm_base_url": "OPENAI_BASE_URL",
    "llm_api_key": "OPENAI_API_KEY",
    "llm_model": "STORMPROOF_LLM_MODEL",
    "llm_timeout_seconds": "STORMPROOF_LLM_TIMEOUT_SECONDS",
    "notify_url": "STORMPROOF_NOTIFY_URL",
    "database_url": "STORMPROOF_DATABASE_URL",
    "artifact_dir": "STORMPROOF_ARTIFACT_DIR",
}


@dataclass(frozen=True)
class AdapterEndpoints(WorldEndpoints):
    """WorldEndpoints whose environment uses the adapter's variable names."""

    variables: Mapping[str, str] = field(default_factory=dict)
    service_urls: Mapping[str, str] = field(default_factory=dict)

    def environment(self, task_queue: str) -> dict[str, str]:
        env = super().environment(task_queue)
        if dict(self.variables) == dict(CONTRACT_VARIABLES) and not self.service_urls:
            return env
        values = {endpoint: env.pop(var, None) for endpoint, var in CONTRACT_VARIABLES.items()}
        values.update({f"service:{k}": v for k, v in self.service_urls.items()})
        env.update({self.variables[k]: v for k, v in values.items() if k in self.variables and v})
        return env


def for_adapter(
    base: WorldEndpoints, adapter: Adapter, service_urls: Mapping[str, str] | None = None
) -> WorldEndpoints:
    """`base` with the adapter's variable names, its services' URLs and fixed values."""
    values = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
    values["extra_env"] = {**adapter.env.fixed, **dict(base.extra_env)}
    return AdapterEndpoints(
        **values, variables=adapter.env.names(), service_urls=dict(service_urls or {})
    )
