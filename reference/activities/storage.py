"""`store_report_metadata`: one row per report in `stormproof_reports`, SQLite or PostgreSQL.

Idempotency lives in the database, not in the worker's memory: `report_id` is the primary
key and the insert is `ON CONFLICT (report_id) DO NOTHING`, so an attempt that committed
but died before reporting success (the classic duplicate) is harmless when retried, and
the row keeps the attempt number of the first attempt that succeeded. Connections time
out after a few seconds so a database that is down fails the attempt quickly and
Temporal's retry policy, not a hung socket, decides what happens next.
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import psycopg
from temporalio import activity
from temporalio.exceptions import ApplicationError

from stormproof.reference.activities.pg import PgConnections
from stormproof.reference.models import StoreMetadataInput, StoreMetadataOutput
from stormproof.reference.settings import WorkerSettings

CONNECT_TIMEOUT_SECONDS = 5

TABLE = "stormproof_reports"


@dataclass(frozen=True)
class Schema:
    """The DDL and insert statement; `{p}` is the driver's placeholder."""

    create: str
    insert: str


IDEMPOTENT = Schema(
    create=f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        report_id TEXT PRIMARY KEY,
        workflow_id TEXT NOT NULL,
        pdf_path TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)""",
    insert=f"""INSERT INTO {TABLE} (report_id, workflow_id, pdf_path, attempt)
        VALUES ({{p}}, {{p}}, {{p}}, {{p}}) ON CONFLICT (report_id) DO NOTHING""",
)


def sqlite_path(url: str) -> Path:
    """The file behind a `sqlite:///` URL.

    Both `sqlite:///abs/path.db` (as the contract writes it) and SQLAlchemy's
    `sqlite:////abs/path.db` name the absolute path; `sqlite:///./rel.db` is relative to
    the worker's working directory.
    """
    rest = url.removeprefix("sqlite:///")
    if rest.startswith(("./", "../")):
        return Path(rest)
    return Path("/" + rest.lstrip("/"))


class StorageActivities:
    """`schema` is swappable only so reference/broken/ can build its negative control."""

    def __init__(self, settings: WorkerSettings, *, schema: Schema = IDEMPOTENT) -> None:
        self._url = settings.database_url
        self._schema = schema
        self._pg = PgConnections(settings.database_url, CONNECT_TIMEOUT_SECONDS)

    @activity.defn(name="store_report_metadata")
    async def store_report_metadata(self, request: StoreMetadataInput) -> StoreMetadataOutput:
        attempt = activity.info().attempt
        row = (request.report_id, request.workflow_id, request.pdf_path, attempt)
        try:
            if self._url.startswith("sqlite:///"):
                inserted = await asyncio.to_thread(self._store_sqlite, row)
            else:
                inserted = await self._store_postgres(row)
        except (sqlite3.Error, psycopg.Error, OSError) as exc:
            # Retryable: a locked, restarting or unreachable database is usually transient.
            raise ApplicationError(
                f"could not store metadata for report {request.report_id!r}: {exc}",
                type="DatabaseUnavailable",
            ) from exc
        return StoreMetadataOutput(inserted=inserted, attempt=attempt)

    def _store_sqlite(self, row: tuple[str, str, str, int]) -> bool:
        path = sqlite_path(self._url)
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, timeout=CONNECT_TIMEOUT_SECONDS)
        try:
            with connection:  # one transaction: commit on success, roll back on error
                connection.execute(self._schema.create)
                cursor = connection.execute(self._schema.insert.format(p="?"), row)
                return cursor.rowcount > 0
        finally:
            connection.close()

    async def _store_postgres(self, row: tuple[str, str, str, int]) -> bool:
        # One committed transaction per attempt, on a connection kept between attempts
        # (pg.py): an exception rolls back and the connection is dropped.
        rowcount, _ = await self._pg.execute(
            self._schema.create, self._schema.insert.format(p="%s"), row
        )
        return rowcount > 0
