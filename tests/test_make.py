"""The Makefile a new user meets: `make help` lists every target, `make quick` runs only
conformance and replay, installs come from the committed constraints, and `make audit`
scans them without being part of `make test` (it needs PyPI's advisory API)."""

from __future__ import annotations

import re
import subprocess
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

from stormproof.constraints import pins

REPO = Path(__file__).resolve().parents[1]
EXTRAS = {"dev", "docker", "agents"}


def make(*args: str) -> str:
    done = subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def targets() -> set[str]:
    """Every rule the Makefile defines by name (not the install stamp's file rule)."""
    text = (REPO / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z-]*):(?!=)", text, re.MULTILINE))


def test_make_help_lists_every_target_with_one_line() -> None:
    listed = dict(re.findall(r"^  ([a-z][a-z-]*) +(\S.*)$", make("help"), re.MULTILINE))
    assert targets(), "no targets found: the parser is wrong"
    missing = targets() - set(listed)
    assert not missing, f"targets without a `## what it does` comment: {sorted(missing)}"
    assert {"help", "test", "quick", "lock", "audit", "demo"} <= set(listed)
    assert make() == make("help"), "a bare `make` should explain itself"


def test_make_quick_runs_conformance_and_replay_only() -> None:
    pytest_lines = [line for line in make("-n", "quick").splitlines() if "pytest" in line]
    assert len(pytest_lines) == 1, pytest_lines
    suites = set(re.findall(r"suites/\w+", pytest_lines[0]))
    assert suites == {"suites/conformance", "suites/replay"}, pytest_lines[0]


def test_make_installs_from_the_constraints_and_audits_them_outside_make_test() -> None:
    install = make("-n", "-B", "python-deps")
    assert re.search(r"pip install .*-c stormproof/constraints\.txt", install), install
    audit = make("-n", "audit")
    assert re.search(r"pip-audit --strict .*-r stormproof/constraints\.txt", audit), audit
    test_line = next(
        line for line in (REPO / "Makefile").read_text().splitlines() if line.startswith("test:")
    )
    assert "audit" not in test_line.split("##")[0], test_line


def test_every_dependency_is_pinned_at_the_version_that_passed_here() -> None:
    """A dependency added to pyproject.toml without `make lock` would install unpinned on a
    fresh clone; a pin that differs from this venv was not what the tests just passed."""
    pinned = pins()  # the shipped file, as `stormproof constraints` reads it
    assert "stormproof" not in pinned, "the project itself is not a constraint"
    problems = []
    for raw in metadata.requires("stormproof") or []:
        requirement = Requirement(raw)
        extra = re.search(r'extra == "(\w+)"', str(requirement.marker or ""))
        if extra and extra.group(1) not in EXTRAS:
            continue
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        installed = metadata.version(requirement.name)
        if pinned.get(name) != installed:
            problems.append(f"{name}: pinned {pinned.get(name)}, installed {installed}")
    assert not problems, "stormproof/constraints.txt is stale, run `make lock`: " + "; ".join(
        problems
    )
