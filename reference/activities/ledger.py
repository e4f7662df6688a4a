"""The LLM-result ledger: a reply the worker received is never paid for twice.

An LLM call is the one side effect that cannot be made idempotent at the receiver: every
request is a new, billed completion. Temporal retries an attempt whose completion never
reached it (the worker was killed, or lost its link, right after the reply came back), and
a naive retry asks the LLM again. So the reply is written to the worker's own database,
keyed by workflow id, step (the activity's id within its run) and a digest of the request,
before the activity completes, and every attempt looks there first. Not by run: an
operator's reset starts a new run of the same workflow that asks the same step the same
question, and that reply is already paid for; a continue-as-new run asks a new question
(another digest), so it is not handed an old answer. A ledger in process memory would
look the same in every test that keeps one process alive, and fail exactly when it
matters: after the process dies (reference/broken/ has that twin).

The ledger never makes the LLM step depend on the database: when it cannot be read or
written (PostgreSQL restarting), the step goes on and logs why; only a worker death in that
same window then costs a second call.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import sqlite3
from dataclasses import dataclass

import psycopg
from pydantic import BaseModel
from temporalio import activity

from stormproof.reference.activities.pg import PgConnections
from stormproof.reference.activities.storage import CONNECT_TIMEOUT_SECONDS, sqlite_path

log = logging.getLogger("stormproof.worker.ledger")

TABLE = "stormproof_llm_replies"
CREATE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    workflow_id TEXT NOT NULL,
    step TEXT NOT NULL,
    request_sha TEXT NOT NULL,
    reply TEXT NOT NULL,
    model TEXT NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (workflow_id, step, request_sha))"""
SELECT = f"""SELECT reply, model FROM {TABLE}
    WHERE workflow_id = {{p}} AND step = {{p}} AND request_sha = {{p}}"""
INSERT = f"""INSERT INTO {TABLE} (workflow_id, step, request_sha, reply, model)
    VALUES ({{p}}, {{p}}, {{p}}, {{p}}, {{p}})
    ON CONFLICT (workflow_id, step, request_sha) DO NOTHING"""


@dataclass(frozen=True)
class StepKey:
    """One LLM question of one workflow: the same on every attempt of that step, and in a
    reset's new run that asks it again."""

    workflow_id: str
    step: str
    request_sha: str

    @classmethod
    def current(cls, request: BaseModel) -> StepKey:
        """The running activity's step (activity ids are deterministic within a run) and
        the digest of what it asks."""
        info = activity.info()
        digest = hashlib.sha256(request.model_dump_json().encode()).hexdigest()[:32]
        return cls(info.workflow_id, f"{info.activity_type}#{info.activity_id}", digest)

    def params(self) -> tuple[str, str, str]:
        return (self.workflow_id, self.step, self.request_sha)


@dataclass(frozen=True)
class Recorded:
    reply: str
    model: str


class LlmLedger:
    """Replies by step in `stormproof_llm_replies`, in the worker's SQLite or PostgreSQL."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._pg = PgConnections(database_url, CONNECT_TIMEOUT_SECONDS)

    async def recall(self, key: StepKey) -> Recorded | None:
        """The reply an earlier attempt of this step received, if one was recorded."""
        try:
            if self._url.startswith("sqlite:///"):
                row = await asyncio.to_thread(self._sqlite, SELECT, key.params())
            else:
                row = await self._postgres(SELECT, key.params())
        except (sqlite3.Error, psycopg.Error, OSError) as exc:
            log.warning("LLM ledger unreadable, calling the LLM anyway: %s", exc)
            return None
        return Recorded(reply=row[0], model=row[1]) if row else None

    async def record(self, key: StepKey, reply: str, model: str) -> None:
        """Keep this step's reply before the activity completes (first writer wins)."""
        params = (*key.params(), reply, model)
        try:
            if self._url.startswith("sqlite:///"):
                await asyncio.to_thread(self._sqlite, INSERT, params)
            else:
                await self._postgres(INSERT, params)
        except (sqlite3.Error, psycopg.Error, OSError) as exc:
            log.warning("LLM reply for %s not recorded in the ledger: %s", key, exc)

    def _sqlite(self, statement: str, params: tuple[str, ...]) -> tuple[str, str] | None:
        path = sqlite_path(self._url)
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=CONNECT_TIMEOUT_SECONDS)
        try:
            with connection:  # one transaction: committed before the activity returns
                connection.execute(CREATE)
                return connection.execute(statement.format(p="?"), params).fetchone()
        finally:
            connection.close()

    async def _postgres(self, statement: str, params: tuple[str, ...]) -> tuple[str, str] | None:
        _, row = await self._pg.execute(CREATE, statement.format(p="%s"), params)
        return row
