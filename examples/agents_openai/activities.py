"""The app's activities: everything that touches the world outside the workflow.

- `lookup_order` reads the team's order book (`orders.json` here, a database in production):
  read-only, so any number of retries is harmless. The triage agent calls it as a tool
  (`activity_as_tool`), so the read happens in an activity, recorded in the history, and a
  replay never reads the file again.
- `create_ticket` files a ticket: a POST to the team's ticketing webhook carrying an
  `Idempotency-Key` the workflow derived from its own id and the model's tool call id
  (`ticket_key`). Both are in the history, so every attempt of the activity, in any worker
  process, sends the same key, and the ticketing system files one ticket however often
  Temporal retries the POST. The ticket's id is derived from the key for the same reason.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError

from examples.agents_openai.settings import Settings

IDEMPOTENCY_HEADER = "Idempotency-Key"
ORDERS = Path(__file__).resolve().with_name("orders.json")


@dataclass
class TicketRequest:
    """One ticket to file: whose run asked, under which key, and what it says."""

    workflow_id: str
    idempotency_key: str
    order_id: str
    summary: str
    priority: str


def ticket_key(workflow_id: str, tool_call_id: str) -> str:
    """The same for every attempt and every worker: one tool call, one ticket."""
    return f"support-triage/{workflow_id}/{tool_call_id}"


def ticket_id(key: str) -> str:
    """The ticket's id, a function of its key: a retried POST names the same ticket."""
    return "T-" + hashlib.sha256(key.encode()).hexdigest()[:10].upper()


def read_order(order_id: str) -> str:
    """The order as JSON text the model reads, or a sentence saying there is none."""
    orders = json.loads(ORDERS.read_text())
    order = orders.get(order_id.strip().upper())
    if order is None:
        return f"No order {order_id} was found."
    return json.dumps({"order_id": order_id, **order})


@activity.defn
async def lookup_order(order_id: str) -> str:
    """Look up an order by its id (e.g. A-1001): customer, item, delivery status."""
    return read_order(order_id)


async def post_ticket(request: TicketRequest, headers: dict[str, str]) -> str:
    """POST the ticket; a busy or unreachable webhook is retried by Temporal, a refusal is
    final. Returns the ticket's id."""
    settings = Settings()
    body = {
        "workflow_id": request.workflow_id,
        "order_id": request.order_id,
        "summary": request.summary,
        "priority": request.priority,
    }
    try:
        async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds) as http:
            response = await http.post(settings.webhook_url, json=body, headers=headers)
    except httpx.TransportError as exc:
        name = type(exc).__name__
        raise ApplicationError(f"ticketing webhook unreachable: {name}", type=name) from None
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise ApplicationError(
            f"ticketing webhook answered {response.status_code}", type="WebhookBusy"
        )
    if response.status_code >= 400:
        raise ApplicationError(
            f"ticketing webhook refused the ticket: {response.status_code}",
            type="WebhookRefused",
            non_retryable=True,
        )
    return ticket_id(headers.get(IDEMPOTENCY_HEADER) or request.idempotency_key)


@activity.defn
async def create_ticket(request: TicketRequest) -> str:
    """File the ticket once per tool call, whatever the retries: the key travels with it."""
    return await post_ticket(request, {IDEMPOTENCY_HEADER: request.idempotency_key})


ACTIVITIES = [lookup_order, create_ticket]
