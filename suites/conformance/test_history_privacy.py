"""Prompts and LLM replies must not be stored in plaintext in Temporal's history.

The history is kept by the server and shown in its Web UI; for an AI workflow its payloads
are prompts and generated text. With `STORMPROOF_PAYLOAD_KEY` set (CONTRACT.md section 7)
a worker seals every payload, and the judge, speaking the same documented format, still
reads the result. The negative control is the same check on a twin that opens sealed
payloads but writes its own unsealed (the codec on one path only): the reply is there for
anyone with read access to see.
"""

from __future__ import annotations

import asyncio

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from stormproof.conformance import Judge, Run
from stormproof.conformance.checks import assert_one_notification, assert_one_row
from stormproof.diagnosis import BugClass, Finding, expect, rejected_as
from stormproof.world import (
    PAYLOAD_KEY_VARIABLE,
    WorkerFactory,
    broken_argv,
    encrypted_converter,
    new_payload_key,
    plaintext_leaks,
)

# A worker that cannot open sealed input never finishes; say so instead of hanging.
SEALED_RUN_DEADLINE = 60
SECRET_TOPIC = "Summarise the merger terms for Project Nightingale before the announcement."


async def assert_history_is_sealed(judge: Judge, run: Run) -> None:
    # Read the raw history with the plain client: what the server stores and the UI shows.
    history = await judge.client.get_workflow_handle(run.workflow_id).fetch_history()
    secrets = {"the prompt": SECRET_TOPIC, "the LLM reply": judge.expected_reply(run)[:40]}
    leaks = plaintext_leaks(history.events, secrets)
    expect(
        leaks == [],
        BugClass.PLAINTEXT_HISTORY,
        f"{run.workflow_id}: {' and '.join(leaks)} stored in plaintext in the workflow "
        f"history; seal payloads with a codec (set {PAYLOAD_KEY_VARIABLE}, CONTRACT.md 7)",
    )


def sealed_judge(temporal_env: WorkflowEnvironment, judge: Judge, key: str) -> Judge:
    """A judge whose client seals what it sends and opens what it reads."""
    plain = temporal_env.client
    client = Client(
        plain.service_client, namespace=plain.namespace, data_converter=encrypted_converter(key)
    )
    return Judge(client, judge.fake_llm, judge.sink)


async def run_sealed(
    judge: Judge, factory: WorkerFactory, env: WorkflowEnvironment, argv: list[str] | None
) -> tuple[Judge, Run]:
    """A sealed report on a worker given a payload key; the sealed judge and its run."""
    key = new_payload_key()
    worker = await factory.start(
        "worker-sealed-payloads", argv=argv, extra_env={PAYLOAD_KEY_VARIABLE: key}
    )
    sealed = sealed_judge(env, judge, key)
    run = await sealed.start_report(worker, topic=SECRET_TOPIC)
    try:
        async with asyncio.timeout(SEALED_RUN_DEADLINE):
            result = await run.result()
    except TimeoutError:
        raise Finding(
            BugClass.LOST_WORKFLOW,
            f"{run.workflow_id} did not finish in {SEALED_RUN_DEADLINE}s with sealed "
            f"payloads: does the worker implement {PAYLOAD_KEY_VARIABLE} (CONTRACT.md 7)? "
            f"worker log:\n{worker.log(30)}",
        ) from None
    expect(result["status"] == "completed", BugClass.LOST_WORKFLOW, f"{result}")
    return sealed, run


@pytest.mark.worker_process
async def test_prompts_and_replies_are_sealed_in_the_history(
    judge: Judge, worker_factory: WorkerFactory, temporal_env: WorkflowEnvironment
):
    sealed, run = await run_sealed(judge, worker_factory, temporal_env, None)
    assert_one_row(sealed, run)
    assert_one_notification(sealed, run)
    # The plain judge reads the raw history, as the server and its UI hold it.
    await assert_history_is_sealed(judge, run)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_plaintext_history_is_caught(
    judge: Judge, worker_factory: WorkerFactory, temporal_env: WorkflowEnvironment
):
    argv = broken_argv("seals_nothing")
    _, run = await run_sealed(judge, worker_factory, temporal_env, argv)
    with rejected_as(BugClass.PLAINTEXT_HISTORY):
        await assert_history_is_sealed(judge, run)
