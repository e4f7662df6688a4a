"""Never judge the reference in a team's place.

Under a team's --adapter, every test that drives the reference's own workflows (marked
`contract` by its suite's conftest) is skipped with the reason, so a run cannot go green
on the bundled worker while the team believes its own app passed; the header names the
worker actually started. With --replay-dir only the team's histories are replayed. The
negative direction runs too: without --adapter the same tests are collected and not
skipped, so the mark cannot quietly skip everything.

Each case runs pytest as a team would, with `--pyargs` from a folder outside the checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEAM = "examples.routing.stormproof_adapter"
CONTRACT_SUITES = [
    "stormproof.suites.conformance",
    "stormproof.suites.reconnect",
    "stormproof.suites.deployment",
    "stormproof.suites.replay",
]


def run_pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STORMPROOF_", "PYTEST_"))}
    env["PYTHONPATH"] = str(REPO)  # the team's adapter module is importable, as from its root
    env["COLUMNS"] = "500"  # skip reasons whole in the short summary
    argv = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", *args]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def skipped_lines(output: str) -> list[str]:
    """The short summary's skip lines, less the team replay tests' own (they judge what
    --replay-dir and --replay-query give them, and say when nothing was given)."""
    return [
        line
        for line in output.splitlines()
        if line.startswith("SKIPPED") and "test_team_histories.py" not in line
    ]


def test_contract_suites_skip_under_a_team_adapter_and_say_why(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, "--pyargs", *CONTRACT_SUITES, "--adapter", TEAM, "-q", "-rs")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    assert "skipped" in last and "passed" not in last and "failed" not in last, last
    reasons = skipped_lines(done.stdout)
    assert reasons and all("[contract]" in line for line in reasons), reasons[:5]
    assert all("routing" in line for line in reasons), reasons[:5]


def test_the_header_names_the_team_worker(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, "--pyargs", "stormproof.suites.chaos", "--adapter", TEAM, "--co")
    header = [line for line in done.stdout.splitlines() if line.startswith("stormproof ")]
    assert any("examples.routing.worker" in line for line in header), header
    assert not any("stormproof.reference" in line for line in header), header


def test_without_an_adapter_the_contract_suites_run(tmp_path: Path) -> None:
    """The negative control of the skip: the reference's own run keeps every test."""
    done = run_pytest(tmp_path, "--pyargs", *CONTRACT_SUITES, "--co", "-q")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "test_story.py" in done.stdout and "test_committed_histories.py" in done.stdout
    skip_run = run_pytest(
        tmp_path, "--pyargs", "stormproof.suites.conformance", "-q", "-rs", "-k", "no_such_test"
    )
    assert "[contract]" not in skip_run.stdout


def test_replay_dir_judges_only_the_team_histories(tmp_path: Path) -> None:
    histories = REPO / "examples" / "routing" / "histories"
    done = run_pytest(
        tmp_path,
        "--pyargs",
        "stormproof.suites.replay",
        "--replay-dir",
        str(histories),
        "--workflows",
        "examples.routing.workflows:WORKFLOWS",
        "-q",
        "-rs",
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    passed = [line for line in done.stdout.splitlines() if " passed" in line]
    assert passed, done.stdout[-2000:]
    reasons = skipped_lines(done.stdout)
    assert reasons and all("[replay-dir]" in line for line in reasons), reasons[:5]
