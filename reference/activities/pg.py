"""PostgreSQL connections kept open between activity attempts, and each table created once.

Opening a connection (TCP, startup, authentication) and running `CREATE TABLE IF NOT
EXISTS` for every statement cost more than the statement itself: the LLM step reads and
writes its ledger, the report step writes its row, so a report paid three connects and
three DDL round trips. Here a finished attempt hands its connection back for the next one
(each attempt still has a connection to itself; every statement commits on its own),
and a table's DDL runs once per process (again if the table turns out to be missing).

What the per-attempt connect gave for free is kept: a connection that failed in any way,
or whose attempt was cancelled mid-statement, is closed, never reused; an idle connection
the server hung up on (PostgreSQL restarted, the link reset while it sat idle) is seen at
checkout, by a look at its socket, and replaced before the statement is sent, so an idle
connection's death costs no attempt; a fresh connect still gives up after `connect_timeout`.

A statement whose connection dies while it runs is not run again here: whether it
committed is unknown, so the attempt fails and Temporal retries it, as it would any
attempt the database dropped (the idempotency of the retry is the activity's business).
"""

from __future__ import annotations

import asyncio
import contextlib
import select
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import errors

# Idle connections kept per database; more concurrent attempts open more and close them.
MAX_IDLE = 8


class PgConnections:
    """Idle connections to one database URL, for the event loop that opened them."""

    def __init__(self, url: str, connect_timeout: float, *, max_idle: int = MAX_IDLE) -> None:
        self._url = url
        self._connect_timeout = connect_timeout
        self._max_idle = max_idle
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._created: set[str] = set()
        self._creating = asyncio.Lock()

    async def execute(self, create: str, statement: str, params: Sequence[Any]) -> tuple[int, Any]:
        """`statement` in its own committed transaction, after `create` (once per process).

        Returns its rowcount and first row (None for a statement that returns none), read
        before the connection is handed on. Raises psycopg.Error / OSError as a fresh
        connection would.
        """
        connection = await self._checkout()
        try:
            result = await self._run(connection, create, statement, params)
        except BaseException:  # failed, or cancelled mid-statement: its state is unknown
            await _discard(connection)
            raise
        await self._checkin(connection)
        return result

    async def _run(
        self, connection: psycopg.AsyncConnection[Any], create: str, statement: str,
        params: Sequence[Any],
    ) -> tuple[int, Any]:  # fmt: skip
        try:
            return await self._statement(connection, create, statement, params)
        except errors.UndefinedTable:
            self._created.discard(create)  # dropped behind our back: create it again
            return await self._statement(connection, create, statement, params)

    async def _statement(
        self, connection: psycopg.AsyncConnection[Any], create: str, statement: str,
        params: Sequence[Any],
    ) -> tuple[int, Any]:  # fmt: skip
        # Autocommit: the statement is its own transaction, committed when it returns, in
        # one round trip rather than BEGIN, statement, COMMIT. The DDL commits on its own
        # (it is idempotent), as every statement here is a single-statement change.
        if create not in self._created:
            async with self._creating:  # one DDL at a time: concurrent ones collide
                if create not in self._created:
                    await _create(connection, create)
                    self._created.add(create)
        cursor = await connection.execute(statement, params)
        row = await cursor.fetchone() if cursor.description else None
        return cursor.rowcount, row

    async def _checkout(self) -> psycopg.AsyncConnection[Any]:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # connections belong to one loop (unit tests run many)
            self._idle.clear()
            self._loop = loop
            self._creating = asyncio.Lock()
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed and not _hung_up(connection):
                return connection
            await _discard(connection)
        return await self._connect()

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(
            self._url, connect_timeout=self._connect_timeout, autocommit=True
        )

    async def _checkin(self, connection: psycopg.AsyncConnection[Any]) -> None:
        if len(self._idle) < self._max_idle and not connection.broken:
            self._idle.append(connection)
        else:
            await _discard(connection)


async def _create(connection: psycopg.AsyncConnection[Any], create: str) -> None:
    """`CREATE TABLE IF NOT EXISTS`, where another process creating the same table at the
    same moment (PostgreSQL then reports a duplicate type, not "exists") counts as done."""
    with contextlib.suppress(errors.UniqueViolation, errors.DuplicateTable):
        await connection.execute(create)


def _hung_up(connection: psycopg.AsyncConnection[Any]) -> bool:
    """An idle autocommit connection that has something to read was closed by the server
    (a restart, a terminated backend, a proxy that lost its upstream): the server sends an
    idle session nothing else we ask for. A look at the socket, no round trip."""
    try:
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
    except (OSError, ValueError, psycopg.Error):
        return True
    return bool(readable)


async def _discard(connection: psycopg.AsyncConnection[Any]) -> None:
    with contextlib.suppress(psycopg.Error, OSError):
        await connection.close()
