"""The deployment under test: one dev server, the four nginx ingresses in front of it,
a test-time PKI, and reference workers that reach the server through the TLS ingress.

Everything is per session and on loopback ports, so every misconfiguration test costs a
doctor run of well under a second; only the workers take seconds to start.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client
from temporalio.service import TLSConfig

from stormproof.doctor import DoctorOptions, DoctorReport, run_doctor
from stormproof.fixtures.certs import TestPki
from stormproof.fixtures.composed import World
from stormproof.fixtures.config import SuiteConfig, resolve
from stormproof.fixtures.endpoints import build_endpoints
from stormproof.fixtures.ingress import IngressKind, IngressSpec, NginxIngress
from stormproof.fixtures.temporal import DevServer
from stormproof.fixtures.worker import WorkerProcess, new_task_queue

__all__ = [
    "API_KEY",
    "FAST",
    "Deployment",
    "assert_diagnosis",
    "launch_worker",
    "start_deployment",
    "start_port_443_ingress",
    "start_reference_worker",
]

API_KEY = f"sp-test-{uuid.uuid4().hex}"
# Short timeouts: every stage against a loopback target answers in milliseconds, so a
# stage that takes longer is itself a finding.
FAST = DoctorOptions(connect_timeout=2.0, ping_timeout=8.0, llm_timeout=20.0)


@dataclass
class Deployment:
    """A dev server behind one nginx ingress of each kind, with the PKI they share."""

    server: DevServer
    pki: TestPki
    ingresses: dict[IngressKind, NginxIngress]
    workdir: Path

    def address(self, kind: IngressKind) -> str:
        return self.ingresses[kind].address

    def tls_settings(self) -> dict[str, str]:
        """What a client of the good ingress sets: the test CA and the certificate's name."""
        return {"tls_ca": str(self.pki.ca), "tls_server_name": self.pki.server_name}

    def config(self, address: str, **settings: object) -> SuiteConfig:
        """Settings exactly as a user would pass them, validated by the suite's resolver."""
        return resolve({"address": address, **settings}, {}, {})

    async def doctor(
        self, address: str, options: DoctorOptions = FAST, **settings: object
    ) -> DoctorReport:
        return await run_doctor(self.config(address, **settings), options)

    async def client(self) -> Client:
        return await Client.connect(
            self.address(IngressKind.TLS_H2),
            tls=TLSConfig(server_root_ca_cert=self.pki.ca.read_bytes(), domain="localhost"),
        )


async def start_deployment(pki: TestPki, workdir: Path) -> AsyncIterator[Deployment]:
    """The dev server, then each ingress in front of it, as one World."""
    world = World()
    server = world.add("temporal", DevServer(workdir / "temporal"))
    ingresses: dict[IngressKind, NginxIngress] = {}
    for kind in IngressKind:
        spec = IngressSpec(kind, server.address, pki, api_key=API_KEY)
        ingress = NginxIngress(spec, workdir)
        ingresses[kind] = world.add(f"ingress-{kind.value}", ingress, after=["temporal"])
    async with world:
        yield Deployment(server, pki, ingresses, workdir)


async def start_port_443_ingress(deployment: Deployment) -> tuple[NginxIngress, tuple[int, ...]]:
    """The TLS ingress on port 443 of a loopback address of its own, as a cloud ingress.

    Root may bind 443 on any 127.x.y.z; otherwise the ingress gets a free port and the
    doctor is told to try it, which exercises the same diagnosis.
    """
    if os.geteuid() == 0:
        host = f"127.{random.randint(1, 254)}.{random.randint(1, 254)}.{random.randint(2, 254)}"
        spec = IngressSpec(
            IngressKind.TLS_H2, deployment.server.address, deployment.pki, host=host, port=443
        )
        return await NginxIngress(spec, deployment.workdir).start(), (443, 7233)
    spec = IngressSpec(IngressKind.TLS_H2, deployment.server.address, deployment.pki)
    ingress = await NginxIngress(spec, deployment.workdir).start()
    return ingress, (ingress.port,)


def launch_worker(
    deployment: Deployment,
    folder: Path,
    argv: Sequence[str],
    *,
    llm_base_url: str,
    llm_api_key: str | None,
    notify_url: str,
    name: str,
) -> WorkerProcess:
    """A worker process started by `argv`, configured only by the contract's environment,
    reaching Temporal via the TLS ingress; not yet known to be polling."""
    world = build_endpoints(
        folder,
        temporal_address=deployment.address(IngressKind.TLS_H2),
        llm_base_url=llm_base_url,
        llm_api_key=llm_api_key,
        notify_url=notify_url,
        extra_env={
            "TEMPORAL_TLS": "true",
            "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(deployment.pki.ca),
            "TEMPORAL_TLS_SERVER_NAME": deployment.pki.server_name,
        },
    )
    return WorkerProcess(
        argv, world, task_queue=new_task_queue("deploy"), log_dir=folder, name=name
    ).start()


async def start_reference_worker(
    deployment: Deployment,
    folder: Path,
    *,
    llm_base_url: str,
    llm_api_key: str | None,
    notify_url: str,
    name: str,
) -> WorkerProcess:
    """The reference worker via the ingress, once it answers a PingWorkflow."""
    worker = launch_worker(
        deployment,
        folder,
        SuiteConfig().worker_argv,
        llm_base_url=llm_base_url,
        llm_api_key=llm_api_key,
        notify_url=notify_url,
        name=name,
    )
    await worker.wait_ready(await deployment.client(), timeout=30)
    return worker


def assert_diagnosis(report: DoctorReport, check: str, code: str, *phrases: str) -> None:
    """The named check failed with this code, everything before it passed, nothing after ran.

    That is the doctor's promise: one root cause, named with its own code, and a fix.
    """
    failure = report.first_failure
    assert failure is not None, f"expected {check}/{code}, every check passed: {report.checks}"
    assert (failure.name, failure.code) == (check, code), failure
    assert failure.fix, f"{check}/{code} has no fix"
    text = f"{failure.diagnosis} fix: {failure.fix}"
    for phrase in phrases:
        assert phrase in text, f"{phrase!r} not in {text!r}"
    names = [c.name for c in report.checks]
    position = names.index(check)
    assert all(c.status.value == "pass" for c in report.checks[:position]), report.checks
    assert all(c.code == "not_run" for c in report.checks[position + 1 :]), report.checks
