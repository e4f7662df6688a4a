"""State one doctor run carries from stage to stage (the TLS outcome, the client, ...).

Later stages build on what earlier ones found instead of probing again, which keeps the
whole run within a few seconds per stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from temporalio.client import Client

from stormproof.doctor.models import DoctorOptions
from stormproof.doctor.probes import CleartextOutcome, TlsOutcome
from stormproof.doctor.target import Target
from stormproof.fixtures.config import SuiteConfig


@dataclass
class Context:
    config: SuiteConfig
    target: Target
    options: DoctorOptions
    tls: TlsOutcome | None = None
    cleartext: CleartextOutcome | None = None
    client: Client | None = None
    poller_identities: list[str] = field(default_factory=list)

    @property
    def task_queue(self) -> str | None:
        return self.config.task_queue
