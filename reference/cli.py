"""`stormproof-reference`: the reference application's own command, apart from the judge's.

The reference is the defendant: a worker, an API, a supervisor and a small client, written
the way a team would write its app. It has a command of its own so that nobody mistakes
running it for running the suite (`stormproof doctor`, `stormproof record-histories`), and
so that it imports nothing of the judge. Each subcommand's module is imported only when
used, so `stormproof-reference start` does not pay for importing FastAPI.
"""

from __future__ import annotations

import importlib
import sys

PROG = "stormproof-reference"
# name -> (module:function taking argv and returning an exit code, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "worker": ("stormproof.reference.worker:main", "run the reference worker"),
    "api": ("stormproof.reference.api:main", "run the reference HTTP API"),
    "supervisor": (
        "stormproof.reference.supervisor:main",
        "run the worker, restarting it with the reason",
    ),
    "start": (
        "stormproof.reference.client:start_main",
        "start a workflow: start story|report PROMPT",
    ),
    "result": ("stormproof.reference.client:result_main", "wait for and print a workflow's result"),
}


def usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {name:<{width}}  {help_}" for name, (_, help_) in COMMANDS.items()]
    return f"usage: {PROG} COMMAND [ARGS]\n\nthe reference application:\n" + "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0 if args else 2
    if args[0] not in COMMANDS:
        print(f"{PROG}: unknown command {args[0]!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module_name, func_name = COMMANDS[args[0]][0].split(":")
    return int(getattr(importlib.import_module(module_name), func_name)(args[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
