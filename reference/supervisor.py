"""Keep a worker making progress: `python -m stormproof.reference.supervisor [opts] [-- CMD]`.

The worker keeps retrying while Temporal is unreachable, but the SDK can still give up
(a fatal poll error, e.g. the namespace vanished) and the process then exits non-zero;
and a process can be alive yet useless (wedged, polling nothing). So the supervisor:

- runs the worker (`python -m stormproof.reference.worker` unless CMD is given) as a child, relaying
  its output, and restarts it with capped exponential backoff whenever it exits, logging
  the exit code and the child's last output line as the reason;
- judges liveness by progress, not by the process existing: every `--canary-interval`
  seconds it starts a PingWorkflow on the task queue and, when Temporal answers but the
  canary does not complete within `--canary-timeout` twice in a row, restarts the child;
- forwards SIGTERM/SIGINT so the worker drains its activities, and exits with its code.

Exit code 2 from the child (bad configuration) is not retried: restarting cannot fix it.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import logging
import os
import signal
import sys
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle

from stormproof.reference.settings import SettingsError, load_settings
from stormproof.reference.temporal.config import TEMPORAL_VARIABLES
from stormproof.reference.temporal.connection import (
    ConnectionConfigError,
    connect_once,
    load_connect_config,
)

log = logging.getLogger("stormproof.supervisor")
CONFIG_ERROR_EXIT = 2
# A child that ran this long was healthy: its next crash starts the backoff afresh.
STABLE_AFTER_SECONDS = 60.0


class Supervisor:
    def __init__(self, argv: Sequence[str], args: argparse.Namespace) -> None:
        self.argv = list(argv)
        self.args = args
        self.stop = asyncio.Event()
        self.restart = asyncio.Event()
        self.restart_reason = ""
        self.tail: collections.deque[str] = collections.deque(maxlen=5)
        self.restarts = 0

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.stop.set)
        canary = asyncio.create_task(self._canary()) if self.args.canary_interval > 0 else None
        delay = self.args.initial_backoff
        try:
            while True:
                started = loop.time()
                code = await self._run_child()
                if self.stop.is_set():
                    return code
                if code == CONFIG_ERROR_EXIT:
                    log.error("supervisor: worker exited %d (configuration); not restarting", code)
                    return code
                if loop.time() - started > STABLE_AFTER_SECONDS:
                    delay = self.args.initial_backoff
                reason = self.restart_reason or (
                    f"exited with code {code}; last output: {self.tail[-1] if self.tail else '-'}"
                )
                self.restarts += 1
                log.warning(
                    "supervisor: restarting worker in %.1fs (restart %d): %s",
                    delay,
                    self.restarts,
                    reason,
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stop.wait(), timeout=delay)
                if self.stop.is_set():
                    return 0
                delay = min(delay * 2, self.args.max_backoff)
        finally:
            if canary is not None:
                canary.cancel()

    async def _run_child(self) -> int:
        self.restart.clear()
        self.restart_reason = ""
        child = await asyncio.create_subprocess_exec(
            *self.argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        relay = asyncio.create_task(self._relay(child))
        waiters = {
            asyncio.create_task(child.wait()),
            asyncio.create_task(self.stop.wait()),
            asyncio.create_task(self.restart.wait()),
        }
        _, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if child.returncode is None:
            # Told to stop (drain) or to restart a child that makes no progress.
            log.info(
                "supervisor: sending SIGTERM to worker %d, drain up to %ss",
                child.pid,
                self.args.grace,
            )
            child.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(child.wait(), timeout=self.args.grace)
            except TimeoutError:
                log.warning("supervisor: worker did not drain in %ss; killing it", self.args.grace)
                child.kill()
                await child.wait()
        await relay
        log.info("supervisor: worker %d exited with code %s", child.pid, child.returncode)
        return child.returncode if child.returncode is not None else 1

    async def _relay(self, child: asyncio.subprocess.Process) -> None:
        assert child.stdout is not None
        async for raw in child.stdout:
            line = raw.decode(errors="replace").rstrip()
            self.tail.append(line)
            print(line, flush=True)

    async def _canary(self) -> None:
        """Restart the child when Temporal answers but a PingWorkflow cannot complete."""
        task_queue = load_settings().task_queue
        client: Client | None = None
        misses = 0
        while not self.stop.is_set():
            await asyncio.sleep(self.args.canary_interval)  # wait-ok: the canary's period
            try:
                client = client or await asyncio.wait_for(connect_once(load_connect_config()), 5)
                handle = await client.start_workflow(
                    "PingWorkflow",
                    id=f"canary-{uuid.uuid4().hex[:12]}",
                    task_queue=task_queue,
                    execution_timeout=timedelta(seconds=self.args.canary_timeout * 2),
                    rpc_timeout=timedelta(seconds=5),
                )
            except Exception as exc:  # Temporal itself is unreachable: not the worker's fault
                log.info("supervisor: canary skipped, Temporal unreachable: %s", exc)
                continue
            try:
                await asyncio.wait_for(handle.result(), timeout=self.args.canary_timeout)
                misses = 0
            except Exception:
                if not await _answers(handle):
                    continue  # Temporal went away meanwhile: no verdict on the worker
                misses += 1
                log.warning("supervisor: canary PingWorkflow %s did not complete", handle.id)
            if misses >= 2:
                misses = 0
                self.restart_reason = (
                    f"no progress: 2 canary PingWorkflows on {task_queue!r} did not complete "
                    f"within {self.args.canary_timeout:g}s while Temporal answered"
                )
                self.restart.set()


async def _answers(handle: WorkflowHandle[Any, Any]) -> bool:
    try:
        await handle.describe(rpc_timeout=timedelta(seconds=3))
    except Exception:
        return False
    return True


EXIT_CODES = (
    "exit codes: the worker's own when it stops for good (0 after a drained SIGTERM/SIGINT;\n"
    "  2 when it reports a configuration error, which is not retried); 2 for a usage or\n"
    "  configuration error of the supervisor itself"
)


def main(argv: Sequence[str] | None = None) -> int:
    variables = {
        **TEMPORAL_VARIABLES,
        "STORMPROOF_TASK_QUEUE": "the canary's task queue (default stormproof); the whole "
        "environment passes to the worker (`stormproof-reference worker --help`)",
    }
    width = max(len(name) for name in variables)
    listed = "\n".join(f"  {name:<{width}}  {text}" for name, text in variables.items())
    parser = argparse.ArgumentParser(
        prog="stormproof-reference supervisor",
        description=__doc__,
        epilog=f"environment variables read:\n{listed}\n\n{EXIT_CODES}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--initial-backoff", type=float, default=1.0, help="seconds (1)")
    parser.add_argument("--max-backoff", type=float, default=30.0, help="seconds (30)")
    parser.add_argument("--grace", type=float, default=15.0, help="drain wait on stop (15)")
    parser.add_argument("--canary-interval", type=float, default=30.0, help="0 disables (30)")
    parser.add_argument("--canary-timeout", type=float, default=20.0, help="seconds (20)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD ... (the worker)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    command = command or [
        sys.executable,
        "-m",
        "stormproof.reference.worker",
    ]
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    if args.canary_interval > 0:
        try:  # the canary's settings, checked now rather than in a task that dies quietly
            load_settings()
            load_connect_config()
        except (SettingsError, ConnectionConfigError) as exc:
            print(f"stormproof-reference supervisor: {exc}", file=sys.stderr)
            return CONFIG_ERROR_EXIT
    return asyncio.run(Supervisor(command, args).run())


def exit_now(code: int) -> None:
    """Exit without interpreter finalization: dropping the Temporal runtime while a
    cancelled canary RPC is pending can hang the exit for good (seen as a process stuck in
    "Garbage-collecting" after the worker had drained), which a supervisor must never do."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
