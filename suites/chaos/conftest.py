"""The chaos suite's own hooks: the process_death marker and its deselection.

The chaos fixtures (`chaos_world`, `chaos`) live in stormproof/chaos/fixtures.py, a pytest
plugin of their own (the `stormproof-chaos` pytest11 entry point), so a team's tests
beside its adapter (examples/routing/tests) get them too. Tests marked process_death are
deselected unless `-m process_death` asks for them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent
PROCESS_DEATH = "process_death"
# The chaos tests whose scenarios need nothing of the contract beyond units to start: they
# run under any --adapter. The others drive the contract's own steps (activity names, the
# `progress` query, the reference's broken twins) and are skipped under a team's adapter.
ANY_ADAPTER = {
    "test_f1_temporal_kill.py",
    "test_f2_worker_link.py",
    "test_f8_start_unknown_outcome.py",
    "test_soak.py",
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{PROCESS_DEATH}: a worker death after each effect kind, ~30 s each "
        f"(deselected unless -m {PROCESS_DEATH})",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the contract's own scenarios `contract` (a team's --adapter skips them, with the
    reason: stormproof/plugin.py); keep the long process-death tests out of the default
    run, as the soak is."""
    for item in items:
        if item.path.is_relative_to(HERE) and item.path.name not in ANY_ADAPTER:
            item.add_marker(pytest.mark.contract)
    if PROCESS_DEATH in (config.getoption("markexpr") or ""):
        return
    deselected = [item for item in items if item.get_closest_marker(PROCESS_DEATH)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]
