"""`python -m bench [NAME ...]`: run the named benchmarks (all by default) in turn.

Each benchmark is a module in this folder with a `main() -> int`; they are discovered, not
listed, so adding one needs no edit here.
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


def main(argv: list[str]) -> int:
    # Benchmarks start real servers too; a bench stopped by `timeout` must not orphan them.
    install_teardown_handlers()
    names = argv or available()
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
