"""What every `stormproof-reference` command shares: exit codes, help epilogs, the version,
and running async work so that no path ends in an interpreter crash.

Exit codes are one promise across commands, so scripts can tell "fix your settings" from
"try again later": 0 success, 1 a runtime failure (Temporal unreachable, the workflow
failed, a timeout), 2 a usage or configuration error (retrying cannot help).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Mapping
from importlib import metadata

from stormproof.reference.temporal.config import TEMPORAL_VARIABLES, ConnectionConfigError
from stormproof.reference.temporal.connection import settled

OK, FAILED, USAGE = 0, 1, 2
PROG = "stormproof-reference"

EXIT_CODES = (
    "exit codes:\n"
    "  0  success\n"
    "  1  runtime failure (Temporal unreachable, workflow failed, timed out, not found)\n"
    "  2  usage or configuration error (fix the flag or variable named in the message)"
)


class CommandFailed(Exception):
    """A runtime failure the command reports in one line and exits 1 for.

    `kind` names the failure for callers that answer other than by exit code (the API
    maps it to an HTTP status): failed, not_found, not_a_report, not_running, no_poller,
    timeout.
    """

    def __init__(self, message: str, kind: str = "failed") -> None:
        super().__init__(message)
        self.kind = kind


class UsageError(Exception):
    """A flag or variable the command cannot use; exit 2, the message names it."""


def version() -> str:
    """The installed distribution's version (one source of truth: pyproject.toml)."""
    try:
        return metadata.version("stormproof")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def epilog(variables: Mapping[str, str]) -> str:
    """The variables a command reads, then the exit codes, for the end of its `--help`."""
    width = max(len(name) for name in variables)
    lines = [f"  {name:<{width}}  {help_}" for name, help_ in variables.items()]
    return "environment variables read:\n" + "\n".join(lines) + "\n\n" + EXIT_CODES


def temporal_epilog(extra: Mapping[str, str] | None = None) -> str:
    """The epilog of a command that connects to Temporal: TEMPORAL_* plus its own."""
    return epilog({**TEMPORAL_VARIABLES, **(extra or {})})


def parser(command: str, description: str, env_epilog: str) -> argparse.ArgumentParser:
    """A parser whose help keeps the epilog's line breaks and whose errors exit 2."""
    return argparse.ArgumentParser(
        prog=f"{PROG} {command}",
        description=description,
        epilog=env_epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def run_command(command: str, work: Callable[[], Awaitable[int]]) -> int:
    """Run `work` in an event loop; print any failure as one line and return the exit code.

    Errors become their message inside the loop, before `settled` winds the SDK down, so
    no exception (and no traceback holding a failed client's frames) outlives the loop:
    an exception still alive at interpreter exit is what let the SDK's threads call into a
    finalizing Python (temporalio/sdk-python#300, exit 134/139).
    """

    async def guarded() -> tuple[int, str | None]:
        try:
            return await work(), None
        except (ConnectionConfigError, UsageError) as exc:
            return USAGE, str(exc)
        except CommandFailed as exc:
            return FAILED, str(exc)
        except Exception as exc:  # a command prints the reason, never a traceback
            text = str(exc).strip().splitlines()
            return FAILED, f"{type(exc).__name__}: {text[0][:300] if text else ''}"

    code, message = asyncio.run(settled(guarded()))
    if message:
        print(f"{PROG} {command}: {message}", file=sys.stderr, flush=True)
    return code
