"""An adapter's own services fail every way they can, and the worker classifies each as
its Service declares (`final`, `final_error`): a transient failure is retried to one
effect, a final one fails the unit at once with its error and no effect. One test per
service and failure mode (refused, reset, no answer, 5xx, 429, 4xx, malformed), on a
chaos run's world: the Toxiproxy link and the recording proxy the suite puts in front of
every service (stormproof/conformance/service_failures.py).

An adapter without services has no case here. Under the routing example's adapter
(`--adapter examples.routing.stormproof_adapter`) it is 14 cases and about four minutes
(a silent agent is waited out to the worker's 60 s timeout), so it runs on demand:
`pytest suites/properties/test_service_failures.py --adapter ...`. Its negative control,
routing's busy_is_final twin, is examples/routing/tests/test_service_failures.py.
"""

from __future__ import annotations

import pytest

from stormproof.adapter import load_adapter
from stormproof.chaos import ChaosRun
from stormproof.conformance.service_failures import Case, cases, check_service_failure
from stormproof.world import suite_config_of

pytestmark = [
    pytest.mark.local_server,
    pytest.mark.worker_process,
    pytest.mark.toxiproxy,
    pytest.mark.service_failures,
]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        found = cases(load_adapter(suite_config_of(metafunc.config).adapter))
        metafunc.parametrize("case", found, ids=[c.id for c in found])


async def test_service_failure_is_classified_as_declared(chaos: ChaosRun, case: Case) -> None:
    await chaos.start_worker()
    await check_service_failure(chaos, case)
