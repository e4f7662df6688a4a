"""`stormproof demo` shows every effect, serves the Web UI while it holds, and leaves
nothing behind on Ctrl-C. (The README quickstart runs it to a normal exit:
tests/test_quickstart.py.)"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from stormproof.fixtures.errors import WaitTimeout
from stormproof.fixtures.processes import AS_FROM_A_TERMINAL
from stormproof.fixtures.reaper import process_tree
from stormproof.fixtures.wait import wait_for_sync

RUN_DEADLINE = 180.0
GONE_DEADLINE = 20.0


def processes_naming(folder: Path) -> list[str]:
    """Live processes whose command line or environment names `folder`."""
    marker = str(folder).encode()
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            seen = (proc / "cmdline").read_bytes() + (proc / "environ").read_bytes()
        except (OSError, IndexError):
            continue
        if marker in seen:
            found.append(f"{proc.name}: {(proc / 'cmdline').read_bytes()[:100]!r}")
    return found


def effect_path(output: str, label: str) -> Path:
    match = re.search(rf"^  {label}\s+(\S+)", output, re.MULTILINE)
    assert match, f"no {label} line in:\n{output}"
    return Path(match.group(1))


def test_the_demo_shows_every_effect_and_ctrl_c_tears_it_all_down(tmp_path: Path) -> None:
    folder, log = tmp_path / "demo", tmp_path / "demo.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}
    demo_cmd = [sys.executable, "-m", "stormproof.cli", "demo", "--dir", str(folder), "--hold"]
    argv = [*AS_FROM_A_TERMINAL, *demo_cmd]
    with open(log, "w") as out:
        demo = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        wait_for_sync(
            lambda: "press Ctrl-C" in log.read_text() or demo.poll() is not None,
            what="the demo to finish its workflows and hold",
            timeout=RUN_DEADLINE,
            interval=0.2,
            logs={"demo": log},
        )
        output = log.read_text()
        assert demo.poll() is None, output
        assert "every effect landed once" in output, output
        assert effect_path(output, "artifact").read_text().strip(), output
        assert effect_path(output, "PDF").read_bytes().startswith(b"%PDF"), output
        assert "stormproof_reports at sqlite:" in output, output
        assert re.search(r"notification  POST \S+ answered 200, Idempotency-Key \S+", output)
        assert "approved by   temporal workflow signal" in output, output
        ui = re.search(r"^Web UI: (\S+)", output, re.MULTILINE)
        assert ui, output
        assert httpx.get(ui.group(1), timeout=10, follow_redirects=True).status_code == 200
        assert processes_naming(folder), "the check must see the world while it stands"
        os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C in a terminal
        try:
            code = demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"the demo did not exit within 60 s of Ctrl-C; still running:\n"
                f"{process_tree(demo.pid)}\ndemo output:\n{log.read_text()[-3000:]}",
                pytrace=False,
            )
        assert code == 130, log.read_text()
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait(timeout=10)
    try:
        wait_for_sync(lambda: not processes_naming(folder), what="nothing", timeout=GONE_DEADLINE)
    except WaitTimeout:
        pytest.fail(f"left running after Ctrl-C: {processes_naming(folder)}", pytrace=False)
    assert "interrupted; everything it started was stopped" in log.read_text()
