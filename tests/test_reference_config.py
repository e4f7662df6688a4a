"""The reference app checks its Temporal settings with the judge's rules, before connecting.

A value that can never work (no port, a TLS word that is not a boolean, a missing
certificate) must end the worker at once with exit 2 and one message naming the setting
as the user gave it, the value and the fix; the SDK itself accepts `TEMPORAL_TLS=maybe`
as "on" and retries `localhost` on port 80 forever.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stormproof.reference.settings import SettingsError, load_settings
from stormproof.reference.temporal.config import ConnectionConfigError, check_environment
from stormproof.reference.temporal.connection import load_connect_config

# A worker started with a hopeless setting must say so well within this.
WORKER_EXIT_DEADLINE = 20.0


def error_of(env: dict[str, str], **flags: str) -> str:
    with pytest.raises(ConnectionConfigError) as caught:
        check_environment(env, **flags)
    return str(caught.value)


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("localhost", "has no port"),
        ("localhost:notaport", "is not host:port"),
        (":7233", "is not host:port"),
        ("localhost:0", "port 0 is not between 1 and 65535"),
        ("localhost:70000", "port 70000 is not between 1 and 65535"),
    ],
)
def test_an_address_without_a_usable_port_is_refused(address: str, problem: str) -> None:
    message = error_of({"TEMPORAL_ADDRESS": address})
    assert message.startswith(f"TEMPORAL_ADDRESS={address!r}: {problem}"), message
    assert "fix: set TEMPORAL_ADDRESS=host:port" in message, message


@pytest.mark.parametrize("address", ["localhost:7233", "[::1]:7233", "ns.a1b2c.tmprl.cloud:7233"])
def test_host_port_addresses_pass(address: str) -> None:
    check_environment({"TEMPORAL_ADDRESS": address})


def test_the_flag_is_named_when_the_value_came_from_the_flag() -> None:
    message = error_of({}, address="localhost")
    assert message.startswith("--address='localhost': has no port"), message
    assert "fix: pass --address=host:port" in message, message
    # The flag wins: a bad variable it overrides is not an error.
    check_environment({"TEMPORAL_ADDRESS": "localhost"}, address="127.0.0.1:7233")
    assert "--namespace=''" in error_of({}, namespace="")


@pytest.mark.parametrize("word", ["maybe", "enabled", "2"])
def test_a_tls_word_that_is_not_a_boolean_is_refused(word: str) -> None:
    message = error_of({"TEMPORAL_TLS": word})
    assert message.startswith(f"TEMPORAL_TLS={word!r}: is not true or false"), message


@pytest.mark.parametrize("word", ["true", "false", "1", "0", "yes", "no", "on", "OFF"])
def test_boolean_tls_words_pass(word: str) -> None:
    check_environment({"TEMPORAL_TLS": word})


def test_a_missing_certificate_is_file_not_found_not_a_pairing_error(tmp_path: Path) -> None:
    message = error_of({"TEMPORAL_TLS_CLIENT_CERT_PATH": "/missing"})
    assert message.startswith("TEMPORAL_TLS_CLIENT_CERT_PATH='/missing': file not found"), message
    assert "both" not in message, message
    cert = tmp_path / "client.pem"
    cert.write_text("not checked here")
    message = error_of({"TEMPORAL_TLS_CLIENT_CERT_PATH": str(cert)})
    assert "mTLS needs both files" in message and "TEMPORAL_TLS_CLIENT_KEY_PATH" in message
    for variable in ("TEMPORAL_TLS_SERVER_CA_CERT_PATH", "TEMPORAL_CONFIG_FILE"):
        assert "file not found" in error_of({variable: str(tmp_path / "nope")})


def test_flags_win_over_the_environment_in_the_connect_config() -> None:
    env = {"TEMPORAL_ADDRESS": "10.0.0.1:7233", "TEMPORAL_NAMESPACE": "prod"}
    config = load_connect_config(address="127.0.0.1:7234", namespace="dev", env=env)
    assert (config["target_host"], config["namespace"]) == ("127.0.0.1:7234", "dev")
    config = load_connect_config(env=env)
    assert (config["target_host"], config["namespace"]) == ("10.0.0.1:7233", "prod")


def test_worker_settings_name_the_flag_for_a_flag_value() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"task_queue": "--task-queue"}, task_queue="")
    assert "--task-queue=''" in str(caught.value), caught.value


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}
    return {**env, **extra}


@pytest.mark.parametrize(
    ("variable", "value", "problem", "fix"),
    [
        ("TEMPORAL_ADDRESS", "localhost", "has no port", "TEMPORAL_ADDRESS=host:port"),
        ("TEMPORAL_TLS", "maybe", "is not true or false", "TEMPORAL_TLS=true (or false)"),
    ],
)
def test_the_worker_exits_2_at_once_on_a_hopeless_temporal_setting(
    tmp_path: Path, variable: str, value: str, problem: str, fix: str
) -> None:
    env = clean_env(**{variable: value}, STORMPROOF_ARTIFACT_DIR=str(tmp_path / "artifacts"))
    done = subprocess.run(
        [sys.executable, "-m", "stormproof.reference.worker"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=WORKER_EXIT_DEADLINE,
    )
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert f"{variable}={value!r}: {problem}" in done.stderr, done.stderr
    assert f"fix: set {fix}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
