"""Network stages: DNS, TCP (with the wrong-port heuristic), TLS and HTTP/2.

Each stage is one question a platform team can act on, asked before the SDK is involved,
so a missing DNS record, a closed port, TLS on one side only and an HTTP/1.1 ingress
never surface as the same opaque "connection error".
"""

from __future__ import annotations

import asyncio

from stormproof.doctor.context import Context
from stormproof.doctor.models import DoctorCheck
from stormproof.doctor.probes import (
    DnsTimeout,
    cleartext_h2,
    resolve,
    tcp_connect,
    tls_handshake,
)

TLS_ON = "set TEMPORAL_TLS=true (--tls), plus TEMPORAL_TLS_SERVER_CA_CERT_PATH (--ca) when "
TLS_ON += "the certificate is signed by a private CA"
TLS_OFF = "set TEMPORAL_TLS=false (--tls false) for this endpoint"
H2_FIX = (
    "enable HTTP/2 on the listener and proxy gRPC through it (nginx: `listen 443 ssl http2;` "
    "with `grpc_pass grpc://frontend:7233;`; AWS ALB: protocol version gRPC; GCP: backend "
    "protocol HTTP/2), or point at a port that terminates TLS with HTTP/2"
)


async def check_dns(ctx: Context) -> DoctorCheck:
    host, port = ctx.target.host, ctx.target.port
    try:
        addresses = await resolve(host, port, ctx.options.connect_timeout)
    except DnsTimeout as exc:
        return DoctorCheck.failed(
            "dns", "dns_timeout", str(exc), "check the resolver (/etc/resolv.conf) and the host"
        )
    except OSError as exc:
        return DoctorCheck.failed(
            "dns",
            "dns_unresolved",
            f"host {host!r} does not resolve: {exc}",
            f"check the host part of TEMPORAL_ADDRESS={ctx.target.address!r} for typos, "
            "and that this machine's DNS can see it (private zones, VPN)",
        )
    return DoctorCheck.passed(
        "dns", "dns_ok", f"{host} resolves to {', '.join(addresses)}", addresses=addresses
    )


async def _alternate(ctx: Context) -> tuple[int, str] | None:
    """A port on the same host that speaks TLS+HTTP/2 (or plaintext gRPC), if any."""
    timeout = min(ctx.options.connect_timeout, 1.5)
    for port in ctx.options.alternate_ports:
        if port == ctx.target.port:
            continue
        try:
            await asyncio.to_thread(tcp_connect, ctx.target.host, port, timeout)
        except OSError:
            continue
        outcome = await asyncio.to_thread(tls_handshake, ctx.target, port, timeout, verify=False)
        if outcome.ok and outcome.alpn == "h2":
            return port, "TLS with HTTP/2"
        if not outcome.ok and not ctx.target.tls:
            cleartext = await asyncio.to_thread(cleartext_h2, ctx.target.host, port, timeout)
            if cleartext.kind == "h2":
                return port, "plaintext gRPC (HTTP/2 cleartext)"
    return None


def _wrong_port(ctx: Context, name: str, found: str, port: int, speaks: str) -> DoctorCheck:
    tls_note = " with TLS on" if speaks.startswith("TLS") else " with TLS off"
    return DoctorCheck.failed(
        name,
        "wrong_port",
        f"{found} on {ctx.target.address}, but {ctx.target.host}:{port} speaks {speaks}: "
        "the address names the wrong port (e.g. the frontend's 7233 where the ingress "
        "serves 443)",
        f"use TEMPORAL_ADDRESS={ctx.target.host}:{port}{tls_note}",
        suggested_port=port,
    )


async def check_tcp(ctx: Context) -> DoctorCheck:
    target = ctx.target
    timeout = ctx.options.connect_timeout
    try:
        await asyncio.to_thread(tcp_connect, target.host, target.port, timeout)
    except ConnectionRefusedError:
        found, code = "nothing listens (connection refused)", "tcp_refused"
        fix = "start the Temporal frontend or ingress there, or correct the port"
    except TimeoutError:
        found, code = f"no TCP answer within {timeout:.0f}s", "tcp_timeout"
        fix = "a firewall or security group drops the packets, or the host is wrong: open it"
    except OSError as exc:
        found, code, fix = f"cannot connect ({exc})", "tcp_error", "check the route to the host"
    else:
        return DoctorCheck.passed("tcp", "tcp_ok", f"{target.address} accepts TCP connections")
    alternate = await _alternate(ctx)
    if alternate:
        return _wrong_port(ctx, "tcp", found, *alternate)
    return DoctorCheck.failed("tcp", code, f"{found} at {target.address}", fix)


async def check_tls(ctx: Context) -> DoctorCheck:
    """Does the server speak TLS exactly when the client does?"""
    target, timeout = ctx.target, ctx.options.connect_timeout
    if not target.tls:
        ctx.cleartext = await asyncio.to_thread(cleartext_h2, target.host, target.port, timeout)
        plain_http_to_tls = "plain HTTP request was sent to HTTPS port" in ctx.cleartext.body
        server_tls = plain_http_to_tls or ctx.cleartext.kind == "tls_alert"
        if not server_tls and ctx.cleartext.kind != "h2":
            # nginx answers a cleartext preface on a TLS+h2 port with a bare 400: ask in TLS
            probe = await asyncio.to_thread(tls_handshake, target, None, timeout, verify=False)
            server_tls = probe.ok
        if server_tls:
            return DoctorCheck.failed(
                "tls",
                "plaintext_to_tls",
                f"{target.address} expects TLS but the client speaks plaintext"
                + (f" (it answered: {ctx.cleartext.first_line})" if plain_http_to_tls else ""),
                TLS_ON,
            )
        return DoctorCheck.passed("tls", "plaintext_ok", "plaintext on both sides, as configured")
    outcome = await asyncio.to_thread(tls_handshake, target, None, timeout)
    ctx.tls = outcome
    if outcome.ok:
        return DoctorCheck.passed(
            "tls",
            "tls_ok",
            f"{outcome.version} handshake with {target.sni!r}; certificate valid for "
            f"{', '.join(outcome.peer_names) or 'the name'}",
            alpn=outcome.alpn,
        )
    if outcome.server_is_plaintext:
        found = "the server answers a TLS ClientHello in plaintext"
        alternate = await _alternate(ctx)
        if alternate and alternate[1].startswith("TLS"):
            return _wrong_port(ctx, "tls", found, *alternate)
        return DoctorCheck.failed(
            "tls",
            "tls_to_plaintext",
            f"TLS is on but {target.address} speaks plaintext ({outcome.reason}): "
            "the server has no TLS on this port",
            f"{TLS_OFF}, or point TEMPORAL_ADDRESS at the TLS port of your ingress",
        )
    return _tls_failure(ctx, outcome)


def _tls_failure(ctx: Context, outcome) -> DoctorCheck:  # type: ignore[no-untyped-def]
    target = ctx.target
    reason = outcome.reason or ""
    if reason == "CERTIFICATE_VERIFY_FAILED":
        message = outcome.verify_message or outcome.error or ""
        if "mismatch" in message.lower():
            names = tls_handshake(target, None, ctx.options.connect_timeout, verify=False)
            listed = ", ".join(names.peer_names) or "(none readable)"
            return DoctorCheck.failed(
                "tls",
                "tls_name_mismatch",
                f"the server certificate is not valid for {target.sni!r} ({message}); "
                f"it names: {listed}",
                f"set TEMPORAL_TLS_SERVER_NAME (--server-name) to one of: {listed}",
                certificate_names=names.peer_names,
            )
        return DoctorCheck.failed(
            "tls",
            "tls_untrusted",
            f"the server certificate is not trusted: {message}",
            "set TEMPORAL_TLS_SERVER_CA_CERT_PATH (--ca) to the CA that signed the server "
            "certificate",
        )
    if "CERTIFICATE_REQUIRED" in reason or (
        "HANDSHAKE_FAILURE" in reason and not target.client_cert_pem
    ):
        return DoctorCheck.failed(
            "tls",
            "client_cert_required",
            f"the server requires a client certificate and none was sent ({reason})",
            "set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (--cert/--key)",
        )
    if any(r in reason for r in ("BAD_CERTIFICATE", "UNKNOWN_CA", "CERTIFICATE_UNKNOWN")):
        return DoctorCheck.failed(
            "tls",
            "client_cert_rejected",
            f"the server rejected the client certificate ({reason})",
            "use a client certificate signed by the CA the server trusts for clients",
        )
    if reason == "TIMEOUT":
        return DoctorCheck.failed(
            "tls",
            "tls_timeout",
            f"{target.address} accepted TCP but did not answer the TLS handshake: {outcome.error}",
            "check that the port is the gRPC port of the frontend or ingress",
        )
    return DoctorCheck.failed(
        "tls",
        "tls_handshake_failed",
        f"TLS handshake with {target.address} failed: {outcome.error}",
        "compare the server's TLS settings (protocols, certificates) with the client's",
    )


async def check_http2(ctx: Context) -> DoctorCheck:
    """gRPC is HTTP/2: an ingress that only speaks HTTP/1.1 can never carry it."""
    if ctx.target.tls:
        alpn = ctx.tls.alpn if ctx.tls else None
        if alpn == "h2":
            return DoctorCheck.passed("http2", "http2_ok", "the server chose HTTP/2 (ALPN h2)")
        return DoctorCheck.failed(
            "http2",
            "no_http2",
            f"the endpoint negotiated {alpn or 'no application protocol'} instead of h2: "
            "it does not speak HTTP/2, and gRPC needs it",
            H2_FIX,
            alpn=alpn,
        )
    cleartext = ctx.cleartext
    if cleartext is not None and cleartext.kind == "h2":
        return DoctorCheck.passed("http2", "http2_ok", "the server speaks HTTP/2 in cleartext")
    answered = cleartext.first_line if cleartext and cleartext.first_line else "no HTTP/2"
    return DoctorCheck.failed(
        "http2",
        "no_http2",
        f"{ctx.target.address} answered the HTTP/2 preface with {answered!r}: it is not a "
        "gRPC endpoint (HTTP/1.1 only; an HTTP API or UI port?)",
        H2_FIX,
    )
