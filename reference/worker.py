"""The reference worker process: `stormproof-reference worker` (`-m stormproof.reference.worker`).

Behaviour the suite checks (docs/CONTRACT.md section 6): it keeps retrying while Temporal
is unreachable, logging why; it prints one line once polling; SIGTERM/SIGINT drain
in-flight activities for up to GRACEFUL_SHUTDOWN then exit 0; a cancelled activity or a
disconnecting client never ends the process. Configuration mistakes exit 2 with a message
naming the fix, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.contrib.pydantic import PydanticPayloadConverter
from temporalio.worker import Interceptor, Worker, WorkerDeploymentConfig

from stormproof.reference import logs
from stormproof.reference.activities import build_activities
from stormproof.reference.cli.common import PROG, temporal_epilog
from stormproof.reference.codec import KEY_VARIABLE, data_converter
from stormproof.reference.health import MetricsAddressError, Observed
from stormproof.reference.settings import (
    SettingsError,
    WorkerSettings,
    load_settings,
    variables,
)
from stormproof.reference.temporal.connection import (
    ConnectionConfigError,
    connect_with_retry,
    describe,
    load_connect_config,
    settled,
)
from stormproof.reference.versioning import VARIABLES as VERSIONING_VARIABLES
from stormproof.reference.versioning import deployment_config
from stormproof.reference.versioning import describe as describe_version
from stormproof.reference.workflows import WORKFLOWS

log = logging.getLogger("stormproof.worker")

# Long enough for an in-flight webhook or database insert (10-15 s budgets) to mostly
# finish; short enough that a supervisor's own kill timeout (often 30 s) is not reached.
GRACEFUL_SHUTDOWN = timedelta(seconds=10)

ActivitiesFactory = Callable[[WorkerSettings], Sequence[Callable[..., Any]]]
# Optional, read outside the settings model (reference/health.py, reference/logs.py).
OBSERVABILITY_VARIABLES = {
    "STORMPROOF_METRICS_ADDRESS": "host:port for /metrics and /health (off when unset)",
    "STORMPROOF_LOG_FORMAT": "json for one JSON object per log line (default text)",
}
# settings field -> the flag that overrides it, so an error names what the user typed
FLAGS = {"task_queue": "--task-queue"}


def _with_pydantic_converter(client: Client) -> Client:
    """The same connection, but guaranteed to speak pydantic models on the wire."""
    wanted = data_converter()
    current = client.data_converter
    if current.payload_converter_class is PydanticPayloadConverter and (
        current.payload_codec is not None or wanted.payload_codec is None
    ):
        return client
    config = client.config()
    config["data_converter"] = wanted
    return Client(**config)


def workflows_with(spec: str | None) -> list[type]:
    """The reference workflows, with the classes `spec` names serving in their place.

    `spec` is `module:attr` naming a workflow class or a list of them; each replaces the
    reference workflow registered under the same Temporal name. This is how one worker
    process runs another version of the code (a workflow.patched v2, a broken twin), so
    the replay guard records its histories the way it records the reference's.
    """
    if not spec:
        return list(WORKFLOWS)
    fix = "fix: pass --workflows module:attr naming a @workflow.defn class or a list of them"
    module_name, _, attr = spec.partition(":")
    try:
        loaded = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise SettingsError(f"--workflows {spec!r} cannot be loaded: {exc}; {fix}") from None
    chosen = list(loaded) if isinstance(loaded, list | tuple) else [loaded]
    if not chosen or not all(_workflow_name(c) for c in chosen):
        raise SettingsError(f"--workflows {spec!r} is not workflow classes; {fix}")
    replaced = {_workflow_name(c) for c in chosen}
    return [w for w in WORKFLOWS if _workflow_name(w) not in replaced] + chosen


def _workflow_name(cls: object) -> str | None:
    """The Temporal name `@workflow.defn` gave `cls`, or None if it is no workflow."""
    definition = getattr(cls, "__temporal_workflow_definition", None)
    return getattr(definition, "name", None)


def build_worker(
    client: Client,
    task_queue: str,
    settings: WorkerSettings,
    *,
    activities: Sequence[Callable[..., Any]] | None = None,
    workflows: Sequence[type] | None = None,
    interceptors: Sequence[Interceptor] = (),
    deployment: WorkerDeploymentConfig | None = None,
) -> Worker:
    """A worker for every reference workflow and activity on `task_queue` (not started);
    `deployment`, when given, makes it one version of a Worker Deployment
    (reference/versioning.py)."""
    return Worker(
        _with_pydantic_converter(client),
        task_queue=task_queue,
        workflows=list(workflows or WORKFLOWS),
        activities=list(activities if activities is not None else build_activities(settings)),
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
        interceptors=list(interceptors),
        deployment_config=deployment,
    )


async def serve(
    settings: WorkerSettings,
    *,
    activities_factory: ActivitiesFactory = build_activities,
    label: str = "stormproof-worker",
    note: str = "",
    workflows: Sequence[type] | None = None,
    config: dict[str, Any] | None = None,
    observed: Observed | None = None,
    deployment: WorkerDeploymentConfig | None = None,
) -> int:
    """Connect (retrying), poll until SIGTERM/SIGINT, drain, return the exit code.

    The ready line always starts `stormproof-worker: polling task queue` so supervisors
    can wait for it; `note` (a variant's warning) goes at its end. `config` is the checked
    connection configuration (read from the environment when not given); `observed`, when
    metrics are on, counts activities and answers /health (reference/health.py).
    """
    config = load_connect_config() if config is None else config
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    client = await connect_with_retry(config, stop=stop, who=label)
    if client is None:
        log.info("%s: told to stop before Temporal was reachable; exiting", label)
        return 0

    worker = build_worker(
        client,
        settings.task_queue,
        settings,
        activities=activities_factory(settings),
        workflows=workflows,
        interceptors=[observed.metrics.interceptor()] if observed else (),
        deployment=deployment,
    )
    running = asyncio.create_task(worker.run())
    canary = None
    if observed:
        observed.liveness.polling = True
        canary = asyncio.create_task(observed.liveness.canary(client, settings.task_queue, stop))
    print(
        f"{label}: polling task queue {settings.task_queue} on {describe(config)}"
        f"{describe_version(deployment)}{note}",
        flush=True,
    )
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if canary is not None:
        canary.cancel()
    if running in done:
        stopping.cancel()
        # The worker only stops on its own for a fatal error (e.g. the namespace is gone).
        error = running.exception()
        log.error("%s: worker stopped unexpectedly: %r", label, error)
        return 1
    log.info("%s: shutting down, draining for up to %s", label, GRACEFUL_SHUTDOWN)
    await worker.shutdown()
    if not running.cancelled() and running.exception() is not None:
        log.warning("%s: worker ended with %r during shutdown", label, running.exception())
    return 0


def prepare(settings_overrides: dict[str, Any]) -> WorkerSettings:
    """Load settings and create the artifact folder up front, so a bad path fails now."""
    settings = load_settings(FLAGS, **settings_overrides)
    try:
        settings.artifact_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(
            f"STORMPROOF_ARTIFACT_DIR={str(settings.artifact_dir)!r} cannot be created: {exc}; "
            "fix: point it at a writable directory"
        ) from None
    return settings


def run(
    argv: Sequence[str] | None,
    *,
    activities_factory: ActivitiesFactory = build_activities,
    variant: str | None = None,
    description: str = "Run the Stormproof reference worker.",
) -> int:
    """Shared command-line entry for the worker and its broken twins (reference/broken/).

    Every setting is checked before anything connects, the TEMPORAL_* ones with the
    judge's rules (reference/temporal/config.py): a value that can never work, such as
    TEMPORAL_ADDRESS=localhost (no port) or TEMPORAL_TLS=maybe, exits 2 at once naming
    the variable, the value and the fix, instead of retrying forever looking healthy.
    """
    label = "stormproof-worker"  # the ready line's prefix, which supervisors wait for
    note = f" (variant {variant}: BROKEN ON PURPOSE)" if variant else ""
    prog = f"python -m stormproof.reference.broken {variant}" if variant else f"{PROG} worker"
    parser = argparse.ArgumentParser(
        prog=prog,
        description=description,
        epilog=temporal_epilog({**variables(), **OBSERVABILITY_VARIABLES, **VERSIONING_VARIABLES}),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--task-queue", help="overrides STORMPROOF_TASK_QUEUE")
    parser.add_argument(
        "--workflows",
        metavar="MODULE:ATTR",
        help="serve these workflow classes in place of the reference ones of the same name "
        "(used to record histories of another version of the code)",
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    log_format = logs.configure()
    overrides = {"task_queue": args.task_queue} if args.task_queue is not None else {}
    try:
        settings = prepare(overrides)
        config = load_connect_config()
        workflows = workflows_with(args.workflows)
        deployment = deployment_config(os.environ)
        observed = Observed.from_env(
            codec_enabled=bool(os.environ.get(KEY_VARIABLE, "").strip()),
            core_logging=logs.core_logging(log_format),
        )
        return asyncio.run(
            settled(
                serve(
                    settings,
                    activities_factory=activities_factory,
                    label=label,
                    note=note,
                    workflows=workflows,
                    config=config,
                    observed=observed,
                    deployment=deployment,
                )
            )
        )
    except (SettingsError, ConnectionConfigError, MetricsAddressError) as exc:
        print(f"{label}: {exc}", file=sys.stderr)
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
