"""`stormproof constraints`: the versions Stormproof's own tests passed with, for a team's pip.

The file is `make lock`'s freeze (stormproof/constraints.txt), shipped in the wheel, so a
team installs the tested set without a checkout:

    stormproof constraints > stormproof-constraints.txt
    pip install -c stormproof-constraints.txt stormproof -r requirements.txt

`--check` compares what is installed with the pins of Stormproof's own dependencies
(temporalio above all: the SDK is what the judge drives) and exits 1 naming each
difference; the pytest header says the same in one line, so a run is never read as
"passed with the tested versions" when it was not.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata, resources

from packaging.requirements import Requirement

__all__ = ["drift", "main", "pins"]
HOME = "stormproof"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def text() -> str:
    """The constraints file as shipped."""
    return resources.files("stormproof").joinpath("constraints.txt").read_text()


def pins() -> dict[str, str]:
    """Package (canonical name) -> the version the tests passed with."""
    found = {}
    for line in text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            found[_canonical(name)] = version.strip()
    return found


def drift() -> list[str]:
    """Each of Stormproof's own runtime dependencies installed at another version than its
    pin, as "name installed X, tested Y" (missing ones are pip's business)."""
    pinned, out = pins(), []
    for raw in metadata.requires("stormproof") or []:
        requirement = Requirement(raw)
        if requirement.marker is not None and "extra" in str(requirement.marker):
            continue
        name = _canonical(requirement.name)
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            continue
        if name in pinned and pinned[name] != installed:
            out.append(f"{name} installed {installed}, tested {pinned[name]}")
    return out


def main(argv: list[str]) -> int:
    if argv and argv[0] in {"-h", "--help"}:
        print("usage: stormproof constraints [--check]\n\n" + (__doc__ or "").strip())
        return 0
    if argv == ["--check"]:
        found = drift()
        for line in found:
            print(f"stormproof constraints: {line}")
        if found:
            print(f"the tested set: stormproof constraints > c.txt && pip install -c c.txt {HOME}")
            return 1
        print("stormproof constraints: every dependency at its tested version")
        return 0
    if argv:
        print(
            f"stormproof constraints: unknown argument {argv[0]!r} (only --check)", file=sys.stderr
        )
        return 2
    sys.stdout.write(text())
    return 0
