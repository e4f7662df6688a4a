"""Broken twin: the notification is deduplicated in a process-local set, with no key sent.

Within one process a retry is skipped once the POST succeeded; but a worker that dies after
the POST landed and before Temporal heard of it takes the set with it, and the new worker
notifies the team again. Rejected as `duplicate-effect` by the default chaos run's row for
the worker death after the POST landed (fault 10), run by
examples/hello_world/tests/test_default_rows.py.
"""

from __future__ import annotations

from temporalio import activity

from examples.hello_world.activities import NotifyRequest, create, post_webhook
from examples.hello_world.worker import main

_SENT: set[str] = set()


@activity.defn(name="notify_team")
async def notify_team(request: NotifyRequest) -> None:
    if request.workflow_id in _SENT:
        return
    await post_webhook(request, {})
    _SENT.add(request.workflow_id)


if __name__ == "__main__":
    main([create, notify_team])
