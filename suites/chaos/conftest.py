"""The chaos suite's own hooks: what applies to a team's adapter, and the opt-in rows.

Each chaos test states the effect kinds its fault needs (`needs(LlmCalls)`; `needs()`
for nothing beyond units to start): under an adapter that declares
none of a needed kind it is skipped naming the missing declaration (stormproof/chaos/applies.py).
A test here that states no `needs` drives the contract's own steps (the reference's broken
twins, the `progress` query, its activity names): it is marked `contract` and skipped
under a team's adapter, with that reason (stormproof/plugin.py).

The chaos fixtures (`chaos_world`, `chaos`) live in stormproof/chaos/fixtures.py, a pytest
plugin of their own (the `stormproof-chaos` pytest11 entry point), so a team's tests
beside its adapter (examples/routing/tests) get them too. Tests marked process_death,
workflow_reset, fleet or updates are deselected unless `-m` names their marker (`make fleet` runs
`-m fleet`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stormproof.chaos import NEEDS

HERE = Path(__file__).parent
PROCESS_DEATH = "process_death"
RESET = "workflow_reset"
FLEET = "fleet"
UPDATES = "updates"
OPT_IN = (PROCESS_DEATH, RESET, FLEET, UPDATES)  # markers whose tests run only when -m names them


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{PROCESS_DEATH}: a worker death the stall twin sits out, ~45 s "
        f"(deselected unless -m {PROCESS_DEATH})",
    )
    config.addinivalue_line(
        "markers",
        f"{RESET}: workflows reset after their effects, under load, ~45 s "
        f"(deselected unless -m {RESET})",
    )
    config.addinivalue_line(
        "markers",
        f"{FLEET}: a fleet of worker replicas killed, frozen or restarted in turn, 35-60 s "
        f"each (deselected unless -m {FLEET}: make fleet)",
    )
    config.addinivalue_line(
        "markers",
        f"{UPDATES}: sessions of Updates under a fault, ~60 s each "
        f"(deselected unless -m {UPDATES}: make updates)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark `contract` every test here that declares no `needs` (a team's --adapter skips
    them, with the reason: stormproof/plugin.py); keep the long process-death, reset and
    fleet tests out of the default run, as the soak is."""
    for item in items:
        undeclared = item.get_closest_marker(NEEDS) is None
        if item.path.is_relative_to(HERE) and undeclared:
            item.add_marker(pytest.mark.contract)
    asked = config.getoption("markexpr") or ""
    held_back = [m for m in OPT_IN if m not in asked]
    deselected = [i for i in items if any(i.get_closest_marker(m) for m in held_back)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]
