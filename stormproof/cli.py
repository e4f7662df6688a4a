"""`stormproof` console command: the judge's tools, one module per subcommand.

The application under judgement has its own command (`stormproof-reference worker|api|...`,
reference/cli/), so the suite and the thing it judges are never confused.

Each subcommand lives in its own module and is imported only when used, so `stormproof
doctor` does not pay for importing the worker, and a broken optional module cannot take
the other commands down.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from importlib import metadata
from typing import NoReturn

# name -> (module:function taking argv and returning an exit code, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "doctor": ("stormproof.doctor.cli:main", "diagnose a Temporal deployment and worker"),
    "demo": ("stormproof.demo:main", "one story and one approved report on the embedded world"),
    "record-histories": (
        "stormproof.replay.record_cli:main",
        "re-record the committed replay histories",
    ),
    "install-servers": (
        "stormproof.install_servers:main",
        "build Toxiproxy and install PostgreSQL and nginx when missing (for a pip install)",
    ),
    "constraints": (
        "stormproof.constraints:main",
        "print the versions Stormproof's tests passed with (pip constraints); --check",
    ),
}


def _usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {name:<{width}}  {help_}" for name, (_, help_) in COMMANDS.items()]
    return "usage: stormproof [--version] COMMAND [ARGS]\n\ncommands:\n" + "\n".join(lines)


def _version() -> str:
    """The installed distribution's version, so a bug report says what was run."""
    try:
        return metadata.version("stormproof")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0 if args else 2
    if args[0] in {"-V", "--version"}:
        print(f"stormproof {_version()}")
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"stormproof: unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    target, _ = COMMANDS[name]
    module_name, func_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        print(f"stormproof: command {name!r} is not available ({exc})", file=sys.stderr)
        return 2
    return int(getattr(module, func_name)(rest) or 0)


def entry() -> NoReturn:
    """The process's entry (the console script, `python -m stormproof.cli`): main's exit
    code, without the interpreter's teardown. A command that used a Temporal client leaves
    the SDK's Rust threads behind, and one of them releasing the GIL while the interpreter
    finalizes aborts the process (SIGABRT, "PyGILState_Release: thread state ... must be
    current", temporalio/sdk-python#300) after the command has succeeded: a `stormproof
    doctor` that printed ok:true once exited -6 in `make test`. Output is flushed first."""
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
