"""The conformance suite is the contract's own: every test drives the reference's workflows.

So each is marked `contract`, and under a team's --adapter the judge's plugin skips it
with the reason (stormproof/plugin.py): the reference is never judged in a team's place.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.contract)
