"""The Stormproof pytest plugin, as pip installs it (the `pytest11` entry point).

It sits in the judge layer because only there can the world and the judge meet without a
back-edge: the world's plugin (stormproof.fixtures.plugin: options, config, markers, the
report header, skip rules and the servers) knows nothing of the judge, and the judge's own
pieces (the chaos report, the bug class of each failure, the `judge` fixture) are added
here. Suites add their fixtures in their own conftest.py, so no plugin module names a suite.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from stormproof.adapter import Adapter, AdapterError, load_adapter
from stormproof.conformance.judge import Judge
from stormproof.fixtures.fake_llm import FakeLlm
from stormproof.fixtures.plugin import suite_config_of
from stormproof.fixtures.sink import NotificationSink

pytest_plugins = [
    "stormproof.fixtures.plugin",
    "stormproof.report.records",
    "stormproof.report.progress",
    "stormproof.report.diagnosis",
]

ADAPTER_KEY = pytest.StashKey[Adapter]()


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Load and validate --adapter before collection: a broken adapter stops the run in
    seconds with its module and the fix, not minutes into a chaos test."""
    try:
        config.stash[ADAPTER_KEY] = load_adapter(suite_config_of(config).adapter)
    except AdapterError as exc:
        raise pytest.UsageError(f"stormproof: {exc}") from None


def adapter_of(config: pytest.Config) -> Adapter:
    return config.stash[ADAPTER_KEY]


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
