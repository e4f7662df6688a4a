"""Start the adapter's services (a team's agents) with a recording proxy in front of each.

The worker under test may call HTTP services of its own. The suite starts them, like any
process it starts (own process group, torn down whatever happens), on free ports, filling
{port}, {llm_base_url} and {llm_api_key} in their argv and env, waits for `ready_path`,
and puts a RecordingProxy in front so calls are counted from the outside. Both are parts
of the world they serve (fixtures/composed.py), which starts and stops them in order. The
chaos run adds a Toxiproxy link in front of the proxy, so an outage is a fault the service
never saw.
"""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

from stormproof.adapter.models import Adapter
from stormproof.adapter.service import Service
from stormproof.fixtures.composed import World
from stormproof.fixtures.endpoints import FAKE_LLM_KEY
from stormproof.fixtures.ports import LOOPBACK, free_port
from stormproof.fixtures.processes import ManagedProcess
from stormproof.fixtures.readiness import Probe, wait_ready_sync
from stormproof.fixtures.recording_proxy import RecordingProxy
from stormproof.fixtures.wait import LogSource

READY_SECONDS = 60.0


def _fill(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class ServiceProcess:
    """One service of the adapter as a World's Service: a managed process on a free port,
    ready once GET ready_path answers 200."""

    def __init__(self, service: Service, llm_base_url: str, log_dir: Path):
        self.service = service
        self.port = free_port()
        values = {"port": str(self.port), "llm_base_url": llm_base_url, "llm_api_key": FAKE_LLM_KEY}
        env = {**os.environ, **{k: _fill(v, values) for k, v in service.env.items()}}
        self.process = ManagedProcess(
            f"service-{service.name}",
            [_fill(a, values) for a in service.argv],
            log_path=log_dir / f"service-{service.name}.log",
            env=env,
        )

    def start(self) -> None:
        self.process.start()

    def wait_ready(self) -> None:
        service, url = self.service, f"http://{LOOPBACK}:{self.port}{self.service.ready_path}"
        wait_ready_sync(
            self.process,
            Probe(f"service {service.name} to answer GET {url} with 200", lambda: _answers(url)),
            timeout=READY_SECONDS,
            interval=0.2,
            fix=f"the adapter's Service {service.name!r} must listen on its {{port}} placeholder "
            f"and answer GET {service.ready_path} with 200",
        )

    @property
    def endpoint(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    def logs(self) -> dict[str, LogSource]:
        return {self.process.name: self.process.log_path}

    def stop(self) -> None:
        self.process.stop(grace=5)


def add_services(
    world: World, adapter: Adapter, llm_base_url: str, log_dir: Path
) -> dict[str, RecordingProxy]:
    """Add every service of `adapter` to `world`, each followed by the recording proxy in
    front of it; returns the proxies by service name (started when the world starts)."""
    proxies: dict[str, RecordingProxy] = {}
    for service in adapter.services:
        name = f"service-{service.name}"
        process = world.add(name, ServiceProcess(service, llm_base_url, log_dir))
        proxy = RecordingProxy(service.name, (LOOPBACK, process.port))
        proxies[service.name] = world.add(f"proxy-{service.name}", proxy, after=[name])
    return proxies
