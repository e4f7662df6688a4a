"""The team's worker: `python -m examples.agents_openai.worker`, configured by its own
variables (settings.py). SIGTERM and SIGINT drain in-flight activities first.

The plugin (`OpenAIAgentsPlugin`) runs every model call of the agents as the activity
`invoke_model_activity`, with the timeouts and retry policy of `MODEL_ACTIVITY`. Its model
client is built here, explicitly, with `max_retries=0`: the openai SDK's own retries (2 by
default, with their own backoff) would run inside one Temporal attempt, unseen by the
history, so one attempt could call the provider three times under a 429 or 5xx storm, each
a billed, rate-limited request Temporal then retries again. With them off, each attempt is
one request and Temporal alone decides when to ask again (the plugin turns a 429's
`retry-after` into the next retry's delay and does not retry a 4xx the provider refuses for
good). The model name comes from the environment: the agents name none.

One gap of the plugin is closed here: it reads `retry-after` as seconds only, so a hint
given as an HTTP date (RFC 9110 allows both) failed the attempt with a ValueError and was
retried after 1 s (Stormproof's properties suite: `retry-hint-ignored`). `DatedHints` turns
such a 429 or 5xx into the retryable failure the plugin would raise, with the date's delay.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from agents import Model, ModelProvider, ModelResponse, OpenAIProvider
from openai import APIStatusError, AsyncOpenAI
from temporalio.client import Client
from temporalio.common import RetryPolicy, VersioningBehavior, WorkerDeploymentVersion
from temporalio.contrib.openai_agents import ModelActivityParameters, OpenAIAgentsPlugin
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker, WorkerDeploymentConfig

from examples.agents_openai.activities import ACTIVITIES
from examples.agents_openai.settings import Settings
from examples.agents_openai.workflows import WORKFLOWS

log = logging.getLogger("support.worker")
# Each model call: a heartbeat every 2.5 s (the plugin's, at half the timeout), so a worker
# that dies mid-call is noticed within 5 s; 30 s for a slow answer; retries 1 s apart,
# then doubling, never more than 5 s apart, and never given up on.
MODEL_ACTIVITY = ModelActivityParameters(
    start_to_close_timeout=timedelta(seconds=30),
    heartbeat_timeout=timedelta(seconds=5),
    retry_policy=RetryPolicy(
        initial_interval=timedelta(seconds=1),
        backoff_coefficient=2.0,
        maximum_interval=timedelta(seconds=5),
    ),
)
LlmClient = Callable[[Settings], AsyncOpenAI]


def llm_client(settings: Settings) -> AsyncOpenAI:
    """The model client: the team's endpoint and key, and no retries of its own."""
    return AsyncOpenAI(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout_seconds,
        max_retries=0,
    )


def date_hint(error: APIStatusError) -> timedelta | None:
    """The delay a retryable answer's `retry-after` asks for when it is an HTTP date."""
    if error.status_code != 429 and error.status_code < 500:
        return None
    value = error.response.headers.get("retry-after", "").strip()
    if not value or error.response.headers.get("retry-after-ms") or _is_number(value):
        return None  # the plugin reads these itself
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000": UTC by RFC 5322
        when = when.replace(tzinfo=UTC)
    return max(when - datetime.now(UTC), timedelta(0))


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


class DatedHints(Model):
    """A model whose retryable failures with a dated `retry-after` carry that delay."""

    def __init__(self, model: Model) -> None:
        self._model = model

    async def get_response(self, *args: Any, **kwargs: Any) -> ModelResponse:
        try:
            return await self._model.get_response(*args, **kwargs)
        except APIStatusError as exc:
            delay = date_hint(exc)
            if delay is None:
                raise
            raise ApplicationError(
                f"Retryable OpenAI status code: {exc.status_code}",
                type=APIStatusError.__name__,
                next_retry_delay=delay,
            ) from exc

    def stream_response(self, *args: Any, **kwargs: Any) -> Any:
        return self._model.stream_response(*args, **kwargs)


class TeamModels(ModelProvider):
    """OpenAI models through the team's client; an agent that names no model gets the
    configured one (`SUPPORT_LLM_MODEL`)."""

    def __init__(self, client: AsyncOpenAI, default_model: str) -> None:
        self._provider = OpenAIProvider(openai_client=client)
        self._default = default_model

    def get_model(self, model_name: str | None) -> Model:
        return DatedHints(self._provider.get_model(model_name or self._default))


BEHAVIORS = {"pinned": VersioningBehavior.PINNED, "auto-upgrade": VersioningBehavior.AUTO_UPGRADE}


def deployment(settings: Settings) -> WorkerDeploymentConfig | None:
    """The worker as a version of a Worker Deployment (a rolling deploy runs two side by
    side), or None when SUPPORT_DEPLOYMENT_NAME is unset. A bad setting stops the worker
    at once, naming the variable and the fix."""
    if not settings.deployment_name:
        return None
    if not settings.build_id:
        raise SystemExit(
            f"SUPPORT_BUILD_ID is unset while SUPPORT_DEPLOYMENT_NAME="
            f"{settings.deployment_name!r}; fix: set it to this build's version, e.g. v2"
        )
    behavior = BEHAVIORS.get(settings.versioning_behavior)
    if behavior is None:
        raise SystemExit(
            f"SUPPORT_VERSIONING_BEHAVIOR={settings.versioning_behavior!r} is not a "
            f"behaviour; fix: set it to {' or '.join(BEHAVIORS)}"
        )
    version = WorkerDeploymentVersion(settings.deployment_name, settings.build_id)
    return WorkerDeploymentConfig(
        version=version, use_worker_versioning=True, default_versioning_behavior=behavior
    )


def plugin(settings: Settings, client: LlmClient = llm_client) -> OpenAIAgentsPlugin:
    """The Agents SDK's Temporal plugin, for the client and (through it) the worker."""
    models = TeamModels(client(settings), settings.llm_model)
    return OpenAIAgentsPlugin(model_params=MODEL_ACTIVITY, model_provider=models)


async def run(
    activities: Sequence[Callable[..., Any]] = ACTIVITIES,
    workflows: Sequence[type] = WORKFLOWS,
    client: LlmClient = llm_client,
) -> None:
    """Poll the team's queue until a signal; a broken twin passes its own parts."""
    settings = Settings()
    versioning = deployment(settings)  # a bad setting stops the worker before it connects
    temporal = await Client.connect(
        settings.temporal_address,
        namespace=settings.namespace,
        plugins=[plugin(settings, client)],
    )
    worker = Worker(
        temporal,
        task_queue=settings.task_queue,
        workflows=list(workflows),
        activities=list(activities),
        graceful_shutdown_timeout=timedelta(seconds=5),
        deployment_config=versioning,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("polling %s on %s", settings.task_queue, settings.temporal_address)
    async with worker:
        await stop.wait()
    log.info("drained and stopped")


def main(
    activities: Sequence[Callable[..., Any]] = ACTIVITIES,
    workflows: Sequence[type] = WORKFLOWS,
    client: LlmClient = llm_client,
) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(run(activities, workflows, client))


if __name__ == "__main__":
    main()
