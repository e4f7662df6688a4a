"""The conformance suite, run against the four-service cluster as an external target.

Everything that does not need the time-skipping server must pass on the production
topology too: the same workflows, effects and retries through a frontend backed by
history and matching on PostgreSQL. The run is a pytest of its own, pointed at this
session's cluster with --temporal-address, exactly as a platform team would point it at
theirs; time-skipping tests are skipped there with their reason, as for any external target.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stormproof.chaos import ChaosWorld
from stormproof.world import TemporalCluster

pytestmark = [pytest.mark.cluster, pytest.mark.local_server]


async def test_conformance_passes_against_the_cluster(
    chaos_world: ChaosWorld, tmp_path: Path
) -> None:
    cluster = chaos_world.temporal
    assert isinstance(cluster, TemporalCluster)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}
    argv = [sys.executable, "-m", "pytest", "--pyargs", "stormproof.suites.conformance"]
    argv += ["--temporal-address", cluster.address, "-p", "no:cacheprovider", "-q", "-rs"]
    done = await asyncio.to_thread(
        subprocess.run,
        argv,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert done.returncode == 0, f"conformance failed on the cluster: {summary}\n{done.stdout}"
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) >= 10, f"too little ran on the cluster: {summary}"
