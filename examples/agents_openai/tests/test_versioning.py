"""The worker's Worker Deployment settings, as an operator meets them: a half-given or
misspelt setting stops `python -m examples.agents_openai.worker` within seconds, before it
connects anywhere, naming the variable and the fix. The worker is run by its command (the
suite never imports the app); set right, it is a version of the deployment in every run of
`make rolling`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from examples.agents_openai.stormproof_adapter import ADAPTER, CHECKOUT

VARIABLES = ("SUPPORT_DEPLOYMENT_NAME", "SUPPORT_BUILD_ID", "SUPPORT_VERSIONING_BEHAVIOR")


def _worker(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    # Nothing listens there: a worker that got past its settings fails to connect instead.
    base.update(SUPPORT_TEMPORAL_ADDRESS="127.0.0.1:1", PYTHONPATH=CHECKOUT, **env)
    argv = ADAPTER.worker_cmd or [sys.executable, "-m", "examples.agents_openai.worker"]
    return subprocess.run(argv, env=base, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"SUPPORT_DEPLOYMENT_NAME": "support"}, "SUPPORT_BUILD_ID is unset"),
        (
            {"SUPPORT_DEPLOYMENT_NAME": "support", "SUPPORT_BUILD_ID": "v2",
             "SUPPORT_VERSIONING_BEHAVIOR": "sticky"},
            "SUPPORT_VERSIONING_BEHAVIOR='sticky' is not a behaviour; fix: set it to pinned",
        ),
    ],
)  # fmt: skip
def test_a_bad_setting_names_the_variable_and_the_fix(env: dict[str, str], said: str) -> None:
    done = _worker(env)
    assert done.returncode != 0 and said in done.stderr, done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]


def test_the_control_a_good_setting_gets_past_them() -> None:
    """Set right, the worker goes on to connect (and fails there: nothing listens)."""
    done = _worker(
        {"SUPPORT_DEPLOYMENT_NAME": "support", "SUPPORT_BUILD_ID": "v2",
         "SUPPORT_VERSIONING_BEHAVIOR": "pinned"}
    )  # fmt: skip
    assert done.returncode != 0, done.stderr[-2000:]
    assert not any(f"{v} is" in done.stderr for v in VARIABLES[1:]), done.stderr[-2000:]
