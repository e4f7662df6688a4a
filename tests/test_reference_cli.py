"""`stormproof-reference` as a user meets it: --version, help that lists what each command
reads and what its exit codes mean, errors that name the flag or variable, and a bad
address answered with exit 1 and one line, every time (no interpreter-exit crash)."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from stormproof import cli as judge_cli
from stormproof.reference import cli

CLIENT_COMMANDS = ("start", "result", "approve", "reject", "progress")
# Each run connects 3 times, 0.25 s then 0.5 s apart, then gives up: seconds, not minutes.
RUN_DEADLINE = 30.0
DEAD_PORT = "127.0.0.1:1"
UNRESOLVABLE = "no-such-host.invalid:7233"


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}
    return {**env, **extra}


@pytest.fixture
def no_temporal_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("TEMPORAL_", "STORMPROOF_")):
            monkeypatch.delenv(name)


def test_version_on_both_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--version"]) == 0
    assert cli.main(["-V"]) == 0
    assert judge_cli.main(["--version"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("stormproof-reference 0.") and out[0] == out[1], out
    assert out[2].startswith("stormproof 0."), out


def test_top_level_help_lists_every_command_and_the_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["--help"]) == 0
    text = capsys.readouterr().out
    for command in ("worker", "api", "supervisor", *CLIENT_COMMANDS):
        assert f"  {command} " in text, text
    assert "exit codes:" in text and "  2  usage or configuration error" in text, text


@pytest.mark.parametrize("command", [*CLIENT_COMMANDS, "worker", "api", "supervisor"])
def test_each_help_lists_its_variables_and_exit_codes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert f"usage: stormproof-reference {command}" in text, text
    assert "environment variables read:" in text, text
    for variable in ("TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "STORMPROOF_TASK_QUEUE"):
        assert variable in text, (variable, text)
    assert "exit codes:" in text, text
    if command != "supervisor":
        assert "  1  runtime failure" in text, text
    if command in CLIENT_COMMANDS:
        for flag in ("--address", "--namespace", "--task-queue"):
            assert flag in text, (flag, text)
    if command == "worker":
        assert "OPENAI_API_KEY" in text and "STORMPROOF_ARTIFACT_DIR" in text, text
    if command == "api":
        assert "STORMPROOF_API_MAX_BODY_BYTES" in text, text


def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, no_temporal_env: None
) -> None:
    assert cli.main(["nonsense"]) == 2
    assert cli.main(["start", "poem", "x"]) == 2  # argparse: invalid choice
    assert cli.main(["result", "some-id", "--timeout", "0"]) == 2
    assert cli.main(["start", "story", ""]) == 2  # an empty prompt, refused before connecting
    assert cli.main(["start", "story", "x", "--task-queue", ""]) == 2
    monkeypatch.setenv("TEMPORAL_TLS", "maybe")
    assert cli.main(["supervisor"]) == 2  # the canary's settings, checked before starting
    err = capsys.readouterr().err
    assert "--timeout=0: must be more than 0 seconds" in err, err
    assert "invalid prompt: String should have at least 1 character" in err, err
    assert "--task-queue='': is empty" in err, err
    assert "supervisor: TEMPORAL_TLS='maybe': is not true or false" in err, err


@pytest.mark.parametrize("command", CLIENT_COMMANDS)
def test_config_errors_name_the_flag_or_the_variable(
    command: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    no_temporal_env: None,
) -> None:
    args = ["story", "x"] if command == "start" else ["some-id"]
    if command in {"approve", "reject"}:
        args += ["--reviewer", "ops"]
    assert cli.main([command, *args, "--address", "localhost"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"stormproof-reference {command}: --address='localhost': has no port")
    assert "fix: pass --address=host:port" in err and len(err.splitlines()) == 1, err

    monkeypatch.setenv("TEMPORAL_ADDRESS", "localhost")
    assert cli.main([command, *args]) == 2
    err = capsys.readouterr().err
    assert "TEMPORAL_ADDRESS='localhost': has no port; fix: set TEMPORAL_ADDRESS=" in err, err

    monkeypatch.delenv("TEMPORAL_ADDRESS")
    monkeypatch.setenv("TEMPORAL_TLS_CLIENT_CERT_PATH", "/missing")
    assert cli.main([command, *args]) == 2
    err = capsys.readouterr().err
    assert "TEMPORAL_TLS_CLIENT_CERT_PATH='/missing': file not found" in err, err


def test_a_decision_needs_a_valid_reviewer(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, no_temporal_env: None
) -> None:
    assert cli.main(["approve", "report-1"]) == 2
    assert "no reviewer; fix: pass --reviewer NAME" in capsys.readouterr().err
    assert cli.main(["reject", "report-1", "--reviewer", ""]) == 2
    assert "--reviewer='': String should have at least 1 character" in capsys.readouterr().err
    monkeypatch.setenv("STORMPROOF_REVIEWER", "x" * 201)
    assert cli.main(["approve", "report-1"]) == 2
    assert "STORMPROOF_REVIEWER=" in capsys.readouterr().err
    assert cli.main(["approve", "report-1", "--reviewer", "ops", "--comment", "c" * 2001]) == 2
    assert "--comment='...'" in capsys.readouterr().err


def command_line() -> list[str]:
    """The installed console script next to this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("stormproof-reference")
    return [str(script)] if script.exists() else [sys.executable, "-m", "stormproof.reference.cli"]


def run_once(address: str, cwd: Path) -> tuple[str, int, str]:
    done = subprocess.run(
        [*command_line(), "start", "story", "x", "--address", address],
        env=clean_env(),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=RUN_DEADLINE,
    )
    return address, done.returncode, done.stderr


def test_twenty_runs_against_a_bad_address_all_exit_1_with_one_clear_line(tmp_path: Path) -> None:
    """The SDK's threads could abort the interpreter at exit (temporalio/sdk-python#300):
    5 of 15 runs with a bad address died with exit 134/139 before the fix."""
    addresses = [DEAD_PORT, UNRESOLVABLE] * 10
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(pool.map(lambda address: run_once(address, tmp_path), addresses))
    bad = [run for run in runs if run[1] != 1 or len(run[2].strip().splitlines()) != 1]
    assert not bad, f"{len(bad)} of {len(runs)} runs were not exit 1 with one line: {bad[:3]}"
    for address, _, stderr in runs:
        line = stderr.strip()
        assert line.startswith(f"stormproof-reference start: cannot reach Temporal at {address}")
        assert "fix: " in line and "Traceback" not in line and "Fatal" not in line, line
        cause = "connection refused" if address == DEAD_PORT else "cannot resolve host"
        assert cause in line, line
