"""The app's I/O outside the LLM: the order export it reads and the ticket table it writes.

Tickets live in one table whose primary key is the idempotency key the `file_ticket` tool
derives from the case and the model's tool call id: filing the same ticket again (a
retried activity, a new worker after a crash) is `ON CONFLICT DO NOTHING`, never a second
row. PostgreSQL in production (psycopg's async driver, so a slow database never blocks the
activity's heartbeats); SQLite for a laptop, behind the same two functions.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import psycopg

from examples.agents_pydantic.models import Order

ORDERS = Path(__file__).resolve().parent / "data" / "orders.json"
SCHEMA = """CREATE TABLE IF NOT EXISTS support_tickets (
    ticket_key TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    order_id TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
)"""
COLUMNS = "(ticket_key, case_id, order_id, title, body)"
CONNECT_TIMEOUT_SECONDS = 5


def _read_order(order_id: str) -> Order | None:
    found = json.loads(ORDERS.read_text()).get(order_id)
    return None if found is None else Order.model_validate(found)


async def find_order(order_id: str) -> Order | None:
    """The order from the shop's export (a file read: an activity's work, never a workflow's)."""
    return await asyncio.to_thread(_read_order, order_id)


def _sqlite_path(url: str) -> Path:
    return Path("/" + url.removeprefix("sqlite://").lstrip("/"))


def _sqlite(url: str, statement: str, params: tuple[object, ...]) -> None:
    with sqlite3.connect(_sqlite_path(url), timeout=10) as conn:
        conn.execute(SCHEMA)
        if statement:
            conn.execute(statement, params)


async def create_schema(url: str) -> None:
    """The ticket table, if missing: the worker runs this once at start."""
    if url.startswith("sqlite:"):
        await asyncio.to_thread(_sqlite, url, "", ())
        return
    async with await psycopg.AsyncConnection.connect(
        url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
    ) as conn:
        await conn.execute(SCHEMA)


async def insert_ticket(url: str, row: tuple[str, str, str | None, str, str]) -> None:
    """Insert one ticket row `(ticket_key, case_id, order_id, title, body)`, unless a row is
    already stored under its key: then this insert does nothing."""
    conflict = " ON CONFLICT (ticket_key) DO NOTHING"
    if url.startswith("sqlite:"):
        statement = f"INSERT INTO support_tickets {COLUMNS} VALUES (?, ?, ?, ?, ?){conflict}"
        await asyncio.to_thread(_sqlite, url, statement, row)
        return
    statement = f"INSERT INTO support_tickets {COLUMNS} VALUES (%s, %s, %s, %s, %s){conflict}"
    async with await psycopg.AsyncConnection.connect(
        url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
    ) as conn:
        await conn.execute(statement, row)
