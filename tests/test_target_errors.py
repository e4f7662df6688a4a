"""A wrong target is said once, at the right moment, with the fix.

An address the doctor would refuse is a usage error before any test runs, naming the flag
or variable the user actually typed; a target that does not answer fails the first test
that needs it with the address, the cause and `stormproof doctor`, and stops the session
instead of printing one transport traceback per test. The replay suite, when it uses the
target, goes red with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stormproof.doctor.target import target_of
from stormproof.fixtures.config import SuiteConfig, resolve
from stormproof.fixtures.errors import ConfigError
from stormproof.fixtures.ports import free_port

BAD_ADDRESSES = {
    "localhost:notaport": "not a number",
    "localhost": "has no port",
    "localhost:": "not a number",
    ":7233": "host",
    "localhost:0": "not a number 1-65535",
    "localhost:70000": "not a number 1-65535",
    "::1:7233": "is not host:port",
    "http://localhost:7233": "scheme",
}

USES_THE_TARGET = """
import pytest

@pytest.mark.parametrize("n", range(6))
async def test_uses_the_target(judge_client, n):
    pass
"""


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}


def run_pytest(
    args: list[str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.mark.parametrize(("address", "problem"), BAD_ADDRESSES.items())
def test_a_bad_address_names_the_flag_the_value_and_the_fix(address: str, problem: str) -> None:
    with pytest.raises(ConfigError) as from_flag:
        resolve({"address": address}, {}, {})
    assert from_flag.value.setting == "--temporal-address"
    assert from_flag.value.value == address
    assert problem in str(from_flag.value) and "fix: use host:port" in str(from_flag.value)
    with pytest.raises(ConfigError) as from_env:
        resolve({}, {"TEMPORAL_ADDRESS": address}, {})
    assert from_env.value.setting == "TEMPORAL_ADDRESS"


@pytest.mark.parametrize("address", ["127.0.0.1:7233", "[::1]:7233", "ns.a1b2c.tmprl.cloud:7233"])
def test_the_suite_and_the_doctor_accept_the_same_good_addresses(address: str) -> None:
    config = resolve({"address": address}, {}, {})
    assert target_of(config).port == 7233


@pytest.mark.parametrize("address", list(BAD_ADDRESSES))
def test_the_doctor_refuses_what_the_suite_refuses(address: str) -> None:
    # Built without validation, as a profile's address would be: the doctor's own check.
    with pytest.raises(ConfigError):
        target_of(SuiteConfig(address=address))


def test_a_missing_certificate_is_said_before_the_pair_rule(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve({"tls_cert": str(tmp_path / "missing.pem")}, {}, {})
    assert caught.value.setting == "--temporal-tls-cert"
    assert "no such file" in str(caught.value)


def test_pytest_refuses_a_bad_address_at_start_up(tmp_path: Path) -> None:
    (tmp_path / "test_probe.py").write_text(USES_THE_TARGET)
    done = run_pytest([str(tmp_path), "--temporal-address", "localhost:notaport"], tmp_path)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "--temporal-address='localhost:notaport'" in done.stderr
    assert "fix: use host:port" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_an_unreachable_target_is_reported_once_and_stops_the_session(tmp_path: Path) -> None:
    (tmp_path / "test_probe.py").write_text(USES_THE_TARGET)
    address = f"127.0.0.1:{free_port()}"  # handed to nobody: nothing listens there
    done = run_pytest([str(tmp_path), "--temporal-address", address], tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == pytest.ExitCode.INTERRUPTED, out
    assert out.count("ERROR at setup") == 1, out
    assert f"cannot connect to the Temporal target {address}" in out
    assert "tcp connect error: Connection refused" in out
    assert f"stormproof doctor --address {address}" in out
    assert "Interrupted: stormproof: cannot connect" in out
    assert "Traceback" not in out and "tonic::transport" not in out


def test_the_replay_suite_is_not_green_against_a_bad_target(tmp_path: Path) -> None:
    bad = run_pytest(
        ["--pyargs", "stormproof.suites.replay", "--temporal-address", "localhost:notaport"],
        tmp_path,
    )
    assert bad.returncode == pytest.ExitCode.USAGE_ERROR, bad.stdout + bad.stderr
    dead = f"127.0.0.1:{free_port()}"
    live = run_pytest(
        [
            *("--pyargs", "stormproof.suites.replay", "-k", "live_histories"),
            *("--temporal-address", dead, "--replay-query", "WorkflowType='ReportWorkflow'"),
        ],
        tmp_path,
    )
    out = live.stdout + live.stderr
    assert live.returncode not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED), out
    assert "1 failed" in out or "1 error" in out, out
    assert "Connection refused" in out, out
