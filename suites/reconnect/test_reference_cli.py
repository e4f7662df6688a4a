"""`stormproof-reference` start / progress / approve / reject / result against a real dev
server, aimed only by flags (no TEMPORAL_* or STORMPROOF_* in the environment): a report
goes from start to approval on the command line; malformed decisions sent past the CLI are
dropped by the workflow without failing its task, and shown by `progress`; and `result`
says when no worker polls the queue instead of waiting in silence."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from stormproof.reconnect import REPO, ReconnectWorld
from stormproof.world import eventually, new_marker

pytestmark = [pytest.mark.local_server, pytest.mark.worker_process]

COMMAND_DEADLINE = 60.0
NO_POLLER_WAIT = 3.0


def command_line() -> list[str]:
    script = Path(sys.executable).with_name("stormproof-reference")
    return [str(script)] if script.exists() else [sys.executable, "-m", "stormproof.reference.cli"]


class Cli:
    """The reference's command, aimed at the world by flags only."""

    def __init__(self, world: ReconnectWorld, task_queue: str | None = None) -> None:
        self.aim = [
            "--address",
            world.server.address,
            "--namespace",
            "default",
            "--task-queue",
            task_queue or world.task_queue,
        ]
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "STORMPROOF_"))
        }

    async def run(self, *args: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            *command_line(),
            *args,
            *self.aim,
            env=self.env,
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(process.communicate(), COMMAND_DEADLINE)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError(
                f"stormproof-reference {args} ran over {COMMAND_DEADLINE}s"
            ) from None
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    async def ok(self, *args: str) -> str:
        code, out, err = await self.run(*args)
        assert code == 0, f"stormproof-reference {args} exited {code}: {err}"
        return out


async def test_a_report_from_start_to_approval_on_the_command_line(
    reconnect_world: ReconnectWorld,
):
    world = reconnect_world
    client, _ = await world.running_worker()
    cli = Cli(world)

    report_id = (await cli.ok("start", "report", f"[{new_marker()}] q3", "--approval")).strip()
    handle = client.get_workflow_handle(report_id)

    async def awaiting() -> None:
        assert (await handle.query("progress"))["step"] == "awaiting_approval"

    await eventually(awaiting, timeout=30)
    # Past the CLI's checks, straight through Temporal: none may decide, or fail the task.
    await handle.signal("approve")
    await handle.signal("approve", {"reviewer": ""})
    await handle.signal("reject", args=[{"reviewer": "a"}, {"reviewer": "b"}])
    progress = json.loads(await cli.ok("progress", report_id))
    assert progress["step"] == "awaiting_approval", progress
    ignored = progress["ignored_decisions"]
    assert len(ignored) == 3 and all("approve" in i or "reject" in i for i in ignored), ignored

    story_id = (await cli.ok("start", "story", f"[{new_marker()}] a story")).strip()
    code, _, err = await cli.run("approve", story_id, "--reviewer", "ops")
    assert code == 1 and "is a StoryWorkflow, not a ReportWorkflow" in err, err
    code, _, err = await cli.run("approve", "report-that-does-not-exist", "--reviewer", "ops")
    assert code == 1 and "no workflow 'report-that-does-not-exist'" in err, err

    await cli.ok("approve", report_id, "--reviewer", "ops@example.com", "--comment", "ship")
    result = json.loads(await cli.ok("result", report_id, "--timeout", "60"))
    assert result["status"] == "completed" and result["reviewer"] == "ops@example.com", result
    assert json.loads(await cli.ok("result", story_id, "--timeout", "60"))["characters"] > 0

    code, _, err = await cli.run("reject", report_id, "--reviewer", "late")
    assert code == 1 and "is COMPLETED, so a decision has no effect" in err, err


async def test_result_says_when_no_worker_polls_the_queue(reconnect_world: ReconnectWorld):
    world = reconnect_world
    await world.start_temporal()
    queue = f"nobody-polls-{new_marker()}"
    cli = Cli(world, task_queue=queue)
    story_id = (await cli.ok("start", "story", "waits for a worker")).strip()

    code, out, err = await cli.run("result", story_id, "--timeout", str(NO_POLLER_WAIT))
    assert code == 1, (code, out, err)
    lines = err.strip().splitlines()
    assert sum(f"no poller on task queue {queue}" in line for line in lines) == 1, err
    assert f"did not close within {NO_POLLER_WAIT:g}s" in lines[-1], err

    report_id = (await cli.ok("start", "report", "no worker", "--approval")).strip()
    code, _, err = await cli.run("progress", report_id)
    assert code == 1 and f"no poller on task queue {queue}" in err, err
