"""The reference's kept PostgreSQL connections (reference/activities/pg.py) against a real
server: reused between statements, and no attempt lost when the server died in between.

The chaos suite restarts PostgreSQL under a running worker (f7); what it needs from the
pool is that a connection killed while idle is replaced without failing the next
statement, that a table dropped behind the worker's back is created again, and that a
database that is down fails the statement (connect_timeout) instead of hanging.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from stormproof.fixtures.postgres import PostgresCluster
from stormproof.reference.activities.pg import PgConnections

CREATE = "CREATE TABLE IF NOT EXISTS kept (k TEXT PRIMARY KEY)"
INSERT = "INSERT INTO kept (k) VALUES (%s) ON CONFLICT (k) DO NOTHING"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[PostgresCluster]:
    with PostgresCluster(log_dir=tmp_path) as pg:
        yield pg


def _backends(cluster: PostgresCluster) -> int:
    rows = cluster.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' "
        "AND pid <> pg_backend_pid()"
    )
    return int(rows[0][0])


def test_statements_reuse_one_connection_and_commit(cluster: PostgresCluster):
    async def scenario() -> list[int]:
        pool = PgConnections(cluster.url, 5)
        counts = [(await pool.execute(CREATE, INSERT, (f"k{i}",)))[0] for i in range(5)]
        counts.append((await pool.execute(CREATE, INSERT, ("k0",)))[0])  # a repeat: no row
        assert _backends(cluster) == 1  # one kept connection served all six
        return counts

    assert asyncio.run(scenario()) == [1, 1, 1, 1, 1, 0]
    assert cluster.execute("SELECT count(*) FROM kept") == [(5,)]


def test_a_connection_killed_while_idle_costs_no_statement(cluster: PostgresCluster):
    async def scenario() -> None:
        pool = PgConnections(cluster.url, 5)
        await pool.execute(CREATE, INSERT, ("before",))
        cluster.kill()
        cluster.restart()
        rowcount, _ = await pool.execute(CREATE, INSERT, ("after",))
        assert rowcount == 1

    asyncio.run(scenario())
    assert cluster.execute("SELECT k FROM kept ORDER BY k") == [("after",), ("before",)]


def test_a_dropped_table_is_created_again(cluster: PostgresCluster):
    async def scenario() -> None:
        pool = PgConnections(cluster.url, 5)
        await pool.execute(CREATE, INSERT, ("one",))
        cluster.execute("DROP TABLE kept")
        assert (await pool.execute(CREATE, INSERT, ("two",)))[0] == 1

    asyncio.run(scenario())
    assert cluster.execute("SELECT k FROM kept") == [("two",)]


def test_a_database_that_is_down_fails_within_the_connect_timeout(cluster: PostgresCluster):
    async def scenario() -> None:
        pool = PgConnections(cluster.url, 2)
        await pool.execute(CREATE, INSERT, ("one",))
        cluster.kill()
        with pytest.raises(psycopg.OperationalError):  # not wait_for's TimeoutError
            await asyncio.wait_for(pool.execute(CREATE, INSERT, ("two",)), 30)

    asyncio.run(scenario())


def test_concurrent_first_statements_all_succeed(cluster: PostgresCluster):
    """The first statements of a busy worker arrive together: without one DDL at a time,
    concurrent CREATE TABLE IF NOT EXISTS collide (a duplicate pg_type row) and the ledger
    would be skipped, or a metadata attempt failed, for nothing."""

    async def scenario() -> list[tuple[int, object]]:
        pool = PgConnections(cluster.url, 5)
        return await asyncio.gather(*(pool.execute(CREATE, INSERT, (f"k{i}",)) for i in range(20)))

    assert [count for count, _ in asyncio.run(scenario())] == [1] * 20
