"""LLM requests go to OPENAI_BASE_URL with `Authorization: Bearer $OPENAI_API_KEY` and ask
for STORMPROOF_LLM_MODEL (CONTRACT.md sections 1 and 3), judged at a non-default model: a
worker that hard-codes the usual model is indistinguishable at the default."""

from __future__ import annotations

import pytest

from stormproof.conformance import Judge
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.world import FAKE_LLM_KEY, WorkerFactory, broken_argv, mask_secret

MODEL = "stormproof-model-x"


async def check_llm_settings(judge: Judge, factory: WorkerFactory, argv: list[str] | None):
    worker = await factory.start(
        "worker-custom-model", argv=argv, extra_env={"STORMPROOF_LLM_MODEL": MODEL}
    )
    run = await judge.start_story(worker)
    await run.result()
    calls = judge.llm_calls(run)
    expect(calls, BugClass.LOST_EFFECT, f"no LLM call reached OPENAI_BASE_URL: {run}")
    bearer = mask_secret(f"Bearer {FAKE_LLM_KEY}")
    expect(
        all(c.authorization == bearer for c in calls),
        BugClass.WRONG_EFFECT,
        f"LLM calls came with {[c.authorization for c in calls]}, not {bearer} (OPENAI_API_KEY)",
    )
    models = sorted({str(c.model) for c in calls})
    expect(
        models == [MODEL],
        BugClass.INPUT_IGNORED,
        f"STORMPROOF_LLM_MODEL={MODEL} but the LLM was asked for {models}",
    )


@pytest.mark.worker_process
async def test_requests_carry_the_key_and_the_configured_model(
    judge: Judge, worker_factory: WorkerFactory
):
    await check_llm_settings(judge, worker_factory, None)


@pytest.mark.worker_process
@pytest.mark.negative_control
async def test_negative_control_hardcoded_model(judge: Judge, worker_factory: WorkerFactory):
    with rejected_as(BugClass.INPUT_IGNORED):
        await check_llm_settings(judge, worker_factory, broken_argv("hardcoded_model"))
