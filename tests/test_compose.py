"""compose.yaml gives a Docker user the same world the suite expects, under the same names.

There is no Docker engine here, so the file is judged two ways: Debian's docker-compose
validates it (`config -q`, which needs no engine), and this test checks what the suite
relies on: the services exist, each published port is on loopback and is the one the
docs/CLUSTER.md's external-target command uses, the worker gets exactly the contract's variables
(docs/CONTRACT.md) pointing at the other services, and the fake services run our code.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "compose.yaml"
CONTRACT = ROOT / "docs" / "CONTRACT.md"
SERVICES = {"postgresql", "temporal", "toxiproxy", "fake-llm", "sink", "worker"}
# service -> the container port the suite's options reach it by (docs/CLUSTER.md, compose comment)
PUBLISHED = {
    "temporal": 7233,
    "toxiproxy": 8474,
    "postgresql": 5432,
    "fake-llm": 8080,
    "sink": 8081,
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def test_docker_compose_validates_the_file() -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("[docker-compose] not installed: `make system-deps` installs Debian's")
    done = subprocess.run(
        [binary, "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, f"compose.yaml is invalid:\n{done.stdout}{done.stderr}"


def test_services_and_loopback_ports_match_the_suite(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == SERVICES, sorted(services)
    for name, port in PUBLISHED.items():
        published = services[name].get("ports", [])
        assert f"127.0.0.1:{port}:{port}" in published, (name, published)
    for name, service in services.items():
        for mapping in service.get("ports", []):
            assert mapping.startswith("127.0.0.1:"), f"{name} publishes beyond loopback: {mapping}"
    header = COMPOSE.read_text()
    assert "--temporal-address 127.0.0.1:7233" in header and "http://127.0.0.1:8474" in header


def test_the_worker_gets_the_contracts_variables_pointing_at_the_services(
    compose: dict[str, Any],
) -> None:
    env: dict[str, str] = compose["services"]["worker"]["environment"]
    documented = set(
        re.findall(r"`((?:TEMPORAL|STORMPROOF|OPENAI)_[A-Z_]+)`", CONTRACT.read_text())
    )
    unknown = set(env) - documented
    assert not unknown, f"variables the contract does not define: {sorted(unknown)}"
    assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert env["OPENAI_BASE_URL"] == "http://fake-llm:8080/v1"
    assert env["STORMPROOF_NOTIFY_URL"].startswith("http://sink:8081/")
    assert "@postgresql:5432/" in env["STORMPROOF_DATABASE_URL"]
    for required in ("STORMPROOF_TASK_QUEUE", "STORMPROOF_ARTIFACT_DIR", "OPENAI_API_KEY"):
        assert required in env, required


def test_the_fake_services_run_our_own_code(compose: dict[str, Any]) -> None:
    for name, kind, port in (("fake-llm", "llm", 8080), ("sink", "sink", 8081)):
        command = compose["services"][name]["command"]
        assert command[:4] == ["python", "-m", "stormproof.fixtures.serve", kind], command
        assert command[-1] == str(port), command
    assert (ROOT / compose["services"]["worker"]["build"] / "Dockerfile").is_file()
