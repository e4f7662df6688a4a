"""Running the reference API as a process: its command line and the uvicorn server.

Apart from the routes (reference/api/app.py) so that a broken API twin
(reference/broken/api.py) serves its own backend with exactly the reference's options, help
and shutdown behaviour.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence

import uvicorn
from fastapi import FastAPI

from stormproof.reference.api.models import ApiSettings, api_variables, load_api_settings
from stormproof.reference.cli.common import temporal_epilog

log = logging.getLogger("stormproof.api")


def serve(app: FastAPI, settings: ApiSettings, label: str) -> int:
    """Run uvicorn; it drains requests on SIGTERM/SIGINT and the lifespan drops the client."""
    print(f"{label}: listening on http://{settings.host}:{settings.port}", flush=True)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    # uvicorn re-raises SIGTERM after its graceful shutdown (exit -15); a drained, orderly
    # stop should read as success to a supervisor, so the API handles the signals itself.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, setattr, server, "should_exit", True)
        await server.serve()

    asyncio.run(run())
    log.info("%s: stopped", label)
    # Skip interpreter finalization: dropping the Temporal runtime there can hang (see
    # reference/supervisor.py exit_now), and everything worth doing is done.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


FLAGS = {
    "host": "--host",
    "port": "--port",
    "task_queue": "--task-queue",
    "max_body_bytes": "--max-body-bytes",
}


def parse(argv: Sequence[str] | None, prog: str) -> ApiSettings:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Run the Stormproof HTTP API.",
        epilog=temporal_epilog(api_variables()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", help="address to bind (default STORMPROOF_API_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default STORMPROOF_API_PORT, 8000)")
    parser.add_argument("--task-queue", help="overrides STORMPROOF_TASK_QUEUE")
    parser.add_argument(
        "--max-body-bytes", type=int, help="overrides STORMPROOF_API_MAX_BODY_BYTES (1 MiB)"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    given = {field: getattr(args, field) for field in FLAGS}
    overrides = {name: value for name, value in given.items() if value is not None}
    return load_api_settings(FLAGS, **overrides)
