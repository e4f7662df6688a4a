"""The replay suite's team options, exercised for real in a pytest subprocess.

`--replay-dir` over exported histories (every export form, a sealed history with and
without its codec, the three verdicts side by side, a corrupt file, an empty folder) and
`--replay-query` against a dev server where a few reports ran, including a history
exported with the real `temporal workflow show -o json`, so the claim that the suite
reads the CLI's format is tested rather than assumed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from stormproof.fixtures.codec import PAYLOAD_KEY_VARIABLE
from stormproof.fixtures.processes import ManagedProcess
from stormproof.fixtures.temporal import dev_server_binary
from stormproof.fixtures.twins import broken_spec
from stormproof.fixtures.wait import wait_for
from stormproof.replay.recorder import RecordingWorld
from stormproof.replay.scenarios import SCENARIOS, by_key

ROOT = Path(__file__).resolve().parent.parent
TEAM_TESTS = "suites/replay/test_team_histories.py"
QUERY = "WorkflowType='ReportWorkflow'"
HISTORIES = ROOT / "tests" / "replay_histories"
SEALED = HISTORIES / "special" / "encrypted.json"
TEST_KEY = "c3Rvcm1wcm9vZi1yZXBsYXktdGVzdC1rZXktMzItYnk="  # build.py sealed SEALED with it


async def run_pytest(
    args: list[str], workdir: Path, *, timeout: float = 90.0, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run the team replay tests in a child pytest; return its exit code and output."""
    log = workdir / f"pytest-{len(list(workdir.glob('pytest-*.log')))}.log"
    argv = [sys.executable, "-m", "pytest", TEAM_TESTS, "-q", "-p", "no:cacheprovider", *args]
    child_env = {k: v for k, v in os.environ.items() if k != PAYLOAD_KEY_VARIABLE}
    child_env.update(env or {})
    child = ManagedProcess("pytest-replay", argv, log_path=log, cwd=ROOT, env=child_env).start()
    try:
        await wait_for(
            lambda: not child.running(),
            what="the child pytest",
            timeout=timeout,
            logs={"pytest": log},
        )
    finally:
        child.stop(grace=5)
    code = child.returncode()
    assert code is not None
    return code, log.read_text()


async def test_replay_dir_of_exported_histories_passes(tmp_path: Path) -> None:
    folder = tmp_path / "exported"
    for scenario in SCENARIOS:
        target = folder / f"{scenario.workflow}-{scenario.name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(scenario.path(), target)
    code, out = await run_pytest(["--replay-dir", str(folder)], tmp_path)
    assert code == 0, out
    assert f"{len(SCENARIOS)} passed" in out, out


async def test_corrupt_file_fails_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "exported"
    folder.mkdir()
    shutil.copy(by_key("ReportWorkflow/happy_path").path(), folder / "good.json")
    (folder / "truncated.json").write_text('{"events": [{"eventId": "1",')
    (folder / "package.json").write_text('{"name": "not-a-history"}')
    code, out = await run_pytest(["--replay-dir", str(folder)], tmp_path)
    assert code == 1, out
    assert f"{folder / 'truncated.json'}: cannot judge: not valid JSON" in out, out
    assert f"{folder / 'package.json'}: cannot judge: not a Temporal workflow history" in out, out
    assert "2 failed, 1 passed" in out, out


async def test_unknown_workflow_type_fails_naming_file_and_type(tmp_path: Path) -> None:
    folder = tmp_path / "exported"
    folder.mkdir()
    shutil.copy(by_key("ReportWorkflow/happy_path").path(), folder / "report.json")
    code, out = await run_pytest(
        ["--replay-dir", str(folder), "--workflows", "stormproof.reference.workflows:PingWorkflow"],
        tmp_path,
    )
    assert code == 1, out
    assert f"{folder / 'report.json'}: cannot judge: workflow type 'ReportWorkflow' is not" in out


async def test_empty_replay_dir_fails(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    code, out = await run_pytest(["--replay-dir", str(folder)], tmp_path)
    assert code == 1, out
    assert f"{folder}: cannot judge: no *.json (or *.gz) history files in it" in out, out


async def test_every_export_form_replays_from_a_replay_dir(tmp_path: Path) -> None:
    """Eight export forms, gzip'd and reversed included; the repaired ones warn."""
    formats = ["--replay-dir", str(HISTORIES / "formats"), "-k", "exported"]
    code, out = await run_pytest(formats, tmp_path)
    assert code == 0, out
    assert "10 passed, 1 deselected, 2 warnings" in out, out
    assert "ReplayWarning" in out and "events were in reverse order" in out, out
    assert "decoded by the Web UI download" in out, out


async def test_a_sealed_history_replays_with_its_codec_only(tmp_path: Path) -> None:
    folder = tmp_path / "sealed"
    folder.mkdir()
    shutil.copy(SEALED, folder / "sealed.json")
    code, out = await run_pytest(["--replay-dir", str(folder)], tmp_path)
    assert code == 1, out
    assert f"{folder / 'sealed.json'}: cannot judge: pass --replay-codec" in out, out

    (tmp_path / "team_codec.py").write_text(
        textwrap.dedent(f"""
        from stormproof.fixtures.codec import ContractCodec
        codec = ContractCodec({TEST_KEY!r})
        """)
    )
    path = os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    with_codec = ["--replay-dir", str(folder), "--replay-codec", "team_codec:codec"]
    code, out = await run_pytest(with_codec, tmp_path, env={"PYTHONPATH": path})
    assert code == 0 and "1 passed" in out, out

    with_key = {PAYLOAD_KEY_VARIABLE: TEST_KEY}
    code, out = await run_pytest(["--replay-dir", str(folder)], tmp_path, env=with_key)
    assert code == 0 and "1 passed" in out, out

    wrong = ["--replay-dir", str(folder), "--replay-codec", "no_such_module:codec"]
    code, out = await run_pytest(wrong, tmp_path)
    assert code == 1 and "--replay-codec 'no_such_module:codec': cannot import" in out, out


async def test_the_three_verdicts_side_by_side(tmp_path: Path) -> None:
    """Against the reordered twin: an approval that never reaches the reordered step
    replays, the happy path diverges, the sealed history cannot be judged."""
    folder = tmp_path / "exported"
    folder.mkdir()
    shutil.copy(by_key("ReportWorkflow/approval_rejected").path(), folder / "rejected.json")
    shutil.copy(by_key("ReportWorkflow/happy_path").path(), folder / "happy.json")
    shutil.copy(SEALED, folder / "sealed.json")
    twin = ["--workflows", broken_spec("activities_reordered")]
    code, out = await run_pytest(["--replay-dir", str(folder), *twin], tmp_path)
    assert code == 1, out
    assert "2 failed, 1 passed" in out, out
    assert f"{folder / 'happy.json'}: diverged: replay of this history failed" in out, out
    assert "the code issued activity send_notification" in out, out
    assert f"{folder / 'sealed.json'}: cannot judge: pass --replay-codec" in out, out
    assert "\x1b[" not in out, "terminal colour codes in the output"


@pytest.mark.local_server
async def test_replay_query_and_cli_export_against_a_live_server(tmp_path: Path) -> None:
    world = RecordingWorld(tmp_path / "world")
    ran = [by_key("ReportWorkflow/happy_path"), by_key("ReportWorkflow/approval_rejected")]
    async with world.running():
        for scenario in ran:
            await world.run(scenario)

        async def listed() -> bool:
            count = await world.client.count_workflows(QUERY)
            return count.count >= len(ran)

        await wait_for(listed, what="visibility to list the reports", timeout=30)
        address = world.server.address

        exported = tmp_path / "exported"
        exported.mkdir()
        show = [dev_server_binary(), "workflow", "show", "--address", address, "-o", "json"]
        done = await asyncio.to_thread(
            subprocess.run,
            [*show, "--workflow-id", ran[0].workflow_id],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            start_new_session=True,
        )
        assert done.returncode == 0, done.stderr
        (exported / "from-cli.json").write_text(done.stdout)

        live = ["--temporal-address", address, "--replay-query", QUERY]
        code, out = await run_pytest([*live, "-k", "live"], tmp_path)
        assert code == 0, out
        assert "1 passed" in out, out

        code, out = await run_pytest(["--replay-dir", str(exported), "-k", "exported"], tmp_path)
        assert code == 0, out
        assert "1 passed" in out, out

        nothing = ["--temporal-address", address, "--replay-query", "WorkflowType='Nope'"]
        code, out = await run_pytest([*nothing, "-k", "live"], tmp_path)
        assert code == 1, out
        assert "matched no workflows" in out, out
