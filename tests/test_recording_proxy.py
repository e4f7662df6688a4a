"""The recording proxy counts what reached a service, and the observer attributes it.

The upstream here is the notification sink (any HTTP service would do); the proxy must pass
requests through unchanged, record each with its status and headers, and record a service
that cannot be reached as 502, which is no effect.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from stormproof.adapter import ServiceCalls
from stormproof.chaos.observe import Owners, service_calls
from stormproof.fixtures.ports import LOOPBACK, free_port
from stormproof.fixtures.recording_proxy import HoldReply, ProxyAnswer, RecordingProxy
from stormproof.fixtures.sink import SINK_PATH, NotificationSink
from stormproof.fixtures.wait import wait_for_sync


def test_passes_through_and_records() -> None:
    with NotificationSink() as sink, RecordingProxy("hr", (LOOPBACK, sink.port)) as proxy:
        url = f"http://{proxy.address_str}{SINK_PATH}"
        body = {"report_id": "t1-r1", "text": "[sp-0123456789ab] hello"}
        answer = httpx.post(url, json=body, headers={"Idempotency-Key": "k1"})
        assert answer.status_code == 200 and answer.json() == {"received": True}
        assert [d.idempotency_key for d in sink.deliveries] == ["k1"]
        [seen] = proxy.requests
        assert seen.ok and seen.path == SINK_PATH and seen.header("idempotency-key") == "k1"


def test_unreachable_service_is_no_effect() -> None:
    with RecordingProxy("hr", (LOOPBACK, free_port())) as proxy:
        answer = httpx.post(f"http://{proxy.address_str}/messages", json={"m": "t1-r1"})
        assert answer.status_code == 502
        assert [r.status for r in proxy.requests] == [502]
        owners = Owners("t1", {})
        assert service_calls(proxy.requests, ServiceCalls(service="hr"), owners) == []


def test_calls_are_attributed_by_marker_or_id_and_keyed() -> None:
    with NotificationSink() as sink, RecordingProxy("hr", (LOOPBACK, sink.port)) as proxy:
        url = f"http://{proxy.address_str}{SINK_PATH}"
        for key in ("k1", "k1", None):  # a retry with its key, then one without any
            headers = {"Idempotency-Key": key} if key else {}
            httpx.post(url, json={"q": "[sp-0123456789ab] hi"}, headers=headers)
        httpx.post(url, json={"q": "t1-zz asks"})  # this run's tag, nobody's unit
        owners = Owners("t1", {"sp-0123456789ab": "t1-r1"})
        keyed = ServiceCalls(service="hr", idempotency_header="Idempotency-Key")
        found = service_calls(proxy.requests, keyed, owners)
        assert [(o.owner, o.key) for o in found] == [
            ("t1-r1", "k1"),
            ("t1-r1", "k1"),
            ("t1-r1", None),
            ("t1-zz", None),
        ]


def test_a_held_reply_lands_first_and_reaches_the_caller_later() -> None:
    """HoldReply: the service has answered (logged, the effect is in) while the caller still
    waits; other owners' requests pass at once, and the script is spent after one use."""
    with NotificationSink() as sink, RecordingProxy("hr", (LOOPBACK, sink.port)) as proxy:
        url = f"http://{proxy.address_str}{SINK_PATH}"
        proxy.script("t1-r1", [HoldReply(seconds=30)])
        with ThreadPoolExecutor(1) as pool:
            held = pool.submit(httpx.post, url, json={"report_id": "t1-r1"}, timeout=60)
            wait_for_sync(
                lambda: [r.status for r in proxy.requests] == [200],
                what="the held request's answer logged",
                timeout=10,
            )
            assert len(sink.deliveries) == 1 and not held.done()
            other = httpx.post(url, json={"report_id": "t1-r10"}, timeout=10)  # not t1-r1
            assert other.status_code == 200 and not held.done()
            proxy.stop()  # a stopping proxy ends the hold: the caller hears nothing
            with pytest.raises(httpx.HTTPError):
                held.result(timeout=10)
        assert proxy.faults.take("t1-r1") is None  # spent


def test_an_injected_answer_never_reaches_the_service_and_is_no_effect() -> None:
    with NotificationSink() as sink, RecordingProxy("hr", (LOOPBACK, sink.port)) as proxy:
        url = f"http://{proxy.address_str}{SINK_PATH}"
        malformed = ProxyAnswer(
            status=200, body="<html>maintenance</html>", content_type="text/html"
        )
        proxy.script("t1-r1", [ProxyAnswer(status=429, headers={"Retry-After": "1"}), malformed])
        limited = httpx.post(url, json={"report_id": "t1-r1"})
        garbled = httpx.post(url, json={"report_id": "t1-r1"})
        landed = httpx.post(url, json={"report_id": "t1-r1"})
        assert (limited.status_code, limited.headers["retry-after"]) == (429, "1")
        assert (garbled.status_code, garbled.text) == (200, "<html>maintenance</html>")
        assert landed.json() == {"received": True} and len(sink.deliveries) == 1
        assert [(r.status, r.injected, r.ok) for r in proxy.requests] == [
            (429, True, False),
            (200, True, False),
            (200, False, True),
        ]
