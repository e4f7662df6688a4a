"""A team installs Stormproof and runs its suites from its own repository.

This builds the wheel from the checkout, installs it into a fresh virtualenv (dependencies
from the package index, which pip's cache makes quick after `make`) constrained to the
versions it ships (`stormproof constraints`, as README says), and runs one
conformance test with `pytest --pyargs` from an empty folder outside the checkout: the
plugin must load through its pytest11 entry point, carry its own pytest settings (no ini
file there), find the committed histories as package data, and start the reference worker
from the installed package. It also checks what the wheel adds to a team's environment:
one top-level package, `stormproof`, and no generic names such as `fixtures` or `suites`.

The same virtualenv (one per module) then runs README's team commands in a team's
repository outside the checkout (the routing example copied in): `stormproof
install-servers` provides Toxiproxy into a per-user folder, the chaos suite collects under
the team's adapter, histories are recorded and checked, the replay suite judges only the
team's histories, and one real chaos test runs, so every server is found without a checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Building (about 5 s) and installing (about 30 s from pip's cache) stay well inside this.
INSTALL_TIMEOUT = 600


def _run(
    argv: list[str], cwd: Path, timeout: float, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))}
    env.pop("PYTHONPATH", None)
    env.update(extra or {})
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, (
        f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done


def _source_copy(into: Path) -> Path:
    """The files git would ship (tracked, plus new ones not ignored), and nothing else.

    setuptools builds in a `build/` folder inside the source tree and keeps files there
    that the tree no longer has; building from the checkout would both litter it and
    ship modules deleted since the last build.
    """
    listed = _run(["git", "ls-files", "-co", "--exclude-standard", "-z"], ROOT, 60).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = _source_copy(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("dist")
    _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
        source,
        INSTALL_TIMEOUT,
    )
    (found,) = out.glob("stormproof-*.whl")
    return found


def test_every_package_folder_is_listed_in_pyproject() -> None:
    """A folder with an __init__.py that pyproject does not list is missing from the wheel."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    mapped = {"fixtures": "stormproof.fixtures", "reference": "stormproof.reference"}
    mapped |= {"suites": "stormproof.suites", "stormproof": "stormproof"}
    found = {
        ".".join([mapped[init.relative_to(ROOT).parts[0]], *init.relative_to(ROOT).parts[1:-1]])
        for folder in mapped
        for init in (ROOT / folder).rglob("__init__.py")
    }
    assert found == listed, f"not listed: {sorted(found - listed)}; gone: {sorted(listed - found)}"


def test_the_wheel_adds_one_top_level_package_and_its_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"stormproof"}, f"top-level names a team's environment would get: {top}"
    histories = [n for n in names if "/suites/replay/histories/" in n and n.endswith(".json")]
    committed = list((ROOT / "suites" / "replay" / "histories").rglob("*.json"))
    assert len(histories) == len(committed) > 0, histories
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[pytest11]" in text and "stormproof =" in text, text


@pytest.fixture(scope="module")
def team_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One fresh virtualenv with the wheel installed, shared by this module's team tests."""
    env_dir = tmp_path_factory.mktemp("team") / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python, here = str(env_dir / "bin" / "python"), env_dir.parent
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    # README's lines: the wheel, then the tested versions as constraints on the same install
    _run([*pip, str(wheel)], here, INSTALL_TIMEOUT)
    pinned = _run([str(env_dir / "bin" / "stormproof"), "constraints"], here, 60).stdout
    (here / "stormproof-constraints.txt").write_text(pinned)
    _run([*pip, "-c", "stormproof-constraints.txt", str(wheel)], here, INSTALL_TIMEOUT)
    checked = _run([str(env_dir / "bin" / "stormproof"), "constraints", "--check"], here, 60)
    assert "every dependency at its tested version" in checked.stdout, checked.stdout
    return env_dir


@pytest.mark.team_commands
def test_a_team_runs_a_conformance_test_from_the_installed_wheel(
    team_venv: Path, tmp_path: Path
) -> None:
    python = str(team_venv / "bin" / "python")
    team_repo = tmp_path / "team-repo"
    team_repo.mkdir()
    done = _run(
        [
            python,
            "-m",
            "pytest",
            "--pyargs",
            "stormproof.suites.conformance.test_story",
            "-p",
            "no:cacheprovider",
            "-v",
        ],
        team_repo,
        300,
    )
    assert " passed" in done.stdout and "failed" not in done.stdout, done.stdout
    # The tests ran from the installed copy, not from this checkout.
    assert str(ROOT) not in done.stdout, done.stdout
    where = _run(
        [python, "-c", "import stormproof.suites, stormproof.fixtures; print(stormproof.__file__)"],
        team_repo,
        60,
    )
    assert str(team_venv) in where.stdout, where.stdout


def _team_repo(into: Path) -> Path:
    """A team's repository outside the checkout: the routing example copied in as its app,
    importable as `examples.routing` (the name its own modules import), and nothing else."""
    repo = into / "team-repo"
    ignore = shutil.ignore_patterns("__pycache__", "tests", "broken", "histories")
    shutil.copytree(ROOT / "examples" / "routing", repo / "examples" / "routing", ignore=ignore)
    shutil.copy2(ROOT / "examples" / "__init__.py", repo / "examples" / "__init__.py")
    return repo


@pytest.mark.team_commands
@pytest.mark.local_server
@pytest.mark.worker_process
@pytest.mark.timeout(900)
def test_a_team_runs_its_commands_from_the_installed_wheel(team_venv: Path, tmp_path: Path) -> None:
    """README's team commands from the fresh venv in a team's repository: the servers are
    provided by `stormproof install-servers` and found without a checkout, and a real chaos
    test runs under the team's adapter (smaller than the default run, to fit make test)."""
    repo = _team_repo(tmp_path)
    outside = [p for p in os.environ["PATH"].split(os.pathsep) if p and ROOT not in Path(p).parents]
    extra = {
        "PATH": os.pathsep.join([str(team_venv / "bin"), *outside]),
        "PYTHONPATH": str(repo),
        "STORMPROOF_BIN_DIR": str(tmp_path / "user-bin"),
        "STORMPROOF_CHAOS_WORKFLOWS": "20",
    }

    def team(*argv: str, timeout: float = 300) -> str:
        done = _run(list(argv), repo, timeout, extra)
        return done.stdout + done.stderr

    adapter = "examples.routing.stormproof_adapter"
    assert "install-servers" in team("stormproof", "--help")
    assert "--check" in team("stormproof", "install-servers", "--help")
    provided = team("stormproof", "install-servers", timeout=INSTALL_TIMEOUT)
    on_path = shutil.which("toxiproxy-server", path=os.pathsep.join(outside))
    assert re.search(rf"toxiproxy-server: {'present' if on_path else 'built'}", provided), provided
    assert str(ROOT) not in provided, f"a server was found in the checkout:\n{provided}"
    assert "all servers present" in team("stormproof", "install-servers", "--check")

    pyargs = ["pytest", "-p", "no:cacheprovider", "--pyargs"]
    listed = team(*pyargs, "stormproof.suites.chaos", "--adapter", adapter, "--collect-only", "-q")
    assert int(re.findall(r"(\d+)(?:/\d+)? tests? collected", listed)[-1]) > 0, listed

    record = ["stormproof", "record-histories", "--adapter", adapter, "--out", "tests/histories"]
    assert "recorded 3 histories" in team(*record)
    assert "recorded 3 histories" in team(*record, "--check")
    recorded = list((repo / "tests" / "histories").rglob("*.json"))
    replay = team(
        *pyargs,
        "stormproof.suites.replay",
        "--replay-dir",
        "tests/histories",
        "--workflows",
        "examples.routing.workflows:WORKFLOWS",
    )
    # Only the team's histories are judged: the reference's replay tests are all skipped.
    assert re.search(rf"\b{len(recorded)} passed", replay) and len(recorded) == 3, replay

    chaos = team(
        *pyargs, "stormproof.suites.chaos.test_f1_temporal_kill", "--adapter", adapter, timeout=400
    )
    assert re.search(r"\b1 passed", chaos) and not re.search(r"\b\d+ (failed|error)", chaos), chaos
    assert str(ROOT) not in chaos, chaos
