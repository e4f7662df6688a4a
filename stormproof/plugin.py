"""The Stormproof pytest plugin, as pip installs it (the `pytest11` entry point).

It sits in the judge layer because only there can the world and the judge meet without a
back-edge: the world's plugin (stormproof.fixtures.plugin: options, config, markers, the
report header, skip rules and the servers) knows nothing of the judge, and the judge's own
pieces are added here: the report's plugin (stormproof.report.plugin: the chaos report, the
live progress, the bug class of each failure), registered at configure, and the `judge`
fixture. Suites add their fixtures in their own conftest.py, so no plugin module names a suite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from stormproof.adapter import REFERENCE, Adapter, AdapterError, load_adapter
from stormproof.conformance.judge import Judge
from stormproof.constraints import drift
from stormproof.fixtures.fake_llm import FakeLlm
from stormproof.fixtures.plugin import suite_config_of
from stormproof.fixtures.sink import NotificationSink
from stormproof.report.plugin import register as register_report

pytest_plugins = ["stormproof.fixtures.plugin"]

ADAPTER_KEY = pytest.StashKey[Adapter]()
CONTRACT = "contract"


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Load and validate --adapter before collection: a broken adapter stops the run in
    seconds with its module and the fix, not minutes into a chaos test. Then the report's
    plugin, last so that the terminal reporter it writes to exists."""
    config.addinivalue_line(
        "markers",
        f"{CONTRACT}: drives the reference's own workflows (the contract's tests); skipped "
        "under a team's --adapter, so the reference is never judged in its place",
    )
    try:
        config.stash[ADAPTER_KEY] = load_adapter(suite_config_of(config).adapter)
    except AdapterError as exc:
        raise pytest.UsageError(f"stormproof: {exc}") from None
    register_report(config)


def adapter_of(config: pytest.Config) -> Adapter:
    return config.stash[ADAPTER_KEY]


def judges_reference(config: pytest.Config) -> bool:
    """Whether the run judges the reference worker (no team's --adapter was given)."""
    return adapter_of(config) is load_adapter(REFERENCE)


def pytest_report_header(config: pytest.Config) -> list[str]:
    """What is under test, as the suites will start it: the adapter, and its worker command
    unless --worker-cmd overrides it (the chaos world starts the same one)."""
    adapter, suite = adapter_of(config), suite_config_of(config)
    if suite.external_worker:
        worker = f"external, task queue {suite.task_queue}"
    elif adapter.worker_cmd and not suite.worker_cmd_given:
        worker = " ".join(adapter.worker_cmd)
    else:
        worker = suite.worker_cmd
    found = drift()  # a run on other versions than the tested ones says so, once
    versions = "; ".join(found) + " (stormproof constraints)" if found else "as tested"
    return [
        f"stormproof adapter: {adapter.name}",
        f"stormproof worker: {worker}",
        f"stormproof dependencies: {versions}",
    ]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Never judge the reference in a team's place: a test marked `contract` drives the
    reference's own workflows, so under a team's --adapter it is skipped, saying why."""
    if judges_reference(config):
        return
    name = adapter_of(config).name
    reason = (
        f"[{CONTRACT}] judges the reference worker's contract, not --adapter {name!r}; "
        "the adapter is judged by the chaos and properties suites (docs/ADAPTERS.md)"
    )
    for item in items:
        if item.get_closest_marker(CONTRACT):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def adapter(request: pytest.FixtureRequest) -> Adapter:
    """What the suites judge: --adapter's units and effects (default: the contract's)."""
    return adapter_of(request.config)


@pytest.fixture
async def judge(
    temporal_env: WorkflowEnvironment, fake_llm: FakeLlm, sink: NotificationSink
) -> AsyncIterator[Judge]:
    """Starts contract workflows on the conformance target and reads their effects back;
    runs a test leaves open are terminated after it (Judge.close says why)."""
    judge = Judge(temporal_env.client, fake_llm, sink)
    try:
        yield judge
    finally:
        await judge.close()
