"""StoryWorkflow: one LLM call, one Markdown artifact holding the reply verbatim."""

from __future__ import annotations

from stormproof.fixtures.worker import WorkerProcess
from stormproof.judge import Judge
from stormproof.suites.conformance.checks import assert_llm_calls


async def test_story_writes_one_artifact_from_one_llm_call(judge: Judge, worker: WorkerProcess):
    run = await judge.start_story(worker, title="The Keeper")
    result = await run.result()

    reply = judge.expected_reply(run)
    assert_llm_calls(judge, run, 1, "a story needs exactly one completion")
    artifact = judge.story_path(run)
    assert artifact.is_file(), f"no story artifact at {artifact}; result was {result}"
    assert reply in artifact.read_text(), f"{artifact} does not hold the LLM reply verbatim"
    assert result["workflow_id"] == run.workflow_id
    assert result["characters"] == len(reply), (
        f"characters should count the reply ({len(reply)}), got {result['characters']}"
    )
    # Atomic writes leave no temporary files beside the artifact.
    leftovers = [p.name for p in artifact.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == [], f"temporary files left beside the artifact: {leftovers}"


async def test_ping_round_trip(judge: Judge, worker: WorkerProcess):
    result = await judge.client.execute_workflow(
        "PingWorkflow", id=f"ping-conformance-{worker.task_queue}", task_queue=worker.task_queue
    )
    assert result == "ok"
