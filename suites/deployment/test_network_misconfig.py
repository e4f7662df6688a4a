"""Network misconfigurations, each built for real on loopback, each with its own diagnosis."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from stormproof.deployment import (
    FAST,
    Deployment,
    assert_diagnosis,
    start_port_443_ingress,
)
from stormproof.doctor import DoctorOptions
from stormproof.world import LOOPBACK, IngressKind, free_port


async def test_unresolvable_host_is_a_dns_finding(deployment: Deployment) -> None:
    # RFC 6761: .invalid never resolves, so this is a DNS failure on every machine.
    report = await deployment.doctor("stormproof-no-such-host.invalid:7233")
    failure = report.first_failure
    assert failure is not None and failure.name == "dns", report.checks
    assert failure.code in {"dns_unresolved", "dns_timeout"}
    assert "TEMPORAL_ADDRESS" in (failure.fix or "") or failure.code == "dns_timeout"


async def test_closed_port_is_refused(deployment: Deployment) -> None:
    options = FAST.model_copy(update={"alternate_ports": ()})
    report = await deployment.doctor(f"{LOOPBACK}:{free_port()}", options)
    assert_diagnosis(report, "tcp", "tcp_refused", "connection refused")


async def test_frontend_port_where_the_ingress_serves_443(deployment: Deployment) -> None:
    ingress, alternates = await start_port_443_ingress(deployment)
    try:
        options = FAST.model_copy(update={"alternate_ports": alternates})
        report = await deployment.doctor(
            f"{ingress.spec.host}:7233", options, **deployment.tls_settings()
        )
        assert_diagnosis(
            report, "tcp", "wrong_port", f"use TEMPORAL_ADDRESS={ingress.address}", "TLS"
        )
        assert report.first_failure is not None
        assert report.first_failure.details["suggested_port"] == ingress.port
    finally:
        ingress.stop()


async def test_plaintext_client_on_the_tls_ingress(deployment: Deployment) -> None:
    report = await deployment.doctor(deployment.address(IngressKind.TLS_H2), tls="false")
    assert_diagnosis(report, "tls", "plaintext_to_tls", "expects TLS", "TEMPORAL_TLS=true")


async def test_tls_client_on_the_plaintext_frontend(deployment: Deployment) -> None:
    options = FAST.model_copy(update={"alternate_ports": ()})
    report = await deployment.doctor(deployment.server.address, options, tls="true")
    assert_diagnosis(report, "tls", "tls_to_plaintext", "speaks plaintext", "TEMPORAL_TLS=false")


async def test_http1_only_ingress(deployment: Deployment) -> None:
    report = await deployment.doctor(
        deployment.address(IngressKind.HTTP1_ONLY), **deployment.tls_settings()
    )
    assert_diagnosis(report, "http2", "no_http2", "http/1.1", "gRPC needs it", "http2")


async def test_private_ca_not_given(deployment: Deployment) -> None:
    report = await deployment.doctor(deployment.address(IngressKind.TLS_H2), tls="true")
    assert_diagnosis(report, "tls", "tls_untrusted", "not trusted", "SERVER_CA_CERT_PATH")


async def test_server_name_not_in_certificate(deployment: Deployment) -> None:
    report = await deployment.doctor(
        deployment.address(IngressKind.TLS_H2),
        tls_ca=str(deployment.pki.ca),
        tls_server_name="temporal.wrong.example",
    )
    assert_diagnosis(
        report, "tls", "tls_name_mismatch", "temporal.wrong.example", "localhost", "SERVER_NAME"
    )


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port that accepts TCP (the kernel's backlog) and then never says a word."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        sock.listen(8)
        yield sock.getsockname()[1]


async def test_a_silent_server_is_given_up_on_within_seconds(
    deployment: Deployment, black_hole: int
) -> None:
    options = DoctorOptions(connect_timeout=1.0, alternate_ports=())
    report = await deployment.doctor(f"{LOOPBACK}:{black_hole}", options, tls="true")
    assert_diagnosis(report, "tls", "tls_timeout", "did not answer the TLS handshake")
    assert sum(c.elapsed for c in report.checks) < 5.0, report.checks
