"""Every command a user types from README.md and docs/ is run by a test, so the pages and the
project cannot drift; a command no test knows fails here, naming its page and line.

How each command is run is listed in tests/doc_commands.py (COMMANDS): as written, or in a
cheaper form that proves it resolves (`make -n`, `pytest ... --collect-only`). A team's
commands (bare `pytest --pyargs ...`, `stormproof ...`) run from a folder outside the
checkout, with the routing example in place of `myteam`. The performance page must be
exactly what `python -m bench render` makes of bench/results/.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import trustme

from bench import _render
from bench._results import load_all
from stormproof.fixtures.temporal import DevServer
from tests.doc_commands import (
    COLLECT,
    COMMANDS,
    COVERED,
    DOCKER,
    EXPORT,
    MAKE_DRY,
    MARKED,
    ROOT,
    RUN,
    DocCommand,
    dev_form,
    doc_commands,
    exported,
    team_form,
)

COLLECTED = re.compile(r"(\d+)(?:/\d+)? tests? collected")
READ_BY_THE_SUITE = [ROOT / "fixtures", ROOT / "stormproof"]


def _clean_env(**extra: str) -> dict[str, str]:
    prefixes = ("TEMPORAL_", "STORMPROOF_", "OPENAI_", "MAKE", "MFLAGS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.pop("PYTHONPATH", None)
    return {**env, **extra}


def _commands() -> list[DocCommand]:
    return doc_commands()[0]


def _run(text: str, cwd: Path, env: dict[str, str], timeout: float = 120) -> tuple[int, str]:
    done = subprocess.run(
        ["bash", "-c", text], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    return done.returncode, done.stdout + done.stderr


def _check(command: DocCommand, cwd: Path, env: dict[str, str], text: str) -> str | None:
    """Run one command the way COMMANDS says; the problem in words, or None."""
    way = COMMANDS[command.text]
    if way.kind == MAKE_DRY:
        text = text.replace("make ", "make -n ", 1)
    elif way.kind == COLLECT:
        text += " --collect-only -q"
    elif way.kind == DOCKER:
        binary = shutil.which("docker-compose")
        if binary is None:  # tests/test_compose.py says the same; the files must exist
            files = re.findall(r"-f (\S+)", text) or ["compose.yaml"]
            missing = [f for f in files if not (ROOT / f).is_file()]
            return f"missing compose files {missing}" if missing else None
        text = text.replace("docker compose", binary).replace(" up -d", " config -q")
    code, out = _run(text, cwd, env)
    expect = way.expect if way.kind == RUN else 0
    if code != expect:
        return f"`{text}` exited {code}, not {expect}:\n{out[-2500:]}"
    if way.kind == COLLECT:
        counts = [int(n) for n in COLLECTED.findall(out)]
        if not counts or counts[-1] == 0:
            return f"`{text}` collected no test:\n{out[-2500:]}"
    if way.output and way.output not in out:
        return f"`{text}`: {way.output!r} not in its output:\n{out[-2500:]}"
    return None


def _failures(found: list[tuple[DocCommand, str | None]]) -> str:
    return "\n".join(f"{c.where}: {problem}" for c, problem in found if problem)


def test_every_doc_command_is_known_to_a_test() -> None:
    commands, misplaced = doc_commands()
    assert len(commands) > 30, commands
    unknown = [
        f"{c.where}: `{c.text}`: no test runs it; say how in COMMANDS (tests/doc_commands.py)"
        for c in commands
        if c.marker is None and c.text not in COMMANDS
    ]
    assert not unknown and not misplaced, "\n".join(unknown + misplaced)
    unused = set(COMMANDS) - {c.text for c in commands}
    assert not unused, f"COMMANDS lists commands no page has any more: {sorted(unused)}"
    quickstart = (ROOT / "tests" / "test_quickstart.py").read_text()
    markers = {c.marker for c in commands if c.marker}
    assert markers == set(MARKED), markers
    assert all(f"def {test}(" in quickstart for test in MARKED.values())


def test_the_check_names_the_page_and_line_of_what_it_cannot_run(tmp_path: Path) -> None:
    page = tmp_path / "NEW.md"
    page.write_text(
        "# x\n\n```sh\nmake quick\npytest suites/chaos \\\n  -n 2   # not --pyargs\n```\n"
        "\n```bash\nmake chaos\n```\n\n    stormproof doctor\n"
    )
    commands, misplaced = doc_commands([page])
    assert [(c.where, c.text) for c in commands] == [
        ("NEW.md:4", "make quick"),
        ("NEW.md:5", "pytest suites/chaos -n 2"),
    ]
    assert "pytest suites/chaos -n 2" not in COMMANDS
    assert misplaced == [
        "NEW.md:9: a ```bash block: write ```sh",
        "NEW.md:13: an indented code block: use ```sh",
    ]


def test_every_export_names_a_setting_the_suite_reads() -> None:
    source = "".join(p.read_text() for d in READ_BY_THE_SUITE for p in d.rglob("*.py"))
    for command in _commands():
        way = COMMANDS.get(command.text)
        if way is not None and way.kind == EXPORT:
            for name in exported(command.text):
                assert f'"{name}"' in source, f"{command.where}: nothing reads {name}"


def test_covered_commands_name_a_test_that_exists() -> None:
    for command in _commands():
        way = COMMANDS.get(command.text)
        if way is not None and way.kind == COVERED:
            path, test = way.covered_by.split("::")
            assert f"def {test}(" in (ROOT / path).read_text(), f"{command.where}: {way}"


def test_the_performance_page_is_the_render_of_bench_results() -> None:
    page = (ROOT / "docs" / "PERFORMANCE.md").read_text()
    assert page == _render.render(), "docs/PERFORMANCE.md is stale: run `python -m bench render`"
    for result in load_all():
        module = result["command"].split("-m ", 1)[1].split()
        name = module[1] if module[0] == "bench" else module[0].removeprefix("bench.")
        assert callable(importlib.import_module(f"bench.{name}").main), result["command"]
        assert all(r["commits"] for r in result["rows"]), f"{name}: a figure without a commit"


def test_the_checkout_commands_run(tmp_path: Path) -> None:
    """Every `.venv/bin/...` and `make ...` command, in the checkout, two at a time."""
    seen: dict[str, DocCommand] = {}
    for c in _commands():
        if c.marker is None and c.in_checkout and c.text in COMMANDS:
            seen.setdefault(c.text, c)
    env = _clean_env()
    with ThreadPoolExecutor(max_workers=2) as pool:
        found = list(
            zip(
                seen.values(),
                pool.map(lambda c: _check(c, ROOT, env, c.text), seen.values()),
                strict=True,
            )
        )
    assert not _failures(found), _failures(found)


@pytest.fixture
def team_folder(tmp_path: Path) -> Iterator[Path]:
    """An empty folder outside the checkout with what the pages' team commands name: the
    routing example importable as a team's package, its histories exported to `exported/`,
    and a CA certificate `ca.pem`."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    shutil.copytree(ROOT / "examples" / "routing" / "histories", tmp_path / "exported")
    trustme.CA().cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    yield tmp_path


@pytest.mark.team_commands
@pytest.mark.local_server
@pytest.mark.worker_process
@pytest.mark.timeout(240)
async def test_the_team_commands_run_outside_the_checkout(team_folder: Path) -> None:
    """A team's commands in page order, each once: record before replay before --check."""
    server = await DevServer(team_folder / ".temporal").start()
    try:
        path = f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"
        base = _clean_env(PATH=path, PYTHONPATH=str(team_folder))
        found: list[tuple[DocCommand, str | None]] = []
        blocks: dict[tuple[str, int], dict[str, str]] = {}
        done: set[str] = set()
        for command in _commands():
            way = COMMANDS.get(command.text)
            if command.marker or command.in_checkout or way is None or way.kind == COVERED:
                continue
            exports = blocks.setdefault((command.page, command.block), {})
            text = team_form(command.text)
            if way.dev_server:
                text = dev_form(text, server.address, server.metrics_url)
            if way.kind == EXPORT:
                exports.update(exported(text))
                continue
            key = f"{text} {json.dumps(exports, sort_keys=True)}"
            if key in done:
                continue
            done.add(key)
            env = {**base, **exports}
            problem = await asyncio.to_thread(_check, command, team_folder, env, text)
            found.append((command, problem))
    finally:
        server.stop()
    assert not _failures(found), _failures(found)
    assert (team_folder / "tests" / "histories").is_dir(), "record-histories wrote nothing"
