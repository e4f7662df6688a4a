"""The endpoint the doctor probes, derived from the suite's one SuiteConfig.

The low-level probes need host, port and TLS material as the SDK would use them, including
what an envconfig profile adds, so this goes through
stormproof.fixtures.connect.connect_kwargs rather than re-reading settings: the doctor and
the suite can never disagree about the target.
"""

from __future__ import annotations

import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from temporalio.service import TLSConfig

from stormproof.doctor.models import TargetSummary
from stormproof.fixtures.config import SuiteConfig
from stormproof.fixtures.connect import connect_kwargs
from stormproof.fixtures.errors import ConfigError
from stormproof.fixtures.validation import split_address


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    tls: bool
    ca_pem: bytes | None
    client_cert_pem: bytes | None
    client_key_pem: bytes | None
    server_name: str | None
    api_key: str | None
    namespace: str
    connect_kwargs: dict[str, Any]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def sni(self) -> str:
        return self.server_name or self.host

    def ssl_context(self, alpn: list[str], *, verify: bool = True) -> ssl.SSLContext:
        """A client context as the SDK would build it: CA (or system roots), client pair."""
        if verify:
            context = ssl.create_default_context()
            if self.ca_pem:
                context.load_verify_locations(cadata=self.ca_pem.decode())
        else:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if self.client_cert_pem and self.client_key_pem:
            with tempfile.TemporaryDirectory() as folder:
                cert, key = Path(folder) / "c.pem", Path(folder) / "k.pem"
                cert.write_bytes(self.client_cert_pem)
                key.write_bytes(self.client_key_pem)
                context.load_cert_chain(cert, key)
        context.set_alpn_protocols(alpn)
        return context


def target_of(config: SuiteConfig) -> Target:
    """Resolve the SuiteConfig (and any profile) into what the probes connect to."""
    kwargs = connect_kwargs(config)
    address = kwargs.get("target_host")
    if not address:
        raise ConfigError(
            "TEMPORAL_ADDRESS",
            None,
            "the doctor needs a target to probe",
            "pass --address host:port (or TEMPORAL_ADDRESS, or a --profile that sets one)",
        )
    # The suite's own rule (fixtures/config.py), so the doctor and pytest agree.
    host, port = split_address(address)
    tls = kwargs.get("tls")
    if tls is None:  # the SDK's rule: an API key without a TLS setting means TLS
        tls = bool(kwargs.get("api_key"))
    tls_config = TLSConfig() if tls is True else tls or None
    return Target(
        host=host,
        port=port,
        tls=tls_config is not None,
        ca_pem=tls_config.server_root_ca_cert if tls_config else None,
        client_cert_pem=tls_config.client_cert if tls_config else None,
        client_key_pem=tls_config.client_private_key if tls_config else None,
        server_name=tls_config.domain if tls_config else None,
        api_key=kwargs.get("api_key"),
        namespace=kwargs.get("namespace") or "default",
        connect_kwargs=kwargs,
    )


def summary_of(config: SuiteConfig, target: Target | None) -> TargetSummary:
    masked = config.masked()
    return TargetSummary(
        address=target.address if target else config.address,
        namespace=target.namespace if target else config.namespace,
        task_queue=config.task_queue,
        tls=target.tls if target else bool(config.tls),
        ca=masked.get("tls_ca"),
        client_cert=masked.get("tls_cert"),
        server_name=target.server_name if target else config.tls_server_name,
        api_key=masked.get("api_key"),
        profile=config.profile,
    )
