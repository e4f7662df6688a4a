"""`stormproof-reference`: the reference application's own command, apart from the judge's.

The reference is the defendant: a worker, an API, a supervisor and a small client, written
the way a team would write its app. It has a command of its own so that nobody mistakes
running it for running the suite (`stormproof doctor`, `stormproof record-histories`), and
so that it imports nothing of the judge. Each subcommand's module is imported only when
used, so `stormproof-reference start` does not pay for importing FastAPI.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys

from stormproof.reference.cli.common import EXIT_CODES, PROG, USAGE, version

# name -> (module:function taking argv and returning an exit code, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "worker": ("stormproof.reference.worker:main", "run the reference worker"),
    "api": ("stormproof.reference.api:main", "run the reference HTTP API"),
    "supervisor": (
        "stormproof.reference.supervisor:main",
        "run the worker, restarting it with the reason",
    ),
    "start": (
        "stormproof.reference.cli.client:start_main",
        "start a workflow: start story|report PROMPT",
    ),
    "result": (
        "stormproof.reference.cli.client:result_main",
        "wait for and print a workflow's result [--timeout S]",
    ),
    "approve": ("stormproof.reference.cli.client:approve_main", "approve a waiting report"),
    "reject": ("stormproof.reference.cli.client:reject_main", "reject a waiting report"),
    "progress": ("stormproof.reference.cli.client:progress_main", "print a report's progress"),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {name:<{width}}  {help_}" for name, (_, help_) in COMMANDS.items()]
    return (
        f"usage: {PROG} [--version] COMMAND [ARGS]\n\nthe reference application:\n"
        + "\n".join(lines)
        + f"\n\n`{PROG} COMMAND --help` lists the command's flags and the environment "
        "variables it reads.\n\n" + EXIT_CODES
    )


def dispatch(args: list[str]) -> int:
    """Run one command with its arguments and return its exit code."""
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0 if args else USAGE
    if args[0] in {"-V", "--version"}:
        print(f"{PROG} {version()}")
        return 0
    if args[0] not in COMMANDS:
        print(f"{PROG}: unknown command {args[0]!r}\n\n{usage()}", file=sys.stderr)
        return USAGE
    module_name, func_name = COMMANDS[args[0]][0].split(":")
    try:
        return int(getattr(importlib.import_module(module_name), func_name)(args[1:]) or 0)
    except SystemExit as exc:  # argparse: --help (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else USAGE


def main(argv: list[str] | None = None) -> int:
    """Dispatch; as the program (`argv` None) exit without interpreter finalization.

    Finalizing an interpreter that loaded the Temporal SDK can abort ("Fatal Python error:
    PyGILState_Release", exit 134/139, temporalio/sdk-python#300) or hang (see
    supervisor.exit_now). Every command has finished its work and flushed its output by
    now, so skipping finalization loses nothing and makes the exit code the command's.
    """
    if argv is not None:
        return dispatch(list(argv))
    code = dispatch(sys.argv[1:])
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to save
            stream.flush()
    os._exit(code)
