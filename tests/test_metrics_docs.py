"""docs/METRICS.md and the Grafana dashboard stay true to the code: every metric the
dashboard charts and every counter the reference defines is documented, every short name
the chaos report's deltas can carry is listed, and the Grafana overlay is a valid compose
file merged with compose.yaml."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from stormproof.metrics import (
    SERVER_COUNTERS,
    SERVER_HISTOGRAMS,
    WORKER_COUNTERS,
    WORKER_HISTOGRAMS,
)

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "METRICS.md").read_text()
DASHBOARD = ROOT / "deploy" / "grafana" / "stormproof.json"
NAME = re.compile(
    r"\b((?:stormproof|temporal)_[a-z_]+|activity_task_fail|service_error_with_type"
    r"|task_schedule_to_start_latency)\b"
)
SUFFIXES = ("_bucket", "_count", "_sum")


def base(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def test_every_charted_metric_is_documented() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    charted = {base(n) for e in exprs for n in NAME.findall(e)}
    assert charted, exprs
    missing = sorted(n for n in charted if f"`{n}`" not in DOC)
    assert not missing, f"charted but not in docs/METRICS.md: {missing}"
    assert all(p["datasource"]["uid"] == "stormproof-prometheus" for p in dashboard["panels"])


def test_every_reference_metric_is_documented() -> None:
    source = "".join(
        (ROOT / "reference" / f).read_text() for f in ("observability.py", "api/metrics.py")
    )
    defined = set(re.findall(r'"(stormproof_[a-z_]+)"', source))
    assert len(defined) >= 8, defined
    counters = {"stormproof_payload_codec_enabled", "stormproof_api_temporal_state"}
    missing = [n for n in defined if f"`{n}`" not in DOC and f"`{n}_total`" not in DOC]
    assert not missing, f"defined but not in docs/METRICS.md: {sorted(missing)}"
    assert all(f"`{n}`" in DOC for n in counters)


def test_every_delta_name_is_listed() -> None:
    names = [*WORKER_COUNTERS, *SERVER_COUNTERS, "activity_retries", "llm_errors"]
    for short in [*WORKER_HISTOGRAMS, *SERVER_HISTOGRAMS]:
        names += [f"{short}_mean_ms", f"{short}_p95_ms"]
    missing = [n for n in names if f"`{n}`" not in DOC]
    assert not missing, f"delta names not in docs/METRICS.md: {missing}"


def test_the_grafana_overlay_validates_with_compose_yaml() -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("[docker-compose] not installed: `make system-deps` installs Debian's")
    overlay = ROOT / "deploy" / "grafana" / "compose.yaml"
    done = subprocess.run(
        [binary, "-f", str(ROOT / "compose.yaml"), "-f", str(overlay), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, f"the overlay is invalid:\n{done.stdout}{done.stderr}"
    for mounted in re.findall(r"\./(deploy/grafana/[\w./-]+):", overlay.read_text()):
        assert (ROOT / mounted).exists(), mounted
