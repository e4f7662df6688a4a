"""Free ports are never handed out twice while their holder lives."""

from __future__ import annotations

from pathlib import Path

from stormproof.fixtures.ports import free_port


def test_free_ports_are_unique_within_a_process():
    ports = [free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)


def test_ports_come_from_below_the_kernels_ephemeral_range():
    # Outbound connections take local ports from the ephemeral range; a port reserved
    # there could be taken before the server we hand it to binds it.
    floor = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    assert all(free_port() < floor for _ in range(50))
