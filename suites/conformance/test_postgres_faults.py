"""PostgreSQL that resets a connection mid-request, or stops answering, is a transient
failure: Temporal retries the step (the reference's pool also reconnects inside an
attempt), and the report still ends with exactly one row and one notification.

The worker reaches PostgreSQL through a Toxiproxy of the test's own, on a dev server of
the test's own (real time: the retry's backoff leaves room to heal the link between
attempts). Reset: a `reset_peer` toxic resets every connection as soon as it carries data,
until Temporal reports an attempt failed. No answer: the report waits for approval, a
`timeout` toxic then swallows every byte, and the approved report's store step hangs
until its start_to_close (15 s) times it out; the link heals once Temporal schedules the
retry. Either way the effect must be single.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stormproof.conformance import Run
from stormproof.conformance.checks import (
    assert_one_notification,
    assert_one_row,
    completed,
    progress_step,
)
from stormproof.conformance.dev_world import DevWorld
from stormproof.diagnosis import BugClass
from stormproof.world import PostgresCluster, ToxiproxyClient, ToxiproxyServer, wait_for

pytestmark = [pytest.mark.worker_process, pytest.mark.toxiproxy, pytest.mark.local_server]


@dataclass
class PgLink:
    """The test's database, reached through a proxy whose toxics the test sets."""

    toxiproxy: ToxiproxyClient
    proxy: str
    url: str


@pytest.fixture
def pg_link(postgres: PostgresCluster, tmp_path: Path) -> Iterator[PgLink]:
    database = f"pgfaults_{uuid.uuid4().hex[:10]}"
    postgres.execute(f'CREATE DATABASE "{database}"')
    server = ToxiproxyServer(tmp_path / "toxiproxy").start()
    try:
        proxy = server.client.create("postgres", f"127.0.0.1:{postgres.port}")
        user = postgres.url.split("//", 1)[1].split("@", 1)[0]
        url = f"postgresql://{user}@{proxy.address}/{database}"
        yield PgLink(server.client, proxy.name, url)
    finally:
        server.stop()


async def retried(run: Run, what: str) -> str:
    """Wait until Temporal has scheduled a second attempt of some step of `run`."""

    async def second_attempt() -> str | None:
        described = await run.handle.describe()
        pending = described.raw_description.pending_activities
        return next((a.activity_type.name for a in pending if a.attempt >= 2), None)

    return await wait_for(
        second_attempt,
        what=f"a retried step of {run.workflow_id} ({what})",
        timeout=60,
        interval=0.1,
    )


async def test_postgres_reset_mid_request_is_retried(dev_world: DevWorld, pg_link: PgLink):
    worker = await dev_world.factory.start("worker-pg-reset", database_url=pg_link.url)
    pg_link.toxiproxy.add_toxic(pg_link.proxy, "reset_peer", name="reset", timeout=0)
    run = await dev_world.judge.start_report(worker)
    step = await retried(run, "PostgreSQL resets every connection")
    pg_link.toxiproxy.heal(pg_link.proxy)
    await completed(run, BugClass.RETRY_CLASSIFICATION, f"{step} after a reset is retried")
    assert_one_row(dev_world.judge, run)
    assert_one_notification(dev_world.judge, run)


async def test_postgres_without_answer_is_timed_out_and_retried(
    dev_world: DevWorld, pg_link: PgLink
):
    worker = await dev_world.factory.start("worker-pg-silent", database_url=pg_link.url)
    run = await dev_world.judge.start_report(worker, require_approval=True)
    await progress_step(run, "awaiting_approval")
    pg_link.toxiproxy.add_toxic(pg_link.proxy, "timeout", name="silent", timeout=0)
    await run.handle.signal("approve", {"reviewer": "ops@example.com", "comment": "go"})
    step = await retried(run, "PostgreSQL answers nothing")
    pg_link.toxiproxy.heal(pg_link.proxy)
    await completed(run, BugClass.RETRY_CLASSIFICATION, f"{step} after a silent database")
    assert_one_row(dev_world.judge, run)
    assert_one_notification(dev_world.judge, run)
