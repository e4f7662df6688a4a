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

from fixtures.ingress import IngressKind
from fixtures.plugin import LOCAL_ONLY_MARKERS
from suites.deployment.world import Deployment

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
