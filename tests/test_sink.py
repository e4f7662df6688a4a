"""The notification sink: raw deliveries, effect counting by key, and every fault.

The sink is the judge of exactly-once notification, so these tests pin down what counts as
an effect: accepted deliveries, de-duplicated by Idempotency-Key.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from stormproof.fixtures.sink import (
    AcceptThenDrop,
    AcceptThenStatus,
    NotificationSink,
    SinkDelay,
    SinkDrop,
    SinkFaultAdapter,
    SinkStatus,
)
from stormproof.fixtures.wait import wait_for_sync


@pytest.fixture
def sink() -> Iterator[NotificationSink]:
    with NotificationSink() as server:
        yield server


def notify(sink: NotificationSink, report_id: str, key: str | None, timeout: float = 5):
    headers = {"Idempotency-Key": key} if key else {}
    body = {"event": "report.ready", "report_id": report_id, "status": "completed", "attempt": 1}
    return httpx.post(sink.url, json=body, headers=headers, timeout=timeout)


def new_id() -> str:
    return "rep-" + uuid.uuid4().hex[:8]


def test_deliveries_are_recorded_raw(sink: NotificationSink):
    report = new_id()
    assert sink.url == f"http://127.0.0.1:{sink.port}/hooks/report"
    response = notify(sink, report, "key-1")
    assert response.status_code == 200 and response.json() == {"received": True}
    [d] = sink.deliveries_for(report)
    assert (d.seq, d.method, d.path, d.idempotency_key) == (1, "POST", "/hooks/report", "key-1")
    assert d.body is not None and d.body["report_id"] == report and d.report_id == report
    assert json.loads(d.raw) == d.body and '"event":"report.ready"' in d.raw
    assert (d.status, d.accepted, d.fault) == (200, True, None)


def test_effects_are_deduplicated_by_key(sink: NotificationSink):
    same, fresh, keyless = new_id(), new_id(), new_id()
    for _ in range(3):
        notify(sink, same, "stable-key")
    for i in range(3):
        notify(sink, fresh, f"new-key-{i}")
    for _ in range(2):
        notify(sink, keyless, None)
    assert (len(sink.deliveries_for(same)), sink.effects_for(same)) == (3, 1)
    assert (len(sink.deliveries_for(fresh)), sink.effects_for(fresh)) == (3, 3)
    assert (len(sink.deliveries_for(keyless)), sink.effects_for(keyless)) == (2, 2)
    assert sink.effects_for(new_id()) == 0


def test_status_fault_is_not_an_effect(sink: NotificationSink):
    report, other = new_id(), new_id()
    sink.script(report, [SinkStatus(code=500, times=2), SinkStatus(code=409)])
    assert [notify(sink, report, "k").status_code for _ in range(4)] == [500, 500, 409, 200]
    assert notify(sink, other, "k2").status_code == 200  # scripts are per report
    assert [(d.status, d.accepted) for d in sink.deliveries_for(report)] == [
        (500, False),
        (500, False),
        (409, False),
        (200, True),
    ]
    assert sink.effects_for(report) == 1


def test_accept_then_status_is_an_effect_the_sender_thinks_failed(sink: NotificationSink):
    report = new_id()
    sink.script(report, [AcceptThenStatus(code=502)])
    assert notify(sink, report, "k").status_code == 502
    assert notify(sink, report, "k").status_code == 200  # the sender's retry, same key
    assert [d.accepted for d in sink.deliveries_for(report)] == [True, True]
    assert sink.effects_for(report) == 1
    notify(sink, report, "another-key")  # a sender that changes its key is caught
    assert sink.effects_for(report) == 2


def test_accept_then_drop_and_drop(sink: NotificationSink):
    accepted, lost = new_id(), new_id()
    sink.script(accepted, [AcceptThenDrop()])
    sink.script(lost, [SinkDrop()])
    for report in (accepted, lost):
        with pytest.raises(httpx.RemoteProtocolError):
            notify(sink, report, "k")
    [a] = sink.deliveries_for(accepted)
    [b] = sink.deliveries_for(lost)
    assert (a.status, a.accepted, a.fault) == (None, True, "accept_then_drop")
    assert (b.status, b.accepted, b.fault) == (None, False, "drop")
    assert (sink.effects_for(accepted), sink.effects_for(lost)) == (1, 0)


def test_delay_then_accept_or_sender_timeout(sink: NotificationSink):
    report = new_id()
    sink.script(report, [SinkDelay(seconds=0.3), SinkDelay(seconds=5)])
    started = time.monotonic()
    assert notify(sink, report, "k").status_code == 200
    assert time.monotonic() - started >= 0.3
    with pytest.raises(httpx.ReadTimeout):
        notify(sink, report, "k", timeout=0.2)
    first = sink.deliveries_for(report)[0]
    assert (first.accepted, first.fault) == (True, "delay")


def test_stop_ends_a_held_delivery(sink: NotificationSink):
    report = new_id()
    sink.script(report, [SinkDelay(seconds=60)])
    errors: list[Exception] = []

    def send() -> None:
        try:
            notify(sink, report, "k", timeout=30)
        except httpx.HTTPError as exc:
            errors.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    wait_for_sync(lambda: sink.deliveries_for(report), what="the held delivery", timeout=5)
    started = time.monotonic()
    sink.stop()
    sender.join(timeout=5)
    assert not sender.is_alive() and time.monotonic() - started < 3
    assert len(errors) == 1
    assert sink.deliveries_for(report)[0].accepted is False


def test_down_answers_503_until_up(sink: NotificationSink):
    report = new_id()
    sink.set_down(True)
    assert notify(sink, report, "k").status_code == 503
    sink.set_down(False)
    assert notify(sink, report, "k").status_code == 200
    assert [(d.status, d.accepted, d.fault) for d in sink.deliveries_for(report)] == [
        (503, False, "down"),
        (200, True, None),
    ]
    assert sink.effects_for(report) == 1


def test_bad_requests_are_rejected_and_not_effects(sink: NotificationSink):
    assert httpx.post(sink.url, content=b"not json").status_code == 400
    wrong_path = sink.url.replace("/hooks/report", "/elsewhere")
    assert httpx.post(wrong_path, json={"report_id": "x"}).status_code == 404
    assert [(d.status, d.accepted, d.body) for d in sink.deliveries] == [
        (400, False, None),
        (404, False, {"report_id": "x"}),
    ]
    assert sink.effects_for("x") == 0


def test_faults_validate_from_json():
    assert SinkFaultAdapter.validate_python({"kind": "accept_then_status", "code": 503}) == (
        AcceptThenStatus(code=503)
    )


def test_a_teams_delivery_is_found_and_faulted_by_the_owner_its_body_names(
    sink: NotificationSink,
) -> None:
    """No report_id field: the owner (a workflow id) named in the body attributes the
    delivery and draws its scripted fault; a longer id that starts with it does not."""
    sink.script("ch1-s1", [SinkStatus(code=503)])
    post = lambda body: httpx.post(sink.url, json=body, timeout=5)  # noqa: E731
    assert post({"event": "done", "workflow": "ch1-s1"}).status_code == 503
    assert post({"event": "done", "workflow": "ch1-s10"}).status_code == 200
    assert post({"text": "ch1-s1 again"}).status_code == 200
    assert [d.status for d in sink.deliveries_for("ch1-s1")] == [503, 200]
    assert [d.status for d in sink.deliveries_for("ch1-s10")] == [200]
    assert sink.effects_for("ch1-s1") == 1
