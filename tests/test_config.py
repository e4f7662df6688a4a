"""The one SuiteConfig: precedence, validation that names the fix, masking, and the plugin's
report header and skip rules as a user sees them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stormproof.fixtures.config import OPTIONS, SuiteConfig, resolve
from stormproof.fixtures.connect import connect_kwargs, connection_env
from stormproof.fixtures.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def test_cli_beats_environment_beats_ini_beats_default() -> None:
    cli = {"namespace": "from-cli"}
    env = {"TEMPORAL_NAMESPACE": "from-env", "TEMPORAL_ADDRESS": "env-host:7233"}
    ini = {"namespace": "from-ini", "address": "ini-host:7233", "task_queue": "ini-queue"}
    config = resolve(cli, env, ini)
    assert config.namespace == "from-cli"
    assert config.address == "env-host:7233"
    assert config.task_queue == "ini-queue"
    assert config.api_key is None  # default
    assert resolve({}, {}, {}).namespace == "default"


def test_every_option_has_one_flag_and_one_environment_name() -> None:
    flags = [o.flag for o in OPTIONS]
    envs = [o.env for o in OPTIONS if o.env]
    assert len(flags) == len(set(flags)) and len(envs) == len(set(envs))
    assert set(SuiteConfig.model_fields) == {o.field for o in OPTIONS}


@pytest.mark.parametrize(
    ("env", "setting", "value", "fix"),
    [
        ({"TEMPORAL_ADDRESS": "no-port"}, "TEMPORAL_ADDRESS", "no-port", "host:port"),
        ({"TEMPORAL_TLS": "maybe"}, "TEMPORAL_TLS", "maybe", "--temporal-tls"),
        (
            {"TEMPORAL_TLS_SERVER_CA_CERT_PATH": "/nonexistent/ca.pem"},
            "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
            "/nonexistent/ca.pem",
            "existing file",
        ),
        ({"STORMPROOF_EXTERNAL_WORKER": "1"}, "--external-worker", True, "--task-queue"),
        ({"STORMPROOF_CHAOS_SEED": "abc"}, "STORMPROOF_CHAOS_SEED", "abc", "--chaos-seed"),
    ],
)
def test_bad_values_name_the_setting_the_value_and_the_fix(
    env: dict[str, str], setting: str, value: object, fix: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve({}, env, {})
    assert setting in caught.value.setting
    assert caught.value.value == value
    assert fix in str(caught.value)


def test_client_pair_needs_both_halves(tmp_path: Path) -> None:
    cert = tmp_path / "client.pem"
    cert.write_text("x")
    with pytest.raises(ConfigError, match="both"):
        resolve({"tls_cert": str(cert)}, {}, {})


def test_secrets_are_masked() -> None:
    config = resolve({"api_key": "sk-live-abcdef123456"}, {}, {})
    shown = config.masked()
    assert shown["api_key"] == "****3456"
    assert "sk-live-abcdef123456" not in repr(shown)


def test_api_key_implies_tls_and_the_worker_gets_the_same_settings(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    config = resolve(
        {"address": "ns.acct.tmprl.cloud:7233", "api_key": "k", "tls_ca": str(ca)}, {}, {}
    )
    kwargs = connect_kwargs(config)
    assert kwargs["target_host"] == "ns.acct.tmprl.cloud:7233" and kwargs["tls"]
    env = connection_env(config)
    assert env["TEMPORAL_TLS"] == "true" and env["TEMPORAL_API_KEY"] == "k"
    assert env["TEMPORAL_TLS_SERVER_CA_CERT_PATH"] == str(ca.resolve())
    assert connection_env(resolve({}, {}, {})) == {}


PROBE_TESTS = """
import pytest

@pytest.mark.local_server
def test_restarts_the_server(): pass

@pytest.mark.time_skipping
def test_moves_time(): pass

@pytest.mark.toxiproxy
def test_cuts_the_frontend(): pass

@pytest.mark.worker_process
def test_kills_the_worker(): pass

def test_runs_against_the_target(): pass
"""


def test_header_masks_secrets_and_local_only_tests_skip_with_their_marker(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_probe.py").write_text(PROBE_TESTS)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}
    target = ["--temporal-address", "127.0.0.1:7233", "--temporal-api-key", "sk-secret-9876"]
    worker = ["--external-worker", "--task-queue", "team-queue"]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-rs",
            str(tmp_path),
            *target,
            *worker,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "stormproof target: 127.0.0.1:7233 namespace=default" in out
    assert "stormproof worker: external, task queue team-queue" in out
    assert "****9876" in out and "sk-secret-9876" not in out
    for marker in ("local_server", "time_skipping", "toxiproxy", "worker_process"):
        assert f"[{marker}]" in out, out
    assert "1 passed, 4 skipped" in out, out
