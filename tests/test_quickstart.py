"""Two marked blocks of the docs, run whole and as written, so the pages and the project
cannot drift (tests/test_doc_commands.py runs every other command of README.md and docs/).

The quickstart (make targets, README.md) and the story against a real LLM on a local
Temporal (docs/DEPLOYMENT.md). Their lines are read from the pages at test time. The second
runs with the fake LLM's URL and key in place of OpenAI's, and a free port in place of 7233,
so it needs no key and cannot collide with a Temporal already on the machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from stormproof.fixtures.endpoints import FAKE_LLM_KEY
from stormproof.fixtures.errors import WaitTimeout
from stormproof.fixtures.fake_llm import FakeLlm
from stormproof.fixtures.ports import free_port
from stormproof.fixtures.wait import wait_for_sync

REPO = Path(__file__).resolve().parents[1]
# These run the suites that `make test` (which runs this file) or CI right after it runs: checked
# with `make -n`, which fails on a missing target or a broken recipe, not run twice.
DRY_RUN = {"make test", "make chaos", "make quick", "make suite"}


def readme_block(marker: str) -> list[str]:
    """The lines of the ```sh block that follows `<!-- marker: ... -->` in README.md or a page
    of docs/ (the quickstart is in the README, the real-LLM story in docs/DEPLOYMENT.md)."""
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    (text,) = [t for t in (p.read_text() for p in pages) if f"<!-- {marker}:" in t]
    start = text.index(f"<!-- {marker}:")
    body = text.index("```sh\n", start) + len("```sh\n")
    return [line for line in text[body : text.index("```", body)].splitlines() if line.strip()]


def command(line: str) -> str:
    return re.sub(r"\s+#\s.*$", "", line).strip()


def clean_env(**extra: str) -> dict[str, str]:
    prefixes = ("TEMPORAL_", "STORMPROOF_", "OPENAI_", "MAKE", "MFLAGS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return {**env, **extra}


def processes_naming(*markers: str) -> list[str]:
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            seen = (proc / "cmdline").read_bytes() + (proc / "environ").read_bytes()
        except (OSError, IndexError):
            continue
        if any(marker.encode() in seen for marker in markers):
            found.append(f"{proc.name}: {(proc / 'cmdline').read_bytes()[:100]!r}")
    return found


def assert_nothing_left(*markers: str) -> None:
    try:
        wait_for_sync(lambda: not processes_naming(*markers), what="nothing left", timeout=20)
    except WaitTimeout:
        pytest.fail(f"left running: {processes_naming(*markers)}", pytrace=False)


def test_the_quickstart_works_as_written(tmp_path: Path) -> None:
    lines = [command(line) for line in readme_block("quickstart")]
    assert lines and all(line.startswith("make ") for line in lines), lines
    demo_dir = tmp_path / "demo"  # the demo's folder, so parallel runs cannot share one
    env = clean_env(STORMPROOF_DEMO_DIR=str(demo_dir))
    outputs = {}
    for line in lines:
        argv = line.split()
        if line in DRY_RUN:
            argv.insert(1, "-n")
        done = subprocess.run(
            argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        outputs[line] = done.stdout
        assert done.returncode == 0, f"`{line}` exited {done.returncode}:\n{done.stdout[-3000:]}"
        assert done.stderr.count("Traceback") == 0, f"`{line}`:\n{done.stderr[-3000:]}"
    assert "every effect landed once" in outputs["make demo"], outputs["make demo"]
    assert "Web UI: http://" in outputs["make demo"]
    assert "pytest" in outputs["make quick"] and "pytest" in outputs["make test"]
    assert "  quick " in outputs["make help"]
    assert_nothing_left(str(demo_dir))


def test_the_real_llm_story_works_as_written(tmp_path: Path) -> None:
    port = str(free_port())
    lines = readme_block("real-llm")
    assert any("7233" in line for line in lines) and any("sk-..." in line for line in lines)
    script = "\n".join(lines).replace("7233", port).replace("sk-...", FAKE_LLM_KEY)
    # The harness's own line: a failed step (bash -e) must not leave the background jobs.
    script = "trap 'kill $(jobs -p) 2>/dev/null' EXIT\n" + script
    (tmp_path / ".venv").symlink_to(REPO / ".venv")  # run where the README's paths hold
    out_file, err_file = tmp_path / "stdout", tmp_path / "stderr"
    with FakeLlm() as llm, open(out_file, "w") as out_fd, open(err_file, "w") as err_fd:
        shell = subprocess.Popen(
            ["bash", "-e", "-c", script],
            cwd=tmp_path,
            env=clean_env(OPENAI_BASE_URL=llm.base_url),
            stdout=out_fd,
            stderr=err_fd,
            start_new_session=True,
        )
        try:
            shell.wait(timeout=180)
        finally:
            if shell.poll() is None:
                os.killpg(shell.pid, signal.SIGKILL)
                shell.wait(timeout=10)
        calls = len(llm.calls)
    out, err = out_file.read_text(), err_file.read_text()
    assert shell.returncode == 0, f"exit {shell.returncode}\n{out[-2000:]}\n{err[-3000:]}"
    result = json.loads(out[out.index("{") :])
    story = Path(result["artifact_path"])
    assert story.is_file() and story.is_relative_to(tmp_path / "artifacts"), result
    assert calls == 1, f"{calls} LLM calls for one story"
    try:
        assert_nothing_left(f"--port\0{port}", f"localhost:{port}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(shell.pid, signal.SIGKILL)
