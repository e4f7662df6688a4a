"""The API's connection to Temporal: connect in the background, probe, reconnect, report.

A server that connects once at start-up and then trusts its client has two failure modes:
Temporal was down at that moment (no client, yet submissions are accepted and parked), or
Temporal went away later (the client exists, so every start hangs in the SDK's retries).
TemporalLink replaces trust with evidence: a background task keeps a client and probes it
(system info, the namespace, the task queue's pollers) with short RPC timeouts, on a
capped exponential backoff while anything fails. The API admits work only when the last
probe says Temporal is reachable and the namespace exists, and any failed call from a
request handler demotes the link at once and wakes the prober, so recovery is noticed
within one probe round trip of a submission rather than after a full backoff period.

Each change of state is logged exactly once, with the reason, so an outage is one warning
and one recovery line, not a log line per probe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import (
    DescribeNamespaceRequest,
    DescribeTaskQueueRequest,
    GetSystemInfoRequest,
)
from temporalio.client import Client
from temporalio.service import KeepAliveConfig, RetryConfig, RPCError, RPCStatusCode

from stormproof.reference.codec import data_converter
from stormproof.reference.temporal.connection import describe

log = logging.getLogger("stormproof.api.temporal")


class LinkState(StrEnum):
    CONNECTING = "connecting"  # no successful probe yet
    UNREACHABLE = "unreachable"  # Temporal does not answer
    NAMESPACE_MISSING = "namespace_missing"  # Temporal answers, the namespace is not there
    NO_POLLERS = "no_pollers"  # work can be started, but no worker polls the queue yet
    READY = "ready"


# States in which a start is durable: Temporal stores the workflow and a worker that polls
# later runs it. Without pollers the API still accepts work but /ready says why it is not
# ready, so an orchestrator does not route traffic to it as if all were well.
ACCEPTING = frozenset({LinkState.NO_POLLERS, LinkState.READY})


class LinkStatus(BaseModel):
    """What the last probe found; `reason` explains every state but READY."""

    state: LinkState
    reason: str | None
    target: str
    task_queue: str
    since_seconds: float
    last_probe_seconds_ago: float | None
    consecutive_failures: int


class Backoff:
    """Capped exponential backoff: initial, doubling, never above `cap`; reset on success."""

    def __init__(self, initial: float, cap: float) -> None:
        self.initial = initial
        self.cap = cap
        self.current = initial

    def next(self) -> float:
        delay = self.current
        self.current = min(self.current * 2, self.cap)
        return delay

    def reset(self) -> None:
        self.current = self.initial


class TemporalLink:
    """Owns the API's Client and the truth about whether it can start workflows now."""

    def __init__(
        self,
        connect_config: dict[str, Any],
        task_queue: str,
        *,
        rpc_timeout: float = 1.5,
        healthy_interval: float = 2.0,
        initial_backoff: float = 0.1,
        max_backoff: float = 1.0,
    ) -> None:
        self.connect_config = connect_config
        self.namespace: str = connect_config["namespace"]
        self.task_queue = task_queue
        self.rpc_timeout = rpc_timeout
        self.healthy_interval = healthy_interval
        self.backoff = Backoff(initial_backoff, max_backoff)
        self._client: Client | None = None
        self._state = LinkState.CONNECTING
        self._reason: str | None = f"not yet connected to {describe(connect_config)}"
        self._since = time.monotonic()
        self._last_probe: float | None = None
        self._failures = 0
        # Times the link became accepting again after it had been and was lost (/metrics).
        self.reconnects = 0
        self._accepted_before = False
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # --- what handlers use ------------------------------------------------------------

    @property
    def state(self) -> LinkState:
        return self._state

    @property
    def reason(self) -> str | None:
        return self._reason

    def usable_client(self) -> Client | None:
        """The client when a start would be durable now; None (and a wake-up) otherwise."""
        if self._client is not None and self._state in ACCEPTING:
            return self._client
        self.wake()
        return None

    def client_for_reads(self) -> Client | None:
        """Any client at all, for status reads that may still succeed on a shaky link."""
        return self._client

    def report_failure(self, error: BaseException) -> None:
        """A handler's call failed in a way that says Temporal is unreachable: demote now."""
        self._set(LinkState.UNREACHABLE, _explain(error))
        self.wake()

    def wake(self) -> None:
        """Probe now instead of at the end of the current backoff."""
        self._wake.set()

    def status(self) -> LinkStatus:
        now = time.monotonic()
        return LinkStatus(
            state=self._state,
            reason=self._reason,
            target=describe(self.connect_config),
            task_queue=self.task_queue,
            since_seconds=round(now - self._since, 3),
            last_probe_seconds_ago=None
            if self._last_probe is None
            else round(now - self._last_probe, 3),
            consecutive_failures=self._failures,
        )

    # --- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="temporal-link")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        # The SDK has no Client.close(): dropping the reference releases the channel.
        self._client = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()  # before the probe, so a wake during it is not lost
            healthy = await self.probe()
            delay = self.healthy_interval if healthy else self.backoff.next()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def probe(self) -> bool:
        """One round: connect if needed, then reachability, namespace, pollers."""
        self._last_probe = time.monotonic()
        try:
            if self._client is None:
                self._client = await asyncio.wait_for(self._connect(), self.rpc_timeout * 2)
            state, reason = await asyncio.wait_for(self._check(self._client), self.rpc_timeout * 3)
        except Exception as exc:  # every failure mode of a probe means "cannot start now"
            self._failures += 1
            self._set(LinkState.UNREACHABLE, _explain(exc))
            return False
        self._failures = 0
        self.backoff.reset()
        self._set(state, reason)
        return state is LinkState.READY

    async def _connect(self) -> Client:
        return await Client.connect(
            **self.connect_config,
            data_converter=data_converter(),
            # The link does its own retrying; SDK retries would only hide an outage for
            # seconds inside one request. Keep-alive notices a silently dead peer.
            retry_config=RetryConfig(
                initial_interval_millis=100,
                max_interval_millis=500,
                max_elapsed_time_millis=int(self.rpc_timeout * 1000),
                max_retries=2,
            ),
            keep_alive_config=KeepAliveConfig(interval_millis=5_000, timeout_millis=3_000),
        )

    async def _check(self, client: Client) -> tuple[LinkState, str | None]:
        service = client.workflow_service
        timeout = timedelta(seconds=self.rpc_timeout)
        await service.get_system_info(GetSystemInfoRequest(), timeout=timeout)
        try:
            await service.describe_namespace(
                DescribeNamespaceRequest(namespace=self.namespace), timeout=timeout
            )
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                return LinkState.NAMESPACE_MISSING, (
                    f"namespace {self.namespace!r} does not exist on "
                    f"{self.connect_config['target_host']}; fix: create it "
                    f"(temporal operator namespace create {self.namespace}) or set "
                    "TEMPORAL_NAMESPACE to an existing one"
                )
            raise
        pollers = await service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=self.namespace,
                task_queue=TaskQueue(name=self.task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            ),
            timeout=timeout,
        )
        if not pollers.pollers:
            return LinkState.NO_POLLERS, (
                f"no worker polls task queue {self.task_queue!r}; work is accepted and waits "
                "for one; fix: start a worker with STORMPROOF_TASK_QUEUE set to this queue"
            )
        return LinkState.READY, None

    def _set(self, state: LinkState, reason: str | None) -> None:
        if state is self._state and reason == self._reason:
            return
        changed = state is not self._state
        if changed and state in ACCEPTING and self._state not in ACCEPTING:
            self.reconnects += int(self._accepted_before)
            self._accepted_before = True
        self._state, self._reason = state, reason
        if not changed:
            return  # same state, new wording: not a transition worth a log line
        self._since = time.monotonic()
        target = describe(self.connect_config)
        if state is LinkState.READY:
            log.info("temporal link: ready (%s, task queue %s)", target, self.task_queue)
        elif state is LinkState.NO_POLLERS:
            log.warning("temporal link: %s: %s", state.value, reason)
        else:
            log.warning(
                "temporal link: %s (%s): %s; submissions answer 503 until it recovers",
                state.value,
                target,
                reason,
            )


def _explain(error: BaseException) -> str:
    """One short line: the SDK's transport errors are long nested Rust debug strings."""
    if isinstance(error, TimeoutError):
        return "Temporal did not answer in time"
    text = str(error).strip()
    if "Connection refused" in text or "ConnectionRefused" in text:
        return "connection refused (is the Temporal server running at this address?)"
    first = text.splitlines()[0][:200] if text else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__
