"""The one link heal works on a cut link that still held data in a latency toxic.

Fault 10's file death slows the worker's messages to Temporal (a latency toxic), then cuts
the link (the proxy disabled) with a completion inside the toxic. Removing that toxic from
a disabled proxy makes toxiproxy (v2.12) flush every buffered chunk into a closed output,
each waiting out a 5 s write timeout, and the heal timed out. `heal` recreates such a
proxy on its own port instead; this test fails on the old heal with a ToxiproxyError.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from pathlib import Path

import pytest

from stormproof.fixtures.toxiproxy import ToxiproxyServer

pytestmark = pytest.mark.toxiproxy


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(4096):
            self.request.sendall(data)


def test_heal_of_a_cut_link_with_buffered_latency(tmp_path: Path) -> None:
    upstream = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Echo)
    upstream.daemon_threads = True
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    server = ToxiproxyServer(tmp_path).start()
    try:
        client = server.client
        proxy = client.create("heal-test", f"127.0.0.1:{upstream.server_address[1]}")
        client.add_toxic(proxy.name, "latency", stream="upstream", latency=3000)
        paced = threading.Event()
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as conn:
            for i in range(20):  # separate chunks in the toxic (traffic, paced; not a wait)
                conn.sendall(f"chunk {i}\n".encode())
                paced.wait(0.02)
            client.set_enabled(proxy.name, False)
        client.heal(proxy.name)  # the old heal: ReadTimeout after 5 s, chunks still queued
        healed = client.get(proxy.name)
        assert healed.enabled and not healed.toxics and healed.port == proxy.port, healed
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as conn:
            conn.sendall(b"after\n")
            assert conn.recv(64) == b"after\n"
    finally:
        server.stop()
        upstream.shutdown()
