"""StoryWorkflow: one LLM call with the prompt verbatim, one Markdown artifact that carries
the title and the reply verbatim, written atomically, and a result that counts the reply.

Every input is judged at a non-default value: the story has a title, so a worker that
drops it is caught by the artifact's heading. Each negative control is a twin with one of
these rules broken, rejected by the very same check with the class it must name.
"""

from __future__ import annotations

import pytest

from stormproof.conformance import Judge, Run
from stormproof.conformance.checks import assert_llm_calls
from stormproof.diagnosis import BugClass, expect, rejected_as
from stormproof.world import BrokenWorker, WorkerProcess

TITLE = "The Keeper of Cape Wrath"


async def check_story(judge: Judge, run: Run, title: str | None) -> None:
    """Every rule of CONTRACT.md section 2 for StoryWorkflow, judged by its effects."""
    result = await run.result()
    assert_llm_calls(judge, run, 1, "a story needs exactly one completion")
    sent = judge.llm_calls(run)[0].prompt
    expect(
        run.prompt in sent,
        BugClass.WRONG_EFFECT,
        f"{run.workflow_id}: the LLM request does not carry the prompt verbatim: sent "
        f"{sent!r}, the prompt was {run.prompt!r}",
    )
    reply = judge.expected_reply(run)
    artifact = judge.story_path(run)
    expect(
        artifact.is_file(),
        BugClass.LOST_EFFECT,
        f"{run.workflow_id}: no story artifact at {artifact}; {result}",
    )
    text = artifact.read_text()
    if title is not None:
        heading = text.splitlines()[0] if text else ""
        expect(
            heading == f"# {title}",
            BugClass.INPUT_IGNORED,
            f"{run.workflow_id}: the story's title {title!r} is not its heading: the "
            f"artifact starts {heading!r}",
        )
    copies = text.count(reply)
    expect(
        copies == 1,
        BugClass.WRONG_EFFECT if copies == 0 else BugClass.DUPLICATE_EFFECT,
        f"{artifact} holds the LLM reply {copies} times, not once verbatim",
    )
    expect(
        result.get("workflow_id") == run.workflow_id,
        BugClass.WRONG_EFFECT,
        f"the result names workflow {result.get('workflow_id')!r}",
    )
    expect(
        result.get("characters") == len(reply),
        BugClass.WRONG_EFFECT,
        f"{run.workflow_id}: characters should count the reply ({len(reply)}), the result "
        f"says {result.get('characters')}",
    )
    # Atomic writes leave no temporary files beside the artifact.
    leftovers = [p.name for p in artifact.parent.iterdir() if p.name.startswith(".")]
    expect(
        leftovers == [],
        BugClass.WRONG_EFFECT,
        f"temporary files left beside the artifact: {leftovers}",
    )


async def test_story_writes_one_artifact_from_one_llm_call(judge: Judge, worker: WorkerProcess):
    run = await judge.start_story(worker, title=TITLE)
    await check_story(judge, run, TITLE)


async def test_story_without_a_title(judge: Judge, worker: WorkerProcess):
    run = await judge.start_story(worker)
    await check_story(judge, run, None)


async def test_ping_round_trip(judge: Judge, worker: WorkerProcess):
    result = await judge.client.execute_workflow(
        "PingWorkflow", id=f"ping-conformance-{worker.task_queue}", task_queue=worker.task_queue
    )
    expect(result == "ok", BugClass.WRONG_WORKER, f"PingWorkflow answered {result!r}")


@pytest.mark.worker_process
@pytest.mark.negative_control
@pytest.mark.parametrize(
    ("twin", "bug"),
    [
        ("truncates_prompt", BugClass.WRONG_EFFECT),
        ("ignores_artifact_dir", BugClass.LOST_EFFECT),
        ("ignores_title", BugClass.INPUT_IGNORED),
        ("counts_words", BugClass.WRONG_EFFECT),
        ("leaves_temp_files", BugClass.WRONG_EFFECT),
    ],
)
async def test_negative_control_story_rules(
    judge: Judge, broken_worker: BrokenWorker, twin: str, bug: BugClass
):
    broken = await broken_worker(twin)
    run = await judge.start_story(broken, title=TITLE)
    with rejected_as(bug):
        await check_story(judge, run, TITLE)
