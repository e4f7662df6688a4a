"""Broken twin: an agent's 429 is taken for a refusal, so the routed question fails at once.

A rate-limited agent ("too many requests, try again in a second") is a 4xx, and a status
check written as `>= 400: give up` puts it with the 400s; the app's own code retries it
(AgentBusy). The adapter declares its agents' failures as the contract's webhook rule has
them, so a 429 is transient. Rejected by examples/routing/tests/test_service_failures.py
as `retry-classification`, by the generic check of an adapter's services
(stormproof/conformance/service_failures.py, suites/properties/test_service_failures.py).
"""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from examples.routing.activities import AgentRequest, create_response, render_prompt
from examples.routing.activities import call_agent as routed_call
from examples.routing.worker import main


@activity.defn(name="call_agent")
async def call_agent(request: AgentRequest) -> str:
    try:
        return await routed_call(request)
    except ApplicationError as exc:
        # BROKEN ON PURPOSE: "answered 429" is a 4xx, and a 4xx is the caller's fault.
        if exc.type == "AgentBusy" and "answered 429" in str(exc):
            raise ApplicationError(str(exc), type="AgentRefused", non_retryable=True) from None
        raise


if __name__ == "__main__":
    main([render_prompt, create_response, call_agent])
