"""`python -m stormproof.reference.broken NAME [args]`: run one broken twin by name.

With no name, or --help, it prints the registry: every twin, its kind, how it runs and
the check that must reject it. One entry point for every twin means the judge only ever
needs `[python, -m, stormproof.reference.broken, NAME]` to start one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from stormproof.reference.broken.registry import REGISTRY, TWINS
from stormproof.reference.broken.twin import PACKAGE, Kind, Twin, describe, load


def run_twin(twin: Twin, argv: Sequence[str]) -> int:
    """Start `twin` the way its kind runs, with the arguments the reference accepts."""
    os.environ.update(dict(twin.env))
    if twin.kind in (Kind.WORKER, Kind.SERVED):
        from stormproof.reference.activities import build_activities
        from stormproof.reference.worker import run

        served = ["--workflows", twin.target] if twin.kind is Kind.SERVED else []
        return run(
            [*argv, *served, *twin.argv],
            activities_factory=load(twin.target) if twin.kind is Kind.WORKER else build_activities,
            variant=twin.name,
            description=f"Reference worker with the {twin.name} defect (a negative control).",
        )
    if twin.kind is Kind.API:
        from stormproof.reference.broken.api import serve_twin

        return serve_twin(load(twin.target), twin.name, argv)
    if twin.kind in (Kind.IMPOSTOR, Kind.PROCESS):
        return load(twin.target)(argv)
    # A workflow twin is a class, not a process: say how to load it, and prove it imports.
    load(twin.target)
    print(f"{PACKAGE}:{twin.name}")
    print(f"{twin.name} is a workflow class: pass it as --workflows", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(describe(REGISTRY))
        return 0
    twin = TWINS.get(args[0])
    if twin is None:
        print(f"unknown twin {args[0]!r}; known: {', '.join(TWINS)}", file=sys.stderr)
        return 2
    return run_twin(twin, args[1:])


if __name__ == "__main__":
    sys.exit(main())
