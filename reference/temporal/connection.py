"""Connecting to Temporal the way every Temporal tool does: the worker, the supervisor and
the client commands connect here; the API reads its settings here and keeps its own link
(link.py).

The address, namespace, API key and TLS settings come from Temporal's own environment
configuration (`temporalio.envconfig`: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE), checked first by
config.py, so a deployment already set up for the `temporal` CLI needs nothing new. Every
connection uses the reference's data converter (reference/codec.py): pydantic, because the
workflows' inputs and outputs are pydantic models, sealed when a payload key is set. Also
here: `settled`, the wind-down that keeps a short-lived process from crashing at exit, and
`explain_connect_error`, one line for a failed connection.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import Awaitable, Mapping
from typing import Any, TypeVar

from temporalio.client import Client
from temporalio.envconfig import ClientConfig

from stormproof.reference.codec import PayloadKeyError, data_converter
from stormproof.reference.temporal.config import (
    DEFAULT_ADDRESS,
    DEFAULT_NAMESPACE,
    ConnectionConfigError,
    check_environment,
    check_resolved_address,
)

log = logging.getLogger("stormproof.connection")

# Connect retry backoff: quick at first (a server that is just starting), then capped at
# 10 s, the SDK's own poll backoff ceiling, so a worker that started before Temporal makes
# progress as soon as an already-connected one would, without flooding the log.
INITIAL_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 10.0


# How long to let the SDK's Rust threads wind down before the process exits; see settled().
SETTLE_SECONDS = 0.1

T = TypeVar("T")


def load_connect_config(
    *,
    address: str | None = None,
    namespace: str | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Keyword arguments for `Client.connect`, from the TEMPORAL_* environment and profile.

    `address` and `namespace` (a command's --address / --namespace) win over both. Every
    value is checked first (reference/temporal/config.py), so a setting that can never
    work raises ConnectionConfigError naming it instead of failing later in the SDK.
    """
    env = os.environ if env is None else env
    check_environment(env, address=address, namespace=namespace)
    try:
        loaded = ClientConfig.load_client_connect_config(override_env_vars=dict(env))
        config: dict[str, Any] = dict(loaded)
    except Exception as exc:  # the bridge raises its own ConfigError, files raise OSError
        raise ConnectionConfigError(
            f"cannot load the Temporal connection settings: {type(exc).__name__}: {exc}; "
            "fix: check TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE (the profile must exist in "
            "the file) and that every TEMPORAL_TLS_*_PATH points at a readable file"
        ) from None
    if address is None and not env.get("TEMPORAL_ADDRESS") and config.get("target_host"):
        check_resolved_address(config["target_host"])  # it came from a profile file
    if address is not None:
        config["target_host"] = address.strip()
    if namespace is not None:
        config["namespace"] = namespace.strip()
    config.setdefault("target_host", DEFAULT_ADDRESS)
    config.setdefault("namespace", DEFAULT_NAMESPACE)
    try:
        data_converter()  # a bad payload key is a configuration error, not an outage
    except PayloadKeyError as exc:
        raise ConnectionConfigError(str(exc)) from None
    return config


def describe(config: dict[str, Any]) -> str:
    """`ADDRESS namespace NS` for log lines; never includes the API key."""
    return f"{config['target_host']} namespace {config['namespace']}"


async def connect_once(config: dict[str, Any] | None = None) -> Client:
    config = load_connect_config() if config is None else config
    return await Client.connect(**config, data_converter=data_converter())


async def connect_with_retry(
    config: dict[str, Any],
    *,
    max_attempts: int | None = None,
    stop: asyncio.Event | None = None,
    who: str = "stormproof",
    initial_backoff: float = INITIAL_BACKOFF_SECONDS,
    quiet: bool = False,
) -> Client | None:
    """Connect, retrying with capped exponential backoff and logging every failure.

    Returns None only when `stop` is set while waiting (the process was told to exit).
    Raises the last error after `max_attempts` failures (None means retry forever: a
    worker must keep trying rather than sit idle looking healthy). `quiet` drops the
    per-attempt warnings, for a command that reports the outcome in one line of its own.
    """
    delay = initial_backoff
    attempt = 0
    while True:
        attempt += 1
        try:
            return await connect_once(config)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}".strip()
            if max_attempts is not None and attempt >= max_attempts:
                raise
            log.log(
                logging.DEBUG if quiet else logging.WARNING,
                "%s: cannot reach Temporal at %s (attempt %d): %s; retrying in %.0fs",
                who,
                describe(config),
                attempt,
                reason,
                delay,
            )
        if stop is None:
            await asyncio.sleep(delay)
        else:
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
                return None
            except TimeoutError:
                pass
        delay = min(delay * 2, MAX_BACKOFF_SECONDS)


async def settled(work: Awaitable[T]) -> T:
    """Await `work`, then let the Temporal client wind down before the process exits.

    A process that exits right after using a client can abort in interpreter
    finalization with "Fatal Python error: PyGILState_Release" (exit 134,
    temporalio/sdk-python#300): the SDK's Rust threads call back into a Python that is
    shutting down. `work` drops its client and worker when it returns; collecting them
    and yielding briefly while the event loop is still alive lets those callbacks finish
    first. Measured here: ~5-15% of short CLI runs and worker exits aborted, 0 after.

    The wind-down runs on failure too: a connection that failed leaves the same threads
    behind (5 of 15 runs with a bad address aborted before it did). A caller that still
    holds the exception keeps the failed client's frames alive through its traceback, so
    commands turn errors into their message inside `work` (reference/cli/common.py).
    """
    try:
        return await work
    finally:
        gc.collect()
        await asyncio.sleep(SETTLE_SECONDS)


def explain_connect_error(error: BaseException, config: dict[str, Any]) -> str:
    """One line for a failed connection: the SDK's transport errors are nested Rust debug
    strings several hundred characters long, with the cause in the middle."""
    target = describe(config)
    text = str(error)
    fix = "check the address, or pass --address host:port (TEMPORAL_ADDRESS)"
    if isinstance(error, TimeoutError):
        cause = "Temporal did not answer in time"
    elif "dns error" in text or "failed to lookup address" in text:
        host = config["target_host"].rpartition(":")[0]
        cause = f"cannot resolve host {host!r}"
        fix = "check the host name, or pass --address host:port (TEMPORAL_ADDRESS)"
    elif "ConnectionRefused" in text or "Connection refused" in text:
        cause = "connection refused: no Temporal server listens there"
        fix = (
            "start one (temporal server start-dev) or pass --address host:port "
            "(TEMPORAL_ADDRESS) of a running one"
        )
    elif "tls" in text.lower() or "certificate" in text.lower():
        cause = "the TLS handshake failed"
        fix = "check TEMPORAL_TLS and the TEMPORAL_TLS_* certificate settings"
    else:
        first = text.strip().splitlines()[0][:200] if text.strip() else ""
        cause = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return f"cannot reach Temporal at {target}: {cause}; fix: {fix}"
