"""A team's own HTTP service in the adapter (`Adapter.services`): an agent the worker calls,
started by the suite behind a recording proxy and a Toxiproxy link (stormproof/adapter/
services.py runs it), and the worker's retry classification of its failures."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(extra="forbid", frozen=True)

# How a service can fail to answer the worker (docs/CONTRACT_MATRIX.md's failure modes).
ServiceFailure = Literal["refused", "reset", "read-timeout", "5xx", "429", "4xx", "malformed"]


class Service(BaseModel):
    """Another HTTP service the worker calls (an agent); the suite starts it, puts a
    recording proxy and a Toxiproxy link in front, and hands the worker that address.
    argv/env may use {port}, {llm_base_url} and {llm_api_key}.

    `final` is the worker's retry classification of the service's failures: the modes it
    must take as final (one request, no retry: the unit fails, with `final_error` when
    given, or completes as check_result says). Every other mode is transient: retried
    until the call lands, once. The default is the contract's rule for the webhook: only
    a 4xx (not 429) is final; a refused or reset connection, no answer, 5xx, 429 and a
    body the worker cannot read are retried."""

    model_config = _STRICT

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    argv: list[str] = Field(min_length=1)
    env: dict[str, str] = Field(default_factory=dict)
    ready_path: str = "/health"
    final: frozenset[ServiceFailure] = Field(
        frozenset({"4xx"}), description="failure modes the worker must not retry"
    )
    final_error: str | None = Field(
        None,
        description="the error type (in the failure's cause chain) a final mode fails the "
        "unit with; None: any failure, or a completion check_result accepts",
    )


__all__ = ["Service", "ServiceFailure"]
