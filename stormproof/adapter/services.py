"""Start the adapter's services (a team's agents) with a recording proxy in front of each.

The worker under test may call HTTP services of its own. The suite starts them, like any
process it starts (own process group, torn down whatever happens), on free ports, filling
{port}, {llm_base_url} and {llm_api_key} in their argv and env, waits for `ready_path`,
and puts a RecordingProxy in front so calls are counted from the outside. The chaos run
adds a Toxiproxy link in front of the proxy, so an outage is a fault the service never saw.
"""

from __future__ import annotations

import contextlib
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from stormproof.adapter.models import Adapter, Service
from stormproof.fixtures.endpoints import FAKE_LLM_KEY
from stormproof.fixtures.ports import LOOPBACK, free_port
from stormproof.fixtures.processes import ManagedProcess
from stormproof.fixtures.readiness import Probe, wait_ready_sync
from stormproof.fixtures.recording_proxy import RecordingProxy

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


def start_service(service: Service, llm_base_url: str, log_dir: Path) -> tuple[ManagedProcess, int]:
    """The service as a managed process on a free port, once GET ready_path answers 200."""
    port = free_port()
    values = {"port": str(port), "llm_base_url": llm_base_url, "llm_api_key": FAKE_LLM_KEY}
    env = {**os.environ, **{k: _fill(v, values) for k, v in service.env.items()}}
    process = ManagedProcess(
        f"service-{service.name}",
        [_fill(a, values) for a in service.argv],
        log_path=log_dir / f"service-{service.name}.log",
        env=env,
    ).start()
    url = f"http://{LOOPBACK}:{port}{service.ready_path}"
    wait_ready_sync(
        process,
        Probe(f"service {service.name} to answer GET {url} with 200", lambda: _answers(url)),
        timeout=READY_SECONDS,
        interval=0.2,
        fix=f"the adapter's Service {service.name!r} must listen on its {{port}} placeholder "
        f"and answer GET {service.ready_path} with 200",
    )
    return process, port


@contextlib.contextmanager
def running_services(
    adapter: Adapter, llm_base_url: str, log_dir: Path
) -> Iterator[dict[str, RecordingProxy]]:
    """Every service of `adapter`, each behind its recording proxy; stopped on exit."""
    processes: list[ManagedProcess] = []
    proxies: dict[str, RecordingProxy] = {}
    try:
        for service in adapter.services:
            process, port = start_service(service, llm_base_url, log_dir)
            processes.append(process)
            proxies[service.name] = RecordingProxy(service.name, (LOOPBACK, port)).start()
        yield proxies
    finally:
        for proxy in proxies.values():
            proxy.stop()
        for process in processes:
            process.stop(grace=5)
