"""`--world docker`: the mapping from compose.yaml to the suite's settings, and the skip.

The mapping is pure and tested on the project's own compose.yaml. There is no Docker engine
on this machine, so the end-to-end path shown here is the one a user without Docker meets:
every test skipped with the reason, at once, and nothing else started.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from stormproof.fixtures.docker_world import engine_unavailable, targets_from_compose

ROOT = Path(__file__).resolve().parent.parent


def test_compose_yaml_maps_onto_the_external_target_settings() -> None:
    targets = targets_from_compose(yaml.safe_load((ROOT / "compose.yaml").read_text()))
    assert targets.address == "127.0.0.1:7233"
    assert targets.toxiproxy_url == "http://127.0.0.1:8474"
    assert targets.namespace == "default"
    assert targets.task_queue == "stormproof"
    assert targets.external_worker is True


def test_a_port_compose_does_not_publish_is_named() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    compose["services"]["temporal"]["ports"] = ["127.0.0.1:9999:9999"]
    with pytest.raises(ValueError, match="container port 7233"):
        targets_from_compose(compose)


def test_without_an_engine_every_test_is_skipped_with_the_reason(tmp_path: Path) -> None:
    if engine_unavailable() is None:
        pytest.skip("a Docker engine answers here, so --world docker would really start")
    (tmp_path / "test_probe.py").write_text("def test_probe():\n    pass\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path), "--world", "docker", "-rs", "-q"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 skipped" in done.stdout, done.stdout
    assert "[docker] no Docker engine answers" in done.stdout, done.stdout
