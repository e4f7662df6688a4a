"""The shared fault script and call log, without any server in front of them.

The fake LLM and the sink both judge through these, so their contract is pinned here once:
faults come out per key in the order scripted, a standing fault follows the script, a wait
ends as soon as its condition holds and fails with the log when it never does, and
concurrent requests never lose or share a sequence number.
"""

from __future__ import annotations

import threading
import time

import pytest
from pydantic import BaseModel

from stormproof.fixtures.errors import WaitTimeout
from stormproof.fixtures.scripted import CallLog, FaultScript, LogRecord


class Boom(BaseModel):
    name: str
    times: int = 1


class Hit(LogRecord):
    key: str | None
    status: int | None = None


def new_log() -> CallLog[Hit]:
    return CallLog(Hit, key=lambda h: h.key, line=lambda h: f"#{h.seq} {h.key}", title="hits")


def test_faults_come_out_in_order_per_key():
    script: FaultScript[Boom] = FaultScript()
    script.script("a", [Boom(name="a1", times=2), Boom(name="a2")])
    script.script("b", [Boom(name="b1")])
    script.script("a", [Boom(name="a3")])  # appended after what is already there
    assert script.pending("a") == 4
    taken = [script.take("a") for _ in range(5)]
    assert [f.name if f else None for f in taken] == ["a1", "a1", "a2", "a3", None]
    assert script.take("b") == Boom(name="b1")
    assert (script.take("b"), script.take("never-scripted"), script.take(None)) == (None,) * 3


def test_standing_fault_follows_the_script_until_lifted():
    script: FaultScript[Boom] = FaultScript()
    script.script("k", [Boom(name="first")])
    script.fail_always("k", Boom(name="always"))
    assert [script.take("k").name for _ in range(3)] == ["first", "always", "always"]
    assert script.pending("k") == 0  # a standing fault is never consumed
    assert script.take("other") is None
    script.fail_always("k", None)
    assert script.take("k") is None
    script.script("k", [Boom(name="x")])
    script.fail_always("k", Boom(name="y"))
    script.reset()
    assert (script.take("k"), script.pending("k")) == (None, 0)


def test_arrive_finish_and_query_by_key():
    log = new_log()
    first = log.arrive(key="a")
    log.arrive(key="b")
    log.arrive(key=None)
    log.finish(first.seq, status=200)
    assert [(h.seq, h.key, h.status) for h in log.records] == [
        (1, "a", 200),
        (2, "b", None),
        (3, None, None),
    ]
    assert [h.seq for h in log.for_key("a")] == [1]
    assert log.records[0].monotonic <= log.records[1].monotonic
    assert log.describe() == "#1 a\n#2 b\n#3 None"
    snapshot = log.records
    snapshot[1].status = 500  # a snapshot is a copy: the log does not change under it
    assert log.records[1].status is None
    with pytest.raises(ValueError, match="no field"):
        log.finish(first.seq, stauts=201)  # a typo fails loudly instead of vanishing


async def test_wait_returns_once_enough_and_times_out_with_the_log():
    log = new_log()
    log.arrive(key="other")
    hits, polled = [], threading.Event()

    def enough(found: list[Hit]) -> bool:
        polled.set()  # the wait has looked at least once before the hits arrive
        return len(found) >= 2

    def arrive_once_polled() -> None:
        polled.wait(5)
        for _ in range(2):
            hits.append(log.arrive(key="a"))

    sender = threading.Thread(target=arrive_once_polled)
    sender.start()
    found = await log.wait_for("a", enough, what="two hits", timeout=5)
    sender.join()
    assert [h.seq for h in found] == [h.seq for h in hits] == [2, 3]
    assert await log.wait_for("none", lambda h: not h, what="nothing", timeout=1) == []

    started = time.monotonic()
    with pytest.raises(WaitTimeout) as caught:
        await log.wait_for("a", lambda h: len(h) >= 3, what="a third hit", timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 3
    message = str(caught.value)
    assert "a third hit" in message and "hits" in message and "#1 other" in message


def test_concurrent_appends_get_unique_ordered_seqs():
    log = new_log()
    threads, per_thread = 8, 200
    start = threading.Barrier(threads)

    def append(name: str) -> None:
        start.wait()
        for _ in range(per_thread):
            hit = log.arrive(key=name)
            log.finish(hit.seq, status=hit.seq)

    workers = [threading.Thread(target=append, args=(f"t{i}",)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    records = log.records
    assert [h.seq for h in records] == list(range(1, threads * per_thread + 1))
    assert all(h.status == h.seq for h in records)  # each finish hit its own record
    for i in range(threads):
        mine = log.for_key(f"t{i}")
        assert len(mine) == per_thread
        assert [h.seq for h in mine] == sorted(h.seq for h in mine)
