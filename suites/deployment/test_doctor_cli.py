"""`stormproof doctor` as a user runs it: the table, --json, the exit code, masked secrets."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from stormproof.deployment import API_KEY, Deployment
from stormproof.world import IngressKind

REPO = Path(__file__).resolve().parents[2]


async def doctor_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "stormproof.cli", "doctor", *args],
        cwd=REPO,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_json_report_and_exit_code_zero_when_every_check_passes(
    deployment: Deployment,
) -> None:
    done = await doctor_cli(
        "--address",
        deployment.address(IngressKind.API_KEY),
        "--ca",
        str(deployment.pki.ca),
        "--server-name",
        deployment.pki.server_name,
        "--api-key",
        API_KEY,
        "--json",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True and report["exit_code"] == 0
    assert {c["status"] for c in report["checks"]} <= {"pass", "skip"}
    assert API_KEY not in done.stdout, "the API key must be masked"
    assert report["target"]["api_key"] == "****" + API_KEY[-4:]


async def test_table_names_the_failure_and_its_fix_with_exit_code_one(
    deployment: Deployment,
) -> None:
    # Settings from the environment, as in CI: TEMPORAL_* names, the CLI adds nothing.
    done = await doctor_cli(
        env={
            "TEMPORAL_ADDRESS": deployment.address(IngressKind.HTTP1_ONLY),
            "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(deployment.pki.ca),
            "TEMPORAL_TLS_SERVER_NAME": deployment.pki.server_name,
        }
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    failed = [line for line in lines if " fail " in line]
    assert len(failed) == 1 and "http2" in failed[0], done.stdout
    assert any("fix: enable HTTP/2" in line for line in lines), done.stdout
    assert "result: FAILED at http2 [no_http2]" in done.stdout


async def test_a_bad_setting_is_a_config_diagnosis_not_a_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-ca.pem"
    done = await doctor_cli("--address", "127.0.0.1:7233", "--ca", str(missing), "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    first = json.loads(done.stdout)["checks"][0]
    assert (first["name"], first["status"], first["code"]) == ("config", "fail", "config_invalid")
    # The error names the flag the user typed (the doctor's own spelling), not the variable.
    assert "--ca" in first["diagnosis"], first["diagnosis"]
    assert str(missing) in first["diagnosis"]


async def test_an_envconfig_profile_is_probed_like_explicit_options(
    deployment: Deployment, tmp_path: Path
) -> None:
    """Temporal's own TOML profiles (temporalio.envconfig) reach the same target."""
    config_file = tmp_path / "temporal.toml"
    config_file.write_text(
        "[profile.ci]\n"
        f'address = "{deployment.address(IngressKind.TLS_H2)}"\n'
        "[profile.ci.tls]\n"
        f'server_ca_cert_path = "{deployment.pki.ca}"\n'
        f'server_name = "{deployment.pki.server_name}"\n'
    )
    done = await doctor_cli("--profile", "ci", "--config-file", str(config_file), "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["target"]["address"] == deployment.address(IngressKind.TLS_H2)
    assert report["target"]["tls"] is True and report["target"]["profile"] == "ci"
