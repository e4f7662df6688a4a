"""The chaos report's outputs: checked at start-up, histories kept next to the JSON, and
the JUnit property as JSON.

A stand-in chaos test (a history file in its tmp_path and the record a real one leaves) runs
in a pytest subprocess, with and without xdist, so the report is judged as CI consumes it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stormproof.report.records import PROPERTY, history_copy_name

FAKE_CHAOS_TESTS = """
import pytest
from stormproof.report import RECORD_KEY, ChaosRecord

@pytest.fixture
def chaos(tmp_path, request):
    history = tmp_path / "history.jsonl"
    history.write_text('{"type": "invoke", "f": "start"}\\n{"type": "ok", "f": "start"}\\n')
    yield
    record = ChaosRecord(fault="f0-fake", tag="ch1", seed=1, history=str(history),
                         result=None, recorded_at=1.5)
    request.node.stash[RECORD_KEY] = record

@pytest.mark.parametrize("n", [1, 2])
def test_fake_fault(chaos, n):
    pass
"""


def run_pytest(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_histories_are_kept_next_to_the_report_and_junit_gets_json(
    tmp_path: Path, xdist: list[str]
) -> None:
    (tmp_path / "test_fake_chaos.py").write_text(FAKE_CHAOS_TESTS)
    reports, basetemp = tmp_path / "reports", tmp_path / "basetemp"
    done = run_pytest(
        [
            "test_fake_chaos.py",
            *xdist,
            f"--basetemp={basetemp}",
            f"--chaos-report={reports / 'chaos.json'}",
            f"--junitxml={reports / 'junit.xml'}",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    shutil.rmtree(basetemp)  # pytest prunes its temporary folders; the copies must not care
    payload = json.loads((reports / "chaos.json").read_text())
    assert len(payload["tests"]) == 2
    for record in payload["tests"]:
        assert record["history"] == f"histories/{history_copy_name(record['test'])}"
        kept = reports / record["history"]
        assert kept.read_text().count("\n") == 2, kept
        assert str(basetemp) in record["history_source"]
    properties = [
        prop.get("value", "")
        for prop in ET.parse(reports / "junit.xml").iter("property")
        if prop.get("name") == PROPERTY
    ]
    assert len(properties) == 2
    for value in properties:
        assert json.loads(value)["fault"] == "f0-fake"  # JSON, not a Python repr


def test_history_copy_names_are_files_of_their_own() -> None:
    assert (
        history_copy_name("suites/chaos/test_f1_x.py::test_y[a-b c]")
        == "test_f1_x__test_y_a-b_c_.jsonl"
    )
    assert history_copy_name("a/t.py::test[1]") != history_copy_name("a/t.py::test[2]")


@pytest.mark.parametrize("where", ["under_a_file", "a_folder", "proc"])
def test_an_unwritable_report_path_is_refused_at_start_up(tmp_path: Path, where: str) -> None:
    (tmp_path / "test_fake_chaos.py").write_text(FAKE_CHAOS_TESTS)
    (tmp_path / "a-file").write_text("")
    (tmp_path / "a-folder").mkdir()
    path = {
        "under_a_file": tmp_path / "a-file" / "chaos.json",
        "a_folder": tmp_path / "a-folder",
        "proc": Path("/proc/stormproof/chaos.json"),  # not even root may create files there
    }[where]
    done = run_pytest(["test_fake_chaos.py", f"--chaos-report={path}"], tmp_path)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert f"--chaos-report='{path}'" in done.stderr
    assert "fix: give a file path in a writable folder" in done.stderr
    assert "passed" not in done.stdout  # refused before anything ran
