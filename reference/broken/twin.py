"""What a broken twin is: its kind, its target, its defect and the check that rejects it.

The entries themselves are in registry.py, the one list; this module holds only the
shape, so the list reads as data. Targets are `module:attr` strings, imported only when a
twin runs, so reading the registry costs no imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

PACKAGE = "stormproof.reference.broken"


class Kind(StrEnum):
    """What a twin is, which decides how `python -m stormproof.reference.broken NAME` runs it."""

    # The reference worker with one activity swapped in; target: an activities factory.
    WORKER = "worker"
    # The reference worker serving one broken workflow class in place of the reference's
    # (as its --workflows option does); target: the class.
    SERVED = "served"
    # The reference HTTP API over another backend; target: the backend class.
    API = "api"
    # Somebody else's worker polling the contract's task queue; target: its main(argv).
    IMPOSTOR = "impostor"
    # The reference worker's process with other startup behaviour; target: its main(argv).
    PROCESS = "process"
    # A ReportWorkflow class, replayed or recorded in process; target: the class.
    WORKFLOW = "workflow"


@dataclass(frozen=True)
class Twin:
    """One deliberately broken twin of the reference. Never deploy one.

    `argv` is appended to the twin's command line and `env` set in its environment when it
    runs, for a defect that is a setting (a hard-coded task queue, the SDK's default
    address) rather than code.
    """

    name: str
    kind: Kind
    target: str
    defect: str
    rejected_by: str
    argv: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()

    @property
    def usage(self) -> str:
        """How to run it, as a user types it."""
        command = f"python -m {PACKAGE} {self.name}"
        if self.kind is Kind.WORKFLOW:
            return f"--workflows {PACKAGE}:{self.name} (a class, replayed in process)"
        if self.kind is Kind.API:
            return f"{command} [--port P]"
        return f"{command} [--task-queue Q]"


def load(target: str) -> Any:
    """The object a `module:attr` target names, imported now."""
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def describe(registry: Iterable[Twin]) -> str:
    """The registry as `python -m stormproof.reference.broken --help` prints it."""
    lines = [
        f"usage: python -m {PACKAGE} NAME [args]",
        "",
        "Deliberately BROKEN twins of the reference (negative controls; never deploy one):",
    ]
    for twin in registry:
        lines += [
            "",
            f"{twin.name}  [{twin.kind}]",
            f"    defect:      {twin.defect}",
            f"    run:         {twin.usage}",
            f"    rejected by: {twin.rejected_by}",
        ]
    return "\n".join(lines)


def worker_twin(
    name: str,
    defect: str,
    rejected_by: str,
    *,
    argv: tuple[str, ...] = (),
    env: tuple[tuple[str, str], ...] = (),
) -> Twin:
    """A whole worker process of its own (workers.py), started with extra argv or env."""
    target = f"{PACKAGE}.workers:{name}"
    return Twin(name, Kind.WORKER, target, defect, rejected_by, argv=argv, env=env)


def served_twin(name: str, cls: str, defect: str, rejected_by: str) -> Twin:
    """The reference worker serving a broken workflow or activity class (served.py)."""
    return Twin(name, Kind.SERVED, f"{PACKAGE}.served:{cls}", defect, rejected_by)


def workflow_twin(name: str, cls: str, defect: str, rejected_by: str) -> Twin:
    """A changed workflow class, judged by replay (workflows.py)."""
    return Twin(name, Kind.WORKFLOW, f"{PACKAGE}.workflows:{cls}", defect, rejected_by)
