"""Broken twin (worker): each insert of a ticket gets a fresh key, so the table cannot tell
a retry from a new ticket.

The team's first version: `ticket_key = uuid4()` per insert, the row's own id, instead of a
key that is the same for every attempt. When the worker dies after the row was committed and
before Temporal heard that the tool's activity finished, Temporal runs the activity again
and a second ticket is filed for the same case. Rejected by the default chaos run's fault 10
row (`test_f10_effect_then_death`, its row death) as `duplicate-effect`
(examples/agents_pydantic/tests/test_default_rows.py).
"""

from __future__ import annotations

import uuid

from pydantic_ai import RunContext

from examples.agents_pydantic.agents import build_agents, chat_model, tickets_toolset
from examples.agents_pydantic.models import SupportDeps
from examples.agents_pydantic.settings import SupportSettings
from examples.agents_pydantic.worker import main


def new_key(ctx: RunContext[SupportDeps]) -> str:
    return f"{ctx.deps.case_id}/{uuid.uuid4()}"


if __name__ == "__main__":
    main(build_agents(chat_model(SupportSettings()), tickets=tickets_toolset(new_key)).all)
