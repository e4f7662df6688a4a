"""The generic check of an adapter's services (stormproof/conformance/service_failures.py)
has teeth under the routing app's adapter: its busy_is_final twin, whose agent call takes
a 429 for a refusal, is rejected on the FAQ agent's 429 cell as `retry-classification`.
The full matrix (every agent, every mode) is suites/properties/test_service_failures.py
run with `--adapter examples.routing.stormproof_adapter`.
"""

from __future__ import annotations

import pytest

from examples.routing.tests.helpers import ADAPTER, twin_argv
from stormproof.adapter import load_adapter
from stormproof.chaos import ChaosRun
from stormproof.conformance.service_failures import cases, check_service_failure
from stormproof.diagnosis import BugClass, rejected_as

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process, pytest.mark.toxiproxy]


@pytest.mark.negative_control
async def test_negative_control_agent_429_taken_for_final(chaos: ChaosRun) -> None:
    [case] = [c for c in cases(load_adapter(ADAPTER)) if c.id == "faq-429"]
    await chaos.start_worker(twin_argv("busy_is_final"))
    with rejected_as(BugClass.RETRY_CLASSIFICATION):
        await check_service_failure(chaos, case)
