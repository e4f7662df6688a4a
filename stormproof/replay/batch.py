"""Replaying a folder of history files fast: one replay worker per process, one per core.

A fresh `Replayer.replay_workflow` per file costs ~40 ms, most of it the SDK starting a
replay worker; feeding one worker every history costs ~20 ms each, most of it the sandbox
re-importing the workflow module, which is CPU-bound Python. So a large folder is shared
out in chunks between spawned processes, one per core, each feeding its chunks through
one replayer; a small one is replayed in this process, where children would cost more.
`--replay-dir` must replay 1,000 exported histories at 100/s or more; bench/replay.py
measures it.

Children are spawned, never forked: a forked Temporal runtime is unusable. They rebuild
the replayer from the same settings strings, so they replay with what the user passed.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from stormproof.replay.formats import Normalised
from stormproof.replay.histories import load, relative
from stormproof.replay.replayer import (
    load_workflows,
    make_replayer,
    preflight,
    verdict,
    warnings_of,
)
from stormproof.replay.settings import ReplaySettings
from stormproof.replay.verdicts import CannotJudge, Origin, ReplayOutcome, cannot_judge

# Below this many histories per process, starting one (~1 s of imports) costs more than
# it saves.
PER_PROCESS = 60
# Files go to the processes in chunks this size, as each asks for more, so a process slowed
# by other load on the machine gets fewer of them instead of holding the batch up.
CHUNK = 50
_replayers: dict[str, Replayer] = {}  # per child process: one replayer for all its chunks


async def judge_files(
    paths: Sequence[Path],
    settings: ReplaySettings,
    origin: Origin = "exported",
    roots: Sequence[Path] = (),
    replayer: Replayer | None = None,
) -> list[ReplayOutcome]:
    """Every file's verdict, in order, through one replay worker in this process.

    Raises ReplaySetupError when the settings do not name a replayer: no file can be
    judged then, and the one message says which option to fix.
    """
    replayer = replayer or make_replayer(load_workflows(settings.workflows), settings)
    outcomes: list[ReplayOutcome | None] = [None] * len(paths)
    replaying: list[tuple[int, str, Normalised, WorkflowHistory]] = []

    async def histories() -> AsyncIterator[WorkflowHistory]:
        for index, path in enumerate(paths):
            source = relative(path, roots)
            try:
                file = load(path)
            except CannotJudge as problem:
                outcomes[index] = cannot_judge(source, "?", problem)
                continue
            problem = await preflight(replayer, file.normalised)
            if problem is not None:
                warnings = warnings_of(source, file.normalised)
                outcomes[index] = cannot_judge(source, file.workflow_type, problem, warnings)
                continue
            replaying.append((index, source, file.normalised, file.history))
            yield file.history

    async with replayer.workflow_replay_iterator(histories()) as results:
        async for result in results:
            index, source, normalised, history = replaying.pop(0)
            outcomes[index] = verdict(source, origin, normalised, history, result.replay_failure)
    return [o for o in outcomes if o is not None]


def _chunk(
    paths: list[Path], settings: ReplaySettings, origin: Origin, roots: list[Path], pyc: str
) -> list[dict[str, Any]]:
    """A child process's work: one chunk's verdicts, as plain data to send back."""
    key = settings.model_dump_json()
    if key not in _replayers:  # the process's first chunk
        # The parent reports every verdict; the child's log lines would only repeat them.
        logging.getLogger("temporalio").setLevel(logging.CRITICAL)
        # The sandbox imports the workflow modules afresh for every history. Without
        # bytecode (PYTHONDONTWRITEBYTECODE) that recompiles their source each time, a
        # quarter of the cost; a private folder, removed afterwards, compiles them once.
        sys.pycache_prefix, sys.dont_write_bytecode = pyc, False
        _replayers[key] = make_replayer(load_workflows(settings.workflows), settings)
    outcomes = asyncio.run(judge_files(paths, settings, origin, roots, _replayers[key]))
    return [o.model_dump() for o in outcomes]


def process_count(histories: int) -> int:
    """How many processes replay `histories` files fastest on this machine."""
    return max(1, min(os.cpu_count() or 1, histories // PER_PROCESS))


async def replay_paths(
    paths: Sequence[Path],
    settings: ReplaySettings,
    origin: Origin = "exported",
    roots: Sequence[Path] = (),
    processes: int | None = None,
    chunk: int = CHUNK,
) -> list[ReplayOutcome]:
    """Every file's verdict, in order, shared out between `processes` (default: by size)."""
    count = processes or process_count(len(paths))
    if count <= 1:
        return await judge_files(paths, settings, origin, roots)
    make_replayer(load_workflows(settings.workflows), settings)  # a bad option fails here
    chunks = [list(paths[i : i + chunk]) for i in range(0, len(paths), chunk)]
    loop = asyncio.get_running_loop()
    spawn = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory(prefix="stormproof-pyc-") as pyc,
        ProcessPoolExecutor(max_workers=count, mp_context=spawn) as pool,
    ):
        answers = await asyncio.gather(
            *(
                loop.run_in_executor(pool, _chunk, chunk, settings, origin, list(roots), pyc)
                for chunk in chunks
            )
        )
    return [ReplayOutcome(**o) for answer in answers for o in answer]
