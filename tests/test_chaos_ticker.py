"""The live counts of running chaos tests (stormproof/report/ticker.py): the file a worker
writes, the reader and the line, and a real pytest run, serial and under `-n 2`, whose
terminal shows the line while a stand-in chaos test is still running.

The stand-in holds until the outer test has seen its line in the run's output (a release
file), so no duration is guessed; STORMPROOF_PROGRESS_INTERVAL makes the ticks fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stormproof.fixtures.processes import ManagedProcess
from stormproof.fixtures.wait import wait_for_sync
from stormproof.report.ticker import (
    PREFIX,
    ProgressFile,
    TestProgress,
    file_for,
    format_line,
    lines_for,
    read_progress,
)

NODE = "suites/chaos/test_f2_worker_link.py::test_worker_temporal_link[down-70s]"


def progress(phase: str = "fault", **fields: object) -> TestProgress:
    values: dict[str, object] = {
        "test": NODE,
        "fault": "worker-temporal-link:down-70s",
        "phase": phase,
        "since": 100.0,
        "phase_since": 133.0,
        "started": 57,
        "closed": 31,
        "target": 100,
    }
    return TestProgress.model_validate({**values, **fields})


def test_the_line_says_fault_phase_and_counts() -> None:
    assert format_line(progress(), now=145.0) == (
        f"{PREFIX} link:down-70s: fault 12 s, 57 started, 31 closed of 100 [45 s]"
    )
    before_load = progress("setup", started=None, closed=None, target=None, refused=0)
    assert format_line(before_load, now=101.0).endswith(": setup 0 s [1 s]")
    assert ", 3 refused" in format_line(progress(refused=3), now=145.0)


def test_files_are_written_whole_throttled_but_never_across_a_phase(tmp_path: Path) -> None:
    file = ProgressFile(file_for(tmp_path, NODE), throttle=3600)
    file.update(progress("warm-up", started=1))
    file.update(progress("warm-up", started=2))  # within the throttle, no loop: kept back
    assert [p.started for p in read_progress(tmp_path)] == [1]
    file.update(progress("fault", started=3))  # a new phase is written at once
    assert [(p.phase, p.started) for p in read_progress(tmp_path)] == [("fault", 3)]
    assert list(tmp_path.glob("*.tmp")) == []  # replaced atomically, nothing left over
    file.remove()
    assert read_progress(tmp_path) == []


def test_the_reader_skips_a_broken_file_and_finished_tests(tmp_path: Path) -> None:
    ProgressFile(file_for(tmp_path, NODE)).update(progress())
    other = "suites/chaos/test_f4_worker_kill.py::test_kill[1]"
    ProgressFile(file_for(tmp_path, other)).update(progress(test=other, since=50.0))
    (tmp_path / "junk.json").write_text("{not json")
    found = read_progress(tmp_path)
    assert len(found) == 2
    assert lines_for(found, {NODE}, now=145.0) == [format_line(progress(), 145.0)]
    both = lines_for(found, {NODE, other}, now=145.0)
    assert both[0].endswith("[95 s]")  # the oldest test first
    assert lines_for(found, set(), now=145.0) == []


STAND_IN = """
from pathlib import Path

from stormproof.chaos.live import LiveRun
from stormproof.fixtures.wait import wait_for_sync
from stormproof.report import PROGRESS_KEY


def test_stand_in_fault(request):
    live = LiveRun(request.node.nodeid, lambda: "stand-in:down-1s")
    live.attach(request.node.stash.get(PROGRESS_KEY, None))
    live.phase("fault")
    release = Path(__file__).parent.parent / "release"
    wait_for_sync(release.exists, what="the outer test to see the live line", timeout=90)
    live.remove()
"""


@pytest.mark.parametrize("xdist", [["-p", "no:xdist"], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_running_chaos_test_shows_a_live_line(tmp_path: Path, xdist: list[str]) -> None:
    (tmp_path / "chaos").mkdir()
    (tmp_path / "chaos" / "test_stand_in.py").write_text(STAND_IN)
    junit = tmp_path / "junit.xml"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}
    env["STORMPROOF_PROGRESS_INTERVAL"] = "0.2"
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "chaos", *xdist]
    run = ManagedProcess(
        "pytest-stand-in",
        [*argv, f"--junitxml={junit}", f"--basetemp={tmp_path / 'basetemp'}"],
        log_path=tmp_path / "pytest.log",
        env=env,
        cwd=tmp_path,
    ).start()
    try:
        wait_for_sync(
            lambda: f"{PREFIX} stand-in:down-1s: fault" in run.log(200),
            what="a live line of the running stand-in chaos test",
            timeout=90,
            logs={"pytest": run.log_path},
        )
        (tmp_path / "release").touch()
        wait_for_sync(
            lambda: not run.running(),
            what="the pytest run to end",
            timeout=90,
            logs={"pytest": run.log_path},
        )
    finally:
        code = run.stop(grace=5)
    assert code == 0, run.log(200)
    suites = ET.parse(junit).getroot()  # JUnit XML still parses, with the one test
    assert [case.get("name") for case in suites.iter("testcase")] == ["test_stand_in_fault"]


QUIET_CHECK = """
from stormproof.report import report_plugin


def test_ticks_only_when_asked(request):
    out = report_plugin(request.config).progress.out
    assert (out is not None) == (request.config.get_verbosity() > -2)
"""


def serial_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A pytest run in `folder`, serial, without the outer run's settings; it must pass."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.mark.parametrize("quiet", [[], ["-q", "-q"]], ids=["default", "quiet-quiet"])
def test_quiet_quiet_asks_for_no_ticks(tmp_path: Path, quiet: list[str]) -> None:
    (tmp_path / "test_quiet.py").write_text(QUIET_CHECK)
    serial_pytest(tmp_path, *quiet)


SKIPPED_THEN_RUN = """
import pytest


@pytest.fixture
def needs_a_world():
    pytest.skip("no HttpDeliveries effect: the stand-in row needs one")


def test_a_skipped(needs_a_world):
    pass


def test_b_runs():
    pass
"""


def test_a_test_skipped_at_setup_is_no_longer_counted_running(tmp_path: Path) -> None:
    """A chaos test skipped at setup (its adapter lacks a declaration) leaves no record; the
    next one's "started" line must not count it as still running."""
    (tmp_path / "chaos").mkdir()
    (tmp_path / "chaos" / "test_rows.py").write_text(SKIPPED_THEN_RUN)
    done = serial_pytest(tmp_path, "chaos")
    assert "chaos > test_a_skipped started (1 running)" in done.stdout, done.stdout
    assert "chaos > test_b_runs started (1 running)" in done.stdout, done.stdout
