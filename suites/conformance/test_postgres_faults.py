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

The same checks reject the twins that take either failure for a final one:
gives_up_on_postgres_reset (a dropped connection fails the step for good) and
gives_up_on_silent_postgres (a statement unanswered for 3 s fails it for good).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stormproof.conformance.checks import (
    assert_one_notification,
    assert_one_row,
    completed,
    progress_step,
    step_retried,
)
from stormproof.conformance.dev_world import DevWorld
from stormproof.diagnosis import BugClass, rejected_as
from stormproof.world import PostgresCluster, ToxiproxyClient, ToxiproxyServer, broken_argv

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


async def check_reset_is_retried(world: DevWorld, link: PgLink, argv: list[str] | None) -> None:
    """Every connection reset as soon as it carries data, until a step is retried; then
    healed: the report completes with one row and one notification."""
    worker = await world.factory.start("worker-pg-reset", argv=argv, database_url=link.url)
    link.toxiproxy.add_toxic(link.proxy, "reset_peer", name="reset", timeout=0)
    run = await world.judge.start_report(worker)
    step = await step_retried(run, "PostgreSQL resets every connection")
    link.toxiproxy.heal(link.proxy)
    await completed(run, BugClass.RETRY_CLASSIFICATION, f"{step} after a reset is retried")
    assert_one_row(world.judge, run)
    assert_one_notification(world.judge, run)


async def check_silence_is_retried(world: DevWorld, link: PgLink, argv: list[str] | None) -> None:
    """Once the report waits for approval, PostgreSQL answers nothing; the approved store
    step hangs until Temporal times it out and retries it; then healed: one row, one
    notification."""
    worker = await world.factory.start("worker-pg-silent", argv=argv, database_url=link.url)
    run = await world.judge.start_report(worker, require_approval=True)
    await progress_step(run, "awaiting_approval")
    link.toxiproxy.add_toxic(link.proxy, "timeout", name="silent", timeout=0)
    await run.handle.signal("approve", {"reviewer": "ops@example.com", "comment": "go"})
    step = await step_retried(run, "PostgreSQL answers nothing")
    link.toxiproxy.heal(link.proxy)
    await completed(run, BugClass.RETRY_CLASSIFICATION, f"{step} after a silent database")
    assert_one_row(world.judge, run)
    assert_one_notification(world.judge, run)


async def test_postgres_reset_mid_request_is_retried(dev_world: DevWorld, pg_link: PgLink):
    await check_reset_is_retried(dev_world, pg_link, None)


async def test_postgres_without_answer_is_timed_out_and_retried(
    dev_world: DevWorld, pg_link: PgLink
):
    await check_silence_is_retried(dev_world, pg_link, None)


@pytest.mark.failure_modes
@pytest.mark.negative_control
async def test_negative_control_postgres_reset_final(dev_world: DevWorld, pg_link: PgLink):
    with rejected_as(BugClass.RETRY_CLASSIFICATION):
        await check_reset_is_retried(dev_world, pg_link, broken_argv("gives_up_on_postgres_reset"))


@pytest.mark.failure_modes
@pytest.mark.negative_control
async def test_negative_control_silent_postgres_final(dev_world: DevWorld, pg_link: PgLink):
    argv = broken_argv("gives_up_on_silent_postgres")
    with rejected_as(BugClass.RETRY_CLASSIFICATION):
        await check_silence_is_retried(dev_world, pg_link, argv)
