"""`stormproof constraints` ships the tested versions and says when an install differs."""

from __future__ import annotations

from importlib import metadata

import pytest

from stormproof import constraints
from stormproof.cli import main


def test_the_shipped_file_pins_the_sdk_the_judge_drives(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["constraints"]) == 0
    printed = capsys.readouterr().out
    assert printed == constraints.text()
    assert constraints.pins()["temporalio"] == metadata.version("temporalio")
    assert all(line.startswith("#") or "==" in line for line in printed.splitlines() if line)


def test_check_passes_on_the_tested_set_and_names_each_difference(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["constraints", "--check"]) == 0
    assert "every dependency at its tested version" in capsys.readouterr().out
    real = metadata.version
    monkeypatch.setattr(
        constraints.metadata,
        "version",
        lambda name: "0.0.1" if name == "temporalio" else real(name),
    )
    assert main(["constraints", "--check"]) == 1
    out = capsys.readouterr().out
    tested = constraints.pins()["temporalio"]
    assert f"temporalio installed 0.0.1, tested {tested}" in out, out
    assert "pip install -c c.txt stormproof" in out, out


def test_an_unknown_argument_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["constraints", "--chek"]) == 2
    assert "'--chek'" in capsys.readouterr().err
