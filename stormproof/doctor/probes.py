"""Low-level probes with the standard library, each bounded by a timeout.

The SDK reports a plaintext server, an HTTP/1.1-only ingress and a TLS port spoken to in
cleartext as different flavours of "transport error"; these probes look at the bytes
instead (the TLS alert, the ALPN the server chose, the HTTP/2 SETTINGS frame, nginx's
"plain HTTP request was sent to HTTPS port") so each gets its own diagnosis.
All of them are blocking with socket timeouts; DNS, which has no timeout of its own, runs
in a daemon thread so a stuck resolver can never hold the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import ssl
import threading
from dataclasses import dataclass, field

from cryptography import x509

from stormproof.doctor.target import Target

# The HTTP/2 connection preface followed by an empty SETTINGS frame (RFC 9113, 3.4).
H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
PLAINTEXT_REASONS = (
    "WRONG_VERSION_NUMBER",
    "RECORD_LAYER_FAILURE",
    "PACKET_LENGTH_TOO_LONG",
    "HTTP_REQUEST",
    "UNEXPECTED_EOF_WHILE_READING",
)


class DnsTimeout(TimeoutError):
    pass


async def resolve(host: str, port: int, timeout: float) -> list[str]:
    """getaddrinfo in a daemon thread: a hung resolver costs `timeout`, never the exit."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[list[str]] = loop.create_future()

    def work() -> None:
        addresses: list[str] | None = None
        error: OSError | None = None
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            addresses = sorted({str(info[4][0]) for info in infos})
        except OSError as exc:
            error = exc
        # the loop may be gone when a slow resolver finally answers: nobody is waiting
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle, future, addresses, error)

    threading.Thread(target=work, name=f"dns-{host}", daemon=True).start()
    try:
        return await asyncio.wait_for(future, timeout)
    except TimeoutError:
        raise DnsTimeout(f"no DNS answer for {host} within {timeout:.0f}s") from None


def _settle(future: asyncio.Future[list[str]], value: list[str] | None, error: Exception | None):
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value or [])


def tcp_connect(host: str, port: int, timeout: float) -> None:
    """Raises ConnectionRefusedError, TimeoutError or OSError when nothing accepts."""
    with socket.create_connection((host, port), timeout=timeout):
        return


@dataclass
class TlsOutcome:
    ok: bool
    alpn: str | None = None
    version: str | None = None
    reason: str | None = None  # OpenSSL reason, e.g. WRONG_VERSION_NUMBER
    error: str | None = None
    verify_message: str | None = None
    peer_names: list[str] = field(default_factory=list)

    @property
    def server_is_plaintext(self) -> bool:
        return not self.ok and (self.reason or "") in PLAINTEXT_REASONS


def tls_handshake(target: Target, port: int | None, timeout: float, *, verify: bool = True):
    """Handshake as the SDK would (ALPN h2 then http/1.1) and report what happened."""
    context = target.ssl_context(["h2", "http/1.1"], verify=verify)
    try:
        with (
            socket.create_connection((target.host, port or target.port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=target.sni) as tls,
        ):
            peer = tls.getpeercert(binary_form=True)
            return TlsOutcome(
                ok=True,
                alpn=tls.selected_alpn_protocol(),
                version=tls.version(),
                peer_names=certificate_names(peer) if peer else [],
            )
    except ssl.SSLCertVerificationError as exc:
        return TlsOutcome(
            ok=False,
            reason="CERTIFICATE_VERIFY_FAILED",
            error=str(exc),
            verify_message=exc.verify_message,
        )
    except ssl.SSLError as exc:
        reason = exc.reason or ("UNEXPECTED_EOF_WHILE_READING" if "EOF" in str(exc) else None)
        return TlsOutcome(ok=False, reason=reason, error=str(exc))
    except (ConnectionResetError, BrokenPipeError) as exc:
        return TlsOutcome(ok=False, reason="UNEXPECTED_EOF_WHILE_READING", error=str(exc))
    except TimeoutError:
        return TlsOutcome(ok=False, reason="TIMEOUT", error=f"no TLS answer in {timeout:.0f}s")
    except OSError as exc:
        return TlsOutcome(ok=False, reason="OS_ERROR", error=str(exc))


def certificate_names(der: bytes) -> list[str]:
    """The DNS names and IP addresses a server certificate is valid for."""
    try:
        cert = x509.load_der_x509_certificate(der)
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, x509.ExtensionNotFound):
        return []
    names = [str(n) for n in san.get_values_for_type(x509.DNSName)]
    return names + [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]


@dataclass
class CleartextOutcome:
    kind: str  # "h2" | "http1" | "tls_alert" | "closed" | "silent"
    first_line: str = ""
    body: str = ""


def cleartext_h2(host: str, port: int, timeout: float) -> CleartextOutcome:
    """Send the HTTP/2 preface in cleartext, as a plaintext gRPC client does, and classify."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(H2_PREFACE)
        try:
            data = _read_some(sock, 4096)
        except TimeoutError:
            return CleartextOutcome("silent")
        except ConnectionResetError:
            return CleartextOutcome("closed")
    if not data:
        return CleartextOutcome("closed")
    if len(data) >= 9 and data[3] == 0x04:  # a SETTINGS frame: an HTTP/2 (h2c) server
        return CleartextOutcome("h2")
    if data[:1] == b"\x15" and data[1:2] == b"\x03":  # a TLS alert record
        return CleartextOutcome("tls_alert")
    text = data.decode("latin-1")
    first_line = text.split("\r\n", 1)[0]
    return CleartextOutcome(
        "http1" if first_line.startswith("HTTP/") else "closed", first_line, text
    )


def http1_over_tls(target: Target, timeout: float) -> str:
    """What an ingress says to a plain HTTPS request: nginx names the mTLS problem here."""
    context = target.ssl_context(["http/1.1"])
    request = f"GET / HTTP/1.1\r\nHost: {target.sni}\r\nConnection: close\r\n\r\n".encode()
    with (
        socket.create_connection((target.host, target.port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=target.sni) as tls,
    ):
        tls.sendall(request)
        text = _read_some(tls, 2048).decode("latin-1")
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    return title.group(1).strip() if title else text.split("\r\n", 1)[0]


def _read_some(sock: socket.socket, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = sock.recv(limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if b"</html>" in chunk or (chunks[0][:1] != b"H" and size >= 9):
            break
    return b"".join(chunks)
