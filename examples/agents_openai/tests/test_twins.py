"""Every broken twin of the support app is a negative control some test runs and rejects:
a twin nobody runs proves nothing, and a test naming a twin that is gone fails at once.
No server starts here."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
BROKEN = HERE.parent / "broken"
TWINS = sorted(p.stem for p in BROKEN.glob("*.py") if p.stem != "__init__")


def test_there_are_twins() -> None:
    assert TWINS == [
        "lookup_in_workflow",
        "new_key_per_attempt",
        "sdk_retries",
        "unbounded_session",
        "unpatched_release_2",
    ], TWINS


@pytest.mark.parametrize("twin", TWINS)
def test_every_twin_imports_and_is_rejected_by_a_named_test(twin: str) -> None:
    module = importlib.import_module(f"examples.agents_openai.broken.{twin}")
    doc = module.__doc__ or ""
    named = [p for p in HERE.glob("test_*.py") if p.name in doc]
    assert named, f"{twin}: its docstring names no test file of {HERE} that rejects it"
    for test_file in named:
        source = test_file.read_text()
        rejects = "rejected_as(" in source or "BugClass." in source  # a class it must fail as
        assert f'"{twin}"' in source and rejects, f"{test_file.name} never runs {twin}"
