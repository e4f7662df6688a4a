"""Deliberately BROKEN twins of the reference: the suite's negative controls, in one home.

Each twin is the reference with one classic bug, so the check aimed at that bug can be
shown to reject it. `registry.py` lists every twin with the check that must reject it;
`python -m stormproof.reference.broken` prints that list, and `... NAME [args]` runs one.
The judge never imports a twin: it starts one by that command, or loads a workflow twin
from the string `stormproof.reference.broken:NAME` (a `module:attr`, resolved below), so
the name is a twin's only address everywhere. Never deploy any of this.
"""

from __future__ import annotations

from typing import Any

from stormproof.reference.broken.registry import REGISTRY, TWINS
from stormproof.reference.broken.twin import Kind, Twin, load

__all__ = ["REGISTRY", "TWINS", "Kind", "Twin", "load"]


def __getattr__(name: str) -> Any:
    """`stormproof.reference.broken:NAME` is the class of workflow twin NAME (PEP 562).

    Resolved lazily so that importing the registry never imports workflow code.
    """
    twin = TWINS.get(name)
    if twin is None or twin.kind is not Kind.WORKFLOW:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return load(twin.target)
