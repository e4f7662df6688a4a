"""The conformance suite, run as a user runs it against their own cluster: the dev server
behind the TLS ingress is the external target, reached only through --temporal-* options.

It must pass there, and every test that needs a server of its own (time-skipping, server
restarts, Toxiproxy in front of the frontend) must be reported as skipped with the reason
naming its marker, never silently run against the wrong server or silently dropped.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stormproof.deployment import Deployment
from stormproof.world import LOCAL_ONLY_MARKERS, IngressKind, WorkerProcess

REPO = Path(__file__).resolve().parents[2]
CONFORMANCE = REPO / "suites" / "conformance"
BUDGET_SECONDS = 240


def _clean_env() -> dict[str, str]:
    """The outer run's settings must not leak into the inner one."""
    prefixes = ("TEMPORAL_", "STORMPROOF_", "PYTEST_XDIST", "PYTEST_ADDOPTS")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def _junit(path: Path) -> tuple[list[str], dict[str, str], list[str]]:
    passed: list[str] = []
    skipped: dict[str, str] = {}
    failed: list[str] = []
    for case in ET.parse(path).iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        skip = case.find("skipped")
        if skip is not None:
            skipped[name] = skip.get("message", "")
        elif case.find("failure") is not None or case.find("error") is not None:
            failed.append(name)
        else:
            passed.append(name)
    return passed, skipped, failed


@pytest.mark.team_commands  # a team's run against its own cluster: make team (about a minute)
async def test_conformance_passes_behind_the_tls_ingress(
    deployment: Deployment, tmp_path: Path
) -> None:
    if not any(CONFORMANCE.glob("test_*.py")):
        pytest.fail(f"no conformance tests in {CONFORMANCE}: this test judges them")
    report = tmp_path / "conformance.xml"
    argv = [
        sys.executable,
        "-m",
        "pytest",
        str(CONFORMANCE),
        "-p",
        "no:cacheprovider",
        "-rs",
        "-n",
        "2",
        # The negative controls judge the suite's own checks, not the target: they ran
        # against the embedded world already, and here they would only cost minutes.
        "-m",
        "not negative_control",
        f"--junitxml={report}",
        "--temporal-address",
        deployment.address(IngressKind.TLS_H2),
        "--temporal-tls-ca",
        str(deployment.pki.ca),
        "--temporal-tls-server-name",
        deployment.pki.server_name,
    ]
    done = await asyncio.to_thread(
        subprocess.run,
        argv,
        cwd=REPO,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=BUDGET_SECONDS,
        check=False,
    )
    output = done.stdout[-6000:] + done.stderr[-2000:]
    assert f"stormproof target: {deployment.address(IngressKind.TLS_H2)}" in done.stdout, output
    passed, skipped, failed = _junit(report)
    assert done.returncode == 0 and not failed, f"failed: {failed}\n{output}"
    assert passed, f"nothing ran against the external target\n{output}"
    local_only = {name: why for name, why in skipped.items() if why.startswith("[")}
    assert local_only, f"no local-only test was skipped; skips: {skipped}\n{output}"
    for name, why in local_only.items():
        marker = why[1 : why.index("]")]
        assert marker in LOCAL_ONLY_MARKERS or marker in {"worker_process", "external_worker"}, (
            name,
            why,
        )
        if marker in LOCAL_ONLY_MARKERS:
            assert "the target is external" in why, (name, why)


EXTERNAL_WORKER_PROBE = """
import os
import pytest
from stormproof.fixtures.external_worker import ExternalWorker

async def test_the_running_worker_is_judged_not_started(worker, judge_client):
    assert isinstance(worker, ExternalWorker)
    assert worker.task_queue == os.environ["PROBE_QUEUE"]
    assert str(worker.artifact_dir) == os.environ["STORMPROOF_ARTIFACT_DIR"]
    handle = await judge_client.start_workflow(
        "PingWorkflow", id="probe-" + os.urandom(4).hex(), task_queue=worker.task_queue
    )
    assert await handle.result() == "ok"

@pytest.mark.worker_process
def test_kills_the_worker():
    raise AssertionError("must be skipped with --external-worker")
"""


async def test_external_worker_is_judged_without_starting_one(
    deployment: Deployment, deployed_worker: WorkerProcess, tmp_path: Path
) -> None:
    (tmp_path / "test_external_probe.py").write_text(EXTERNAL_WORKER_PROBE)
    env = {
        **_clean_env(),
        "PROBE_QUEUE": deployed_worker.task_queue,
        # the contract's own name for where the running worker writes its artifacts
        "STORMPROOF_ARTIFACT_DIR": str(deployed_worker.artifact_dir),
    }
    argv = [
        sys.executable,
        "-m",
        "pytest",
        str(tmp_path),
        "-p",
        "no:cacheprovider",
        "-rs",
        *("-o", "asyncio_mode=auto"),
        *("-o", "asyncio_default_fixture_loop_scope=session"),
        *("-o", "asyncio_default_test_loop_scope=session"),
        *("--temporal-address", deployment.address(IngressKind.TLS_H2)),
        *("--temporal-tls-ca", str(deployment.pki.ca)),
        *("--temporal-tls-server-name", deployment.pki.server_name),
        *("--external-worker", "--task-queue", deployed_worker.task_queue),
    ]
    done = await asyncio.to_thread(
        subprocess.run,
        argv,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout[-5000:] + done.stderr[-2000:]
    assert done.returncode == 0, output
    assert "1 passed, 1 skipped" in done.stdout, output
    assert "[worker_process]" in done.stdout, output
    assert deployed_worker.process.running(), "the external worker was left running"
