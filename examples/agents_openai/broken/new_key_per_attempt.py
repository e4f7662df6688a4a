"""Broken twin: the ticket's idempotency key is a fresh uuid4 per attempt.

"Keys must be unique", so the team made one per request: every attempt of `create_ticket`,
and every worker process, sends a new key, and the ticketing system cannot tell a retry from
a second ticket. When the worker dies after the POST landed and before Temporal heard of it,
the new worker's retry files the ticket again. Rejected as `duplicate-effect` by the default
chaos run's row for a worker death after the effect (fault 10, effect_then_worker_death),
run by examples/agents_openai/tests/test_default_rows.py.
"""

from __future__ import annotations

import uuid

from temporalio import activity

from examples.agents_openai.activities import (
    IDEMPOTENCY_HEADER,
    TicketRequest,
    lookup_order,
    post_ticket,
)
from examples.agents_openai.worker import main


@activity.defn(name="create_ticket")
async def create_ticket(request: TicketRequest) -> str:
    return await post_ticket(request, {IDEMPOTENCY_HEADER: str(uuid.uuid4())})


if __name__ == "__main__":
    main([lookup_order, create_ticket])
