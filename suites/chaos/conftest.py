"""The chaos suite's own hooks: what applies to a team's adapter, and process_death.

Each chaos test states the effect kinds its fault needs (`needs(LlmCalls)`; `needs()`
for nothing beyond units to start): under an adapter that declares
none of a needed kind it is skipped naming the missing declaration (stormproof/chaos/applies.py).
A test here that states no `needs` drives the contract's own steps (the reference's broken
twins, the `progress` query, its activity names): it is marked `contract` and skipped
under a team's adapter, with that reason (stormproof/plugin.py).

The chaos fixtures (`chaos_world`, `chaos`) live in stormproof/chaos/fixtures.py, a pytest
plugin of their own (the `stormproof-chaos` pytest11 entry point), so a team's tests
beside its adapter (examples/routing/tests) get them too. Tests marked process_death are
deselected unless `-m process_death` asks for them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stormproof.chaos import NEEDS

HERE = Path(__file__).parent
PROCESS_DEATH = "process_death"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{PROCESS_DEATH}: a worker death after each effect kind, ~30 s each "
        f"(deselected unless -m {PROCESS_DEATH})",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark `contract` every test here that declares no `needs` (a team's --adapter skips
    them, with the reason: stormproof/plugin.py); keep the long process-death tests out of
    the default run, as the soak is."""
    for item in items:
        undeclared = item.get_closest_marker(NEEDS) is None
        if item.path.is_relative_to(HERE) and undeclared:
            item.add_marker(pytest.mark.contract)
    if PROCESS_DEATH in (config.getoption("markexpr") or ""):
        return
    deselected = [item for item in items if item.get_closest_marker(PROCESS_DEATH)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]
