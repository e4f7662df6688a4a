"""The reference's LLM-result ledger, in process: a reply recorded once is reused by every
later attempt of the same step, from the worker's database, and never by another step.

The end-to-end proof, across a SIGKILL between the reply and the completion, is the chaos
test suites/chaos/test_f10_effect_then_death.py; this pins the mechanism in a second:
respx answers the LLM, ActivityEnvironment plays Temporal (attempt, workflow and run ids).
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import respx
from temporalio.testing import ActivityEnvironment

from stormproof.reference.activities.ledger import TABLE, LlmLedger
from stormproof.reference.activities.llm import LlmActivities
from stormproof.reference.models import LlmCallInput, LlmCallOutput
from stormproof.reference.settings import WorkerSettings

BASE_URL = "http://llm.test/v1"
REQUEST = LlmCallInput(prompt="Tell a story [m-1]", purpose="story", workflow_id="wf-1")


def completion(text: str) -> dict[str, object]:
    message = {"role": "assistant", "content": text}
    choice = {"index": 0, "finish_reason": "stop", "message": message}
    return {"id": "c", "object": "chat.completion", "created": 0, "model": "m", "choices": [choice]}


@pytest.fixture
def chat() -> Iterator[respx.Route]:
    with respx.mock(base_url=BASE_URL, assert_all_mocked=True, assert_all_called=False) as r:
        yield r.post("/chat/completions")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def settings(tmp_path: Path) -> WorkerSettings:
    return WorkerSettings(
        openai_base_url=BASE_URL,
        openai_api_key="sk-unit",
        database_url_raw=f"sqlite:///{tmp_path / 'worker.db'}",
        artifact_dir=tmp_path,
    )


async def call(
    activities: LlmActivities,
    *,
    attempt: int,
    activity_id: str = "1",
    run_id: str = "run-1",
    request: LlmCallInput = REQUEST,
) -> LlmCallOutput:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info, attempt=attempt, activity_id=activity_id, workflow_run_id=run_id
    )
    return await env.run(activities.llm_call, request)


async def test_a_retried_step_reuses_the_recorded_reply(
    chat: respx.Route, http: httpx.AsyncClient, tmp_path: Path
):
    chat.respond(200, json=completion("first reply"))
    first = await call(LlmActivities(settings(tmp_path), http_client=http), attempt=1)
    chat.respond(200, json=completion("a second, paid reply"))
    # A new process: nothing in memory, only the database survives.
    again = await call(LlmActivities(settings(tmp_path), http_client=http), attempt=2)

    assert chat.call_count == 1, "the retry asked the LLM again"
    assert (first.text, again.text, again.attempt) == ("first reply", "first reply", 2)
    with sqlite3.connect(tmp_path / "worker.db") as db:
        assert db.execute(f"SELECT count(*) FROM {TABLE}").fetchone() == (1,)


async def test_another_step_of_the_run_asks_the_llm(
    chat: respx.Route, http: httpx.AsyncClient, tmp_path: Path
):
    chat.respond(200, json=completion("a reply"))
    activities = LlmActivities(settings(tmp_path), http_client=http)
    await call(activities, attempt=1, activity_id="1")
    await call(activities, attempt=1, activity_id="7")
    assert chat.call_count == 2


async def test_a_reset_run_asking_the_same_question_reuses_the_reply(
    chat: respx.Route, http: httpx.AsyncClient, tmp_path: Path
):
    """An operator's reset: a new run of the same workflow asks the same step the same
    question, and that reply is paid for already (keyed by the run, it was asked again)."""
    chat.respond(200, json=completion("the reply"))
    activities = LlmActivities(settings(tmp_path), http_client=http)
    await call(activities, attempt=1, run_id="run-1")
    again = await call(activities, attempt=1, run_id="run-2-after-reset")
    assert chat.call_count == 1 and again.text == "the reply"


async def test_a_new_question_in_a_new_run_asks_the_llm(
    chat: respx.Route, http: httpx.AsyncClient, tmp_path: Path
):
    """Continue-as-new: the next run's first step has activity id 1 again, but asks another
    question; it must not be handed the last run's answer."""
    chat.respond(200, json=completion("a reply"))
    activities = LlmActivities(settings(tmp_path), http_client=http)
    await call(activities, attempt=1, run_id="run-1")
    turn = REQUEST.model_copy(update={"prompt": "Tell the next part [m-1]"})
    await call(activities, attempt=1, run_id="run-2", request=turn)
    assert chat.call_count == 2


async def test_an_unreadable_ledger_does_not_fail_the_step(
    chat: respx.Route, http: httpx.AsyncClient, tmp_path: Path
):
    (tmp_path / "worker.db").mkdir()  # a folder where the database file should be
    chat.respond(200, json=completion("still answered"))
    result = await call(LlmActivities(settings(tmp_path), http_client=http), attempt=1)
    assert result.text == "still answered"


def test_the_ledger_keeps_the_first_reply(tmp_path: Path) -> None:
    assert LlmLedger(f"sqlite:///{tmp_path / 'x.db'}")  # constructing touches nothing
    assert not (tmp_path / "x.db").exists()
