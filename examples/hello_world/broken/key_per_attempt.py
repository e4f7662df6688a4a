"""Broken twin: the webhook's idempotency key includes the activity's attempt number.

Each key is unique, so every attempt looks like a new notification to the receiver: when a
POST lands but its reply is lost (a slow receiver, a client timeout), Temporal's retry
notifies the team twice. Rejected as `duplicate-effect` by the default chaos run's row for
the outage after the notification (fault 3), run by
examples/hello_world/tests/test_default_rows.py.
"""

from __future__ import annotations

from temporalio import activity

from examples.hello_world.activities import (
    IDEMPOTENCY_HEADER,
    NotifyRequest,
    create,
    post_webhook,
)
from examples.hello_world.worker import main


@activity.defn(name="notify_team")
async def notify_team(request: NotifyRequest) -> None:
    key = f"{request.workflow_id}/attempt-{activity.info().attempt}"
    await post_webhook(request, {IDEMPOTENCY_HEADER: key})


if __name__ == "__main__":
    main([create, notify_team])
