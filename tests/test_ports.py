"""Free ports are never handed out twice while their holder lives."""

from __future__ import annotations

from fixtures.ports import free_port


def test_free_ports_are_unique_within_a_process():
    ports = [free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)
