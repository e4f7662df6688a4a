"""`python -m bench [NAME ...]`: run the named benchmarks (the default ones if none) in turn.

Each benchmark is a module in this folder with a `main() -> int`; they are discovered, not
listed, so adding one needs no edit here. One that sets `ON_REQUEST = True` (it takes a
quarter of an hour or more) runs only when named. Each records its figures with the commit
in bench/results/NAME.json; `python -m bench render [--check]` writes docs/PERFORMANCE.md
from those files (bench/_render.py).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from stormproof.fixtures.processes import install_teardown_handlers


def available() -> list[str]:
    folder = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if not m.name.startswith("_"))


def default() -> list[str]:
    """The benchmarks `python -m bench` runs when none is named."""
    return [
        n
        for n in available()
        if not getattr(importlib.import_module(f"bench.{n}"), "ON_REQUEST", False)
    ]


def main(argv: list[str]) -> int:
    if argv[:1] == ["render"]:
        from bench import _render

        return _render.main(argv[1:])
    # Benchmarks start real servers too; a bench stopped by `timeout` must not orphan them.
    install_teardown_handlers()
    names = argv or default()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; available: {available()}", file=sys.stderr)
        return 2
    worst = 0
    for name in names:
        print(f"\n== bench.{name} ==", flush=True)
        worst = max(worst, int(importlib.import_module(f"bench.{name}").main() or 0))
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
