"""`stormproof install-servers` and the fixtures agree on where the servers are, and say how.

The command builds the one pinned Toxiproxy (the pin `make toxiproxy` reads too) into the
per-user folder the fixtures search, and every missing tool (no `go`, no apt-get, no root
and no sudo) is an error naming it and the fix, within seconds. A fake `go` stands in for
the real build here; tests/test_wheel.py runs the real command from a fresh virtualenv.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from stormproof import install_servers
from stormproof.cli import main as cli_main
from stormproof.fixtures import installs
from stormproof.fixtures.errors import MissingBinaryError
from stormproof.fixtures.installs import TOXIPROXY_MODULE, TOXIPROXY_VERSION
from stormproof.fixtures.toxiproxy import toxiproxy_binary

ROOT = Path(__file__).resolve().parent.parent
FAKE_GO = """#!/bin/sh
PATH=/usr/bin:/bin
echo "$@" > "$GOBIN/../go-args"
printf '#!/bin/sh\\necho fake toxiproxy\\n' > "$GOBIN/server" && chmod +x "$GOBIN/server"
"""


@pytest.fixture
def no_toxiproxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A world without toxiproxy-server anywhere, no checkout, and PATH = an empty folder:
    the folder returned, where a test puts the tools it wants found."""
    tools = tmp_path / "tools"
    tools.mkdir()
    monkeypatch.setenv("PATH", str(tools))
    monkeypatch.setenv("STORMPROOF_BIN_DIR", str(tmp_path / "user-bin"))
    monkeypatch.setattr(installs, "in_checkout", lambda: False)
    monkeypatch.chdir(tmp_path)
    return tools


def _script(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text)
    (folder / name).chmod(0o755)


def test_make_toxiproxy_builds_the_same_pin() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    dry = subprocess.run(
        ["make", "-n", "toxiproxy"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert f"{TOXIPROXY_MODULE}@{TOXIPROXY_VERSION}" in dry.stdout, dry.stdout + dry.stderr


def test_the_command_is_listed_in_stormproof_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["--help"]) == 0
    assert "install-servers" in capsys.readouterr().out


def test_it_builds_the_pinned_module_into_the_user_folder_the_fixtures_search(
    no_toxiproxy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _script(no_toxiproxy, "go", FAKE_GO)
    assert install_servers.main([]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    built = tmp_path / "user-bin" / "toxiproxy-server"
    assert f"built {TOXIPROXY_VERSION} into {built}" in out, out
    assert (tmp_path / "user-bin" / "go-args").read_text().split() == [
        "install",
        f"{TOXIPROXY_MODULE}@{TOXIPROXY_VERSION}",
    ]
    assert toxiproxy_binary() == str(built)
    assert install_servers.main([]) == 0
    assert "all servers present" in capsys.readouterr().out


def test_without_go_it_names_go_and_the_fix_within_seconds(
    no_toxiproxy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    assert install_servers.main([]) == 1
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err
    assert "`go` is not on PATH" in err and "install Go" in err, err


def test_check_installs_nothing_and_names_the_command(
    no_toxiproxy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _script(no_toxiproxy, "go", "#!/bin/sh\nexit 99\n")
    assert install_servers.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert (
        f"toxiproxy-server {TOXIPROXY_VERSION} is missing" in err
        and "stormproof install-servers" in err
    )


def test_missing_packages_without_apt_get_name_what_to_install(
    no_toxiproxy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _script(no_toxiproxy, "toxiproxy-server", "#!/bin/sh\n")
    monkeypatch.setattr(install_servers, "missing_packages", lambda: ["postgresql", "nginx-light"])
    assert install_servers.main([]) == 1
    err = capsys.readouterr().err
    assert "`apt-get` is not on PATH" in err and "postgresql nginx-light" in err, err


def test_without_root_or_sudo_it_prints_the_exact_apt_get_line(
    no_toxiproxy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _script(no_toxiproxy, "toxiproxy-server", "#!/bin/sh\n")
    _script(no_toxiproxy, "apt-get", "#!/bin/sh\nexit 99\n")
    monkeypatch.setattr(install_servers, "missing_packages", lambda: ["postgresql"])
    monkeypatch.setattr(install_servers.os, "geteuid", lambda: 1000)
    assert install_servers.main([]) == 1
    err = capsys.readouterr().err
    assert "run: sudo apt-get install -y --no-install-recommends postgresql" in err, err


@pytest.mark.parametrize("checkout", [False, True])
def test_the_fixture_error_names_the_command_and_make_only_in_a_checkout(
    no_toxiproxy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checkout: bool
) -> None:
    monkeypatch.setattr(installs, "in_checkout", lambda: checkout)
    monkeypatch.setattr(installs, "CHECKOUT", tmp_path / "checkout")
    with pytest.raises(MissingBinaryError) as error:
        toxiproxy_binary()
    message = str(error.value)
    assert "`stormproof install-servers` does it" in message, message
    assert str(tmp_path / "user-bin" / "toxiproxy-server") in message, message
    assert ("make toxiproxy" in message) is checkout, message
    assert ("make " in message) is checkout, message
